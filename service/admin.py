"""Token administration from the shell (an admin's tool; tokens are never issued over HTTP).

    python -m service.admin create-token --role coordinator --name alice
    python -m service.admin create-token --role municipality --name bob --organisation O001
    python -m service.admin list-tokens
    python -m service.admin revoke-token --id 3
    python -m service.admin create-user --username kaisa --name "Kaisa K" --role coordinator \
        --caseload C-0001,C-0002
    python -m service.admin create-user --username kalle --name "Kalle K" --role municipality \
        --organisation O001 --organisation O002
    python -m service.admin list-users
    python -m service.admin unlock-user --username kaisa
    python -m service.admin deactivate-user --username kaisa     # reactivate-user likewise
    python -m service.admin verify-audit [--anchor ID:HASH]
    python -m service.admin new-identity-key
    python -m service.admin reencrypt-identity-codes
    python -m service.admin backup --to paikka.dump
    python -m service.admin restore --from paikka.dump --db postgresql+psycopg://owner@host/new

The secret is printed once; only its SHA-256 is stored. A new user's one-time password (and,
for admins or with --totp, the authenticator key) is printed once; only its Argon2id hash is
stored. Unlocking, deactivating and reactivating a user are written to the audit log with
the shell user's name (the web admin page does the same through the same functions).
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit, backup
from service.accounts import AccountError, create_user, set_active, totp_uri, unlock, user_named
from service.audit import Action
from service.audit_chain import verify
from service.auth import Principal, Role, issue_token
from service.config import Settings
from service.db.accounts import UserRow
from service.db.session import make_engine, make_session_factory, upgrade
from service.db.tables import ClientPersonalRow, OrganisationRow, TokenRow
from service.identity import IdentityKeyError, keyring_of, new_key


def main(argv: list[str] | None = None) -> int:
    """Run one admin command; the exit code is 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m service.admin")
    parser.add_argument("--db", help="database URL (default: PAIKKA_DATABASE_URL or SQLite)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-token", help="issue a token; prints the secret once")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name", required=True)
    create.add_argument(
        "--organisation", help="required for the municipality role; the coach id for a coach"
    )
    revoke = commands.add_parser("revoke-token", help="revoke a token by id")
    revoke.add_argument("--id", type=int, required=True)
    commands.add_parser("list-tokens", help="list tokens (never their secrets)")
    user = commands.add_parser("create-user", help="create a web user; prints a password once")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True, help="full name shown in the app")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument(
        "--organisation",
        action="append",
        default=[],
        help="municipality contacts: a unit (repeat for several units of one municipality)",
    )
    user.add_argument("--caseload", default="", help="coordinators: client ids, comma-separated")
    user.add_argument("--totp", action="store_true", help="require a TOTP code (always: admin)")
    user.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
    commands.add_parser("list-users", help="list web users")
    for name, text in ACCOUNT_COMMANDS.items():
        change = commands.add_parser(name, help=text)
        change.add_argument("--username", required=True)
    verify_cmd = commands.add_parser(
        "verify-audit",
        help="recompute the audit log's hash chain; exit 1 on any rewrite, insertion or deletion",
    )
    verify_cmd.add_argument(
        "--anchor", help="ID:HASH of a head printed earlier (kept elsewhere), checked as well"
    )
    backup_cmd = commands.add_parser(
        "backup", help="back up the database (PostgreSQL: pg_dump -Fc; SQLite: online backup)"
    )
    backup_cmd.add_argument("--to", required=True, dest="target")
    restore_cmd = commands.add_parser(
        "restore", help="restore a backup into a fresh, empty database (--db names it)"
    )
    restore_cmd.add_argument("--from", required=True, dest="source")
    commands.add_parser(
        "reencrypt-identity-codes",
        help="seal every identity code again with the current key (after adding a new one)",
    )
    commands.add_parser("new-identity-key", help="print a fresh identity-code key (base64)")
    args = parser.parse_args(argv)
    if args.command == "new-identity-key":
        print(new_key())
        return 0

    env = dict(os.environ)
    if args.db:
        env["PAIKKA_DATABASE_URL"] = args.db
        env.pop("PAIKKA_MIGRATION_DATABASE_URL", None)
    settings = Settings.from_env(env)
    if args.command in ("verify-audit", "backup", "restore"):
        return _database_command(settings, args)
    upgrade(settings.owner_url, service_url=settings.database_url)
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
                if role is Role.COACH and not args.organisation:
                    parser.error("--organisation is the coach id for the coach role")
                secret = issue_token(session, role, args.name, args.organisation)
                session.commit()
                print(secret)
            elif args.command == "create-user":
                return _create_user(session, args)
            elif args.command in ACCOUNT_COMMANDS:
                return _change_account(session, args.command, args.username)
            elif args.command == "reencrypt-identity-codes":
                return _reencrypt(session, settings)
            elif args.command == "list-users":
                for user_row in session.scalars(select(UserRow).order_by(UserRow.username)):
                    orgs = ",".join(user_row.organisations)
                    state = "active" if user_row.active else "deactivated"
                    print(
                        f"{user_row.username}\t{user_row.role}\t{user_row.full_name}\t{orgs}"
                        f"\t{state}"
                    )
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


