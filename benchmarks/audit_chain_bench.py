"""What the audit log's hash chain costs an audited read on PostgreSQL (issue #23).

    python benchmarks/audit_chain_bench.py --pg postgresql+psycopg://postgres@127.0.0.1/postgres

A throw-away database is migrated to head; then audited reads of the read path's shape (one
statement: a ``SELECT`` of 50 rows with the ``INSERT`` of its audit row in a ``WITH``,
:func:`service.audit.select_recorded`, in autocommit) are timed with the chain's trigger on
and off, in alternating rounds of one run, by 1 and by ``--threads`` concurrent sessions
(the chain head's row lock serialises the inserts). The ratio chained/unchained is the
figure; absolute times depend on the machine, which is shared.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from typing import Any

from sqlalchemy import Integer, String, column, create_engine, make_url, select, table, text

from service import audit
from service.auth import Principal, Role
from service.db.session import make_engine, make_session_factory, upgrade

WHO = Principal(0, "bench", Role.COORDINATOR, None)
LISTED = table("bench_rows", column("id", Integer), column("client_id", String))
QUERY = select(LISTED.c.id, LISTED.c.client_id).order_by(LISTED.c.id).limit(50)


def _timed_reads(factory: Any, n: int, threads: int) -> list[float]:
    """Milliseconds of ``n`` audited reads per thread, ``threads`` at once."""
    times: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        mine = []
        for _ in range(n):
            with factory() as session:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                start = time.perf_counter()
                rows = audit.select_recorded(
                    session, QUERY, {}, WHO, audit.Action.READ, "bench", "benchmark"
                )
                mine.append((time.perf_counter() - start) * 1000)
                assert rows is not None and len(rows) == 50
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="a server URL (a database is created)")
    parser.add_argument("--reads", type=int, default=300, help="audited reads per round/thread")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    server = make_url(args.pg)
    name = f"audit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE bench_rows (id int primary key, client_id text)"))
            connection.execute(
                text("INSERT INTO bench_rows SELECT i, 'C' || i FROM generate_series(1, 50) i")
            )
        factory = make_session_factory(engine)
        results: dict[tuple[str, int], list[float]] = {}
        for _round in range(args.rounds):
            for chained in (True, False):
                with engine.begin() as connection:
                    # the baseline numbers rows from the sequence, the chain from its head:
                    # each starts past the other's last row (the bench's chain is not kept)
                    state = "ENABLE" if chained else "DISABLE"
                    connection.execute(
                        text(f"ALTER TABLE audit_log {state} TRIGGER audit_log_chain")
                    )
                    last = "(SELECT coalesce(max(id), 0) FROM audit_log)"
                    connection.execute(
                        text(f"UPDATE audit_chain_head SET last_id = {last} WHERE id = 1")
                    )
                    connection.execute(
                        text(f"SELECT setval('audit_log_id_seq', {last} + 1, false)")
                    )
                for threads in (1, args.threads):
                    key = ("chained" if chained else "unchained", threads)
                    results.setdefault(key, []).extend(_timed_reads(factory, args.reads, threads))
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain"))
        engine.dispose()
        print(f"audited reads of 50 rows, {args.rounds} alternating rounds x {args.reads}")
        print(
            "| sessions | unchained median ms | chained median ms | ratio "
            "| unchained p95 | chained p95 | ratio |"
        )
        print("|---|---|---|---|---|---|---|")
        for threads in (1, args.threads):
            plain, chain = results[("unchained", threads)], results[("chained", threads)]
            m0, m1 = statistics.median(plain), statistics.median(chain)
            p0 = statistics.quantiles(plain, n=20)[-1]
            p1 = statistics.quantiles(chain, n=20)[-1]
            print(
                f"| {threads} | {m0:.2f} | {m1:.2f} | {m1 / m0:.2f} | {p0:.2f} | {p1:.2f} "
                f"| {p1 / p0:.2f} |"
            )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
