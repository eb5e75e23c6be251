"""``python -m service [--host H] [--port P] [--db URL] [--demo]``: run the service."""

from __future__ import annotations

import argparse
import os

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from service.app import create_app
from service.config import Settings


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve with uvicorn (one worker: runs live in it)."""
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", help="database URL (default: PAIKKA_DATABASE_URL or SQLite)")
    parser.add_argument(
        "--demo", action="store_true", help="load the sample county into an empty database"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.db:
        env["PAIKKA_DATABASE_URL"] = args.db
    settings = Settings.from_env(env)
    app = create_app(settings)
    if args.demo and _load_demo(app.state.session_factory):
        _first_run_when_up(app, args.host, args.port)
    print(f"the web app: http://{args.host}:{args.port}/  (the JSON API: /docs)")
    # logging is ours (JSON lines, one line per request): uvicorn keeps its hands off
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


def _load_demo(sessions: sessionmaker[Session]) -> bool:
    """Load the sample county into an empty database (never over existing data), with
    synthetic client names and one demo user per role; print how to sign in."""
    from sqlalchemy import select

    from service.db.tables import PlacementRow
    from service.demo import demo_names, demo_users, load_problem, sample_problem

    with sessions() as session:
        if session.scalar(select(PlacementRow.id).limit(1)) is not None:
            print("the database already has data; --demo loads nothing")
            return False
        problem = sample_problem()
        load_problem(session, problem)
        demo_names(session, problem)
        users = demo_users(session, problem)
        session.commit()
    print(
        f"loaded the sample county: {len(problem.clients)} clients, "
        f"{len(problem.placements)} placements; issue a token with python -m service.admin"
    )
    print("demo users (passwords made now, for this demo only):")
    for username, role, password, totp in users:
        print(f"  {role:<13} {username:<15} password: {password}")
        if totp:
            print(f"  {'':<13} {'':<15} authenticator key: {totp}")
    return True


def _first_run_when_up(app: FastAPI, host: str, port: int) -> None:
    """Start the week's first run once the server answers, so the board has proposals."""
    import threading
    import time
    import urllib.request

    from service.auth import Principal, Role
    from service.crud import runs as run_store
    from service.schemas.runs import RunCreate

    def start() -> None:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://{host}:{port}/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        with app.state.session_factory() as session:
            demo = Principal(token_id=0, name="demo", role=Role.COORDINATOR, organisation=None)
            row = run_store.create(session, demo, RunCreate(), app.state.settings)
            session.commit()
        if app.state.workers is not None:  # else a `python -m service.worker` finds it queued
            app.state.workers.submit("run", row.id)

    threading.Thread(target=start, name="demo-first-run", daemon=True).start()


if __name__ == "__main__":
    main()