def _database_command(settings: Settings, args: argparse.Namespace) -> int:
    """Verify the audit chain, back up or restore: as the owner role, with no upgrade first
    (a backup is of the database as it is; a restore needs an empty database)."""
    if args.command == "backup":
        try:
            written = backup.backup(settings.owner_url, Path(args.target))
        except backup.BackupError as exc:
            print(f"error: {exc}")
            return 2
        print(f"backup written to {written} ({written.stat().st_size} bytes)")
        return 0
    if args.command == "restore":
        try:
            backup.restore(Path(args.source), settings.owner_url)
        except backup.BackupError as exc:
            print(f"error: {exc}")
            return 2
        upgrade(settings.owner_url, service_url=settings.database_url)
        args.anchor = None
        print(f"restored {args.source}")
    anchor = None
    if args.anchor:
        ident, _, digest = args.anchor.partition(":")
        if not ident.isdigit() or len(digest) != 64:
            print("error: --anchor is ID:HASH (a head printed by verify-audit)")
            return 2
        anchor = (int(ident), digest)
    engine = make_engine(settings.owner_url)
    try:
        with engine.connect() as connection:
            found = verify(connection, anchor)
    finally:
        engine.dispose()
    if not found.ok:
        print(f"audit log BROKEN after {found.rows} rows: {found.problem}")
        return 1
    print(f"audit log intact: {found.rows} rows; head {found.head_id}:{found.head_hash}")
    return 0


def _reencrypt(session: Session, settings: Settings) -> int:
    """Seal again, with the current key, every identity code sealed with another; audited
    as one row with the count (never the codes)."""
    try:
        keyring = keyring_of(settings)
    except IdentityKeyError as exc:
        print(f"error: {exc}")
        return 2
    if keyring is None:
        print("error: no identity-code key configured (PAIKKA_IDENTITY_KEYS or _KEY_FILE)")
        return 2
    stale = session.scalars(
        select(ClientPersonalRow).where(
            ClientPersonalRow.identity_code_sealed.is_not(None),
            ClientPersonalRow.identity_code_key != keyring.current,
        )
    ).all()
    for row in stale:
        assert row.identity_code_sealed is not None and row.identity_code_key is not None
        try:
            code = keyring.open(row.identity_code_sealed, row.identity_code_key, row.client_id)
        except IdentityKeyError as exc:
            print(f"error: client {row.client_id}: {exc}")
            session.rollback()
            return 1
        row.identity_code_sealed, row.identity_code_key = keyring.seal(code, row.client_id)
    shell_user = Principal(0, f"cli:{os.environ.get('USER') or 'shell'}", Role.ADMIN, None)
    audit.record(
        session,
        shell_user,
        Action.UPDATE,
        "identity_codes",
        "key rotation",
        key=keyring.current,
        count=len(stale),
    )
    session.commit()
    print(f"re-encrypted {len(stale)} identity codes with key {keyring.current}")
    return 0


ACCOUNT_COMMANDS = {
    "unlock-user": "lift a lock-out after repeated failed sign-ins",
    "deactivate-user": "stop a user signing in and end their sessions",
    "reactivate-user": "let a deactivated user sign in again",
}


def _change_account(session: Session, command: str, username: str) -> int:
    """Unlock, deactivate or reactivate a user, audited under the shell user's name."""
    try:
        user = user_named(session, username)
    except AccountError as exc:
        print(f"error: {exc.field}: {exc}")
        return 2
    change = command.removesuffix("-user")
    if change == "unlock":
        unlock(user)
    else:
        set_active(session, user, change == "reactivate")
    shell_user = Principal(0, f"cli:{os.environ.get('USER') or 'shell'}", Role.ADMIN, None)
    audit.record(
        session,
        shell_user,
        Action.UPDATE,
        "users",
        "account administration",
        record_id=user.username,
        change=change,
    )
    session.commit()
    print(f"{change}: {user.username}")
    return 0


def _create_user(session: Session, args: argparse.Namespace) -> int:
    """Create a web user with a generated one-time password, printed once."""
    password = secrets.token_urlsafe(12)
    try:
        user = create_user(
            session,
            username=args.username,
            full_name=args.name,
            role=Role(args.role),
            password=password,
            organisations=args.organisation,
            caseload=[c.strip() for c in args.caseload.split(",") if c.strip()],
            totp=args.totp,
            language=args.language,
        )
    except AccountError as exc:
        print(f"error: {exc.field}: {exc}")
        return 2
    session.commit()
    print(f"created {user.username} ({user.role}); password: {password}")
    uri = totp_uri(user)
    if uri:
        print(f"authenticator key (add it to an authenticator app): {uri}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
