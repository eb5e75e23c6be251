"""Token administration from the shell (an admin's tool; tokens are never issued over HTTP).

    python -m service.admin create-token --role coordinator --name alice
    python -m service.admin create-token --role municipality --name bob --organisation O001
    python -m service.admin list-tokens
    python -m service.admin revoke-token --id 3

The secret is printed once; only its SHA-256 is stored.
"""

from __future__ import annotations

import argparse
import os

from sqlalchemy import select

from service.auth import Role, issue_token
from service.config import Settings
from service.db.session import make_engine, make_session_factory, upgrade
from service.db.tables import OrganisationRow, TokenRow


def main(argv: list[str] | None = None) -> int:
    """Run one admin command; the exit code is 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m service.admin")
    parser.add_argument("--db", help="database URL (default: PAIKKA_DATABASE_URL or SQLite)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-token", help="issue a token; prints the secret once")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name", required=True)
    create.add_argument("--organisation", help="required for the municipality role")
    revoke = commands.add_parser("revoke-token", help="revoke a token by id")
    revoke.add_argument("--id", type=int, required=True)
    commands.add_parser("list-tokens", help="list tokens (never their secrets)")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.db:
        env["PAIKKA_DATABASE_URL"] = args.db
    settings = Settings.from_env(env)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            if args.command == "create-token":
                role = Role(args.role)
                if role is Role.MUNICIPALITY:
                    if not args.organisation:
                        parser.error("--organisation is required for the municipality role")
                    if session.get(OrganisationRow, args.organisation) is None:
                        print(f"warning: organisation '{args.organisation}' is not known yet")
                secret = issue_token(session, role, args.name, args.organisation)
                session.commit()
                print(secret)
            elif args.command == "revoke-token":
                row = session.get(TokenRow, args.id)
                if row is None:
                    print(f"no token with id {args.id}")
                    return 1
                row.revoked = True
                session.commit()
                print(f"revoked token {args.id} ({row.name}, {row.role})")
            else:
                for row in session.scalars(select(TokenRow).order_by(TokenRow.id)):
                    state = "revoked" if row.revoked else "active"
                    org = f" organisation={row.organisation_id}" if row.organisation_id else ""
                    print(f"{row.id}\t{row.role}\t{row.name}\t{state}{org}\t{row.created_at}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
