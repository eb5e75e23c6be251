"""The readers of the service benchmark, in a lean process of their own.

    python benchmarks/read_load.py HOST:PORT --run-id N --pages P [--readers 50]
        [--max-seconds 30] [--think-ms 0]      # token in PAIKKA_BENCH_AUTHORIZATION

``--readers`` concurrent readers list pages of a run's proposals (``page_size=50``, pages 1…P
in turn) for ``--max-seconds``: a closed loop, each reader sends its next request as soon as
the answer to the last one is read whole (``--think-ms`` adds a pause; none by default).
Each reader keeps one HTTP/1.1 keep-alive connection; no HTTP library and nothing of the
service is imported (httpx took as much CPU as a server process, and importing the service
costs seconds), on uvloop when it is installed. Prints one JSON object: requests, errors
(non-2xx answers and failed requests), p95 and median in ms, and the CPU seconds this
process used while the readers ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import time


def cpu_now() -> float:
    """CPU seconds (user + system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def reader(
    address: tuple[str, int],
    requests: list[bytes],
    start: int,
    deadline: float,
    think_s: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    """One reader: one connection, one request after the other until ``deadline``."""
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    i = start
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        ok = False
        try:
            if connection is None:
                connection = await asyncio.open_connection(*address, limit=1 << 20)
            stream, writer = connection
            writer.write(requests[i % len(requests)])
            head = await stream.readuntil(b"\r\n\r\n")
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await stream.readexactly(length)
            ok = head[9:10] == b"2"
            if close:
                writer.close()
                connection = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            connection = None
        latencies.append(time.perf_counter() - t0)
        if not ok:
            failures.append(1)
        i += 1
        if think_s:
            await asyncio.sleep(think_s)
    if connection is not None:
        connection[1].close()


def main() -> None:
    """Run the readers and print their figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("address", help="HOST:PORT of the service")
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--pages", type=int, default=1)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=30)
    parser.add_argument("--think-ms", type=float, default=0)
    args = parser.parse_args()
    host, _, port = args.address.partition(":")
    authorization = os.environ["PAIKKA_BENCH_AUTHORIZATION"]
    requests = [
        (
            f"GET /runs/{args.run_id}/proposals?page_size=50&page={page} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nAuthorization: {authorization}\r\n\r\n"
        ).encode()
        for page in range(1, args.pages + 1)
    ]
    latencies: list[float] = []
    failures: list[int] = []

    async def run() -> None:
        deadline = time.monotonic() + args.max_seconds
        await asyncio.gather(
            *(
                reader(
                    (host, int(port)),
                    requests,
                    n,
                    deadline,
                    args.think_ms / 1000,
                    latencies,
                    failures,
                )
                for n in range(args.readers)
            )
        )

    started = cpu_now()
    try:
        import uvloop
    except ImportError:
        asyncio.run(run())
    else:
        uvloop.run(run())
    used = cpu_now() - started
    ordered = sorted(latencies)
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": len(failures),
                "p95_ms": (
                    round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)
                    if ordered
                    else None
                ),
                "median_ms": round(1000 * statistics.median(ordered), 1) if ordered else None,
                "cpu_s": round(used, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
