"""The PostgreSQL service role's privileges: what the service needs and no more (issue #23).

Production runs two roles. The **owner** (``PAIKKA_MIGRATION_DATABASE_URL``) owns the schema,
its tables, triggers and functions, and runs the migrations. The **service** role
(``PAIKKA_DATABASE_URL``) owns nothing: it reads and writes the data tables, may only insert
into and read the audit log, and only read the chain head (the owner's ``SECURITY DEFINER``
trigger moves it). Owning nothing, it can neither disable nor drop the audit log's triggers.
Granted again at the end of every upgrade, so that tables added by later migrations are
covered.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

APPEND_ONLY = ("audit_log",)
"""Tables the service may only insert into and read."""

READ_ONLY = ("audit_chain_head", "alembic_version")
"""Tables the service may only read."""


def grant_service_role(connection: Connection, role: str) -> None:
    """Grant ``role`` the data privileges of the service in the current schema, minus the
    rewrites of the audit log; refuse a role that owns any table."""
    quoted = connection.dialect.identifier_preparer.quote(role)
    owned = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
        {"r": role},
    ).scalars()
    owned_tables = sorted(owned)
    if owned_tables:
        raise RuntimeError(
            f"the service role {role} owns {', '.join(owned_tables)}: it could rewrite the "
            "audit log; give them to the owner role (REASSIGN OWNED BY the service role TO "
            "the owner) and migrate again"
        )
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}"))
    for table in READ_ONLY:
        connection.execute(
            text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}")
        )
