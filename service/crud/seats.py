"""A placement's seats are taken one transaction at a time.

Every decision or step that gives a client a seat locks the placement first
(``lock_placement``), then checks the capacity against what is stored, so that two
decisions for the last seat give one success and one refusal (the database would otherwise
let both through: each checks before the other stores).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import PlacementRow


def lock_placement(session: Session, placement_id: str) -> None:
    """Hold the placement's seats for this transaction: whoever decides (or takes a step that
    takes a seat) next for the same placement waits until this transaction ends, and then
    checks the capacity against what it stored. Two decisions for the last seat thus get one
    success and one refusal, never two clients in one seat.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the placement's row (read committed: the checks
    after it read what the other transaction committed). SQLite has no row locks: the
    transaction is made immediate (``BEGIN IMMEDIATE``, the database's write lock) unless it
    already writes, which holds that lock since its first write."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(
            select(PlacementRow.id).where(PlacementRow.id == placement_id).with_for_update()
        )
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
