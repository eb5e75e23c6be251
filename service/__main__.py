"""``python -m service [--host H] [--port P] [--db URL] [--demo]``: run the service."""

from __future__ import annotations

import argparse
import os

import uvicorn
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
    if args.demo:
        _load_demo(app.state.session_factory)
    uvicorn.run(app, host=args.host, port=args.port)


def _load_demo(sessions: sessionmaker[Session]) -> None:
    """Load the sample county into an empty database (never over existing data)."""
    from sqlalchemy import select

    from service.db.tables import PlacementRow
    from service.demo import load_problem, sample_problem

    with sessions() as session:
        if session.scalar(select(PlacementRow.id).limit(1)) is not None:
            print("the database already has data; --demo loads nothing")
            return
        problem = sample_problem()
        load_problem(session, problem)
        session.commit()
    print(
        f"loaded the sample county: {len(problem.clients)} clients, "
        f"{len(problem.placements)} placements; issue a token with python -m service.admin"
    )


if __name__ == "__main__":
    main()
