"""One client, one story: days belong to periods, a period that began before Paikka is a
period, and the database holds a client to one live period and one live seat.

* ``periods.imported`` (new) and ``periods.agreement_id`` nullable: every assignment without a
  period that was imported (no proposal) and is still active, or that has attendance days,
  becomes a period marked imported, with the dates it was agreed with (its start and planned
  end; without one the law's 24-month maximum) and the schedule its client and placement
  share. An ended assignment keeps its end as the period's.
* ``attendance.period_id`` replaces ``attendance.assignment_id``: each day moves to the period
  of its assignment (one per assignment), so its corrections and certificates, which refer to
  the day's id, stay with it. Unique per period and day.
* A client left with two live periods or two active assignments by the old code keeps the
  newest; the older ones end the day before it starts (noted on the period), so the partial
  unique indexes ``uq_periods_live_client`` and ``uq_assignments_live_client`` can hold.

Nothing is deleted. Downgrade moves the days back to the assignments and removes the
imported periods (their data is still the assignment's).

The derivation of an imported period is frozen here on purpose (a migration must not change
when the code does); ``matching.cooperation.periods.imported_period`` is the living one.

Revision ID: 0013_one_story
Revises: 0012_scenario_error_code
Create Date: 2026-12-08 05:00:00.000000
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013_one_story"
down_revision = "0012_scenario_error_code"
branch_labels = None
depends_on = None

LIVE_PERIOD = "ended_on IS NULL"
LIVE_ASSIGNMENT = "status = 'active'"
BY = "migration 0013"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_day(start: date, months: int) -> date:
    return _add_months(start, months) - timedelta(days=1)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    import json

    return json.loads(value) if value else {}


def _imported_period(
    assignment: Any, client: dict[str, Any], placement: dict[str, Any], municipality: str
) -> dict[str, Any]:
    start = _as_date(assignment.start_date)
    assert start is not None
    offered = [str(d) for d in placement.get("weekdays") or []] or ["mon"]
    available = {str(d) for d in client.get("available_weekdays") or []}
    weekdays = [d for d in offered if d in available] or offered
    wanted = int(client.get("days_per_week") or len(weekdays))
    low = float(placement.get("min_hours_per_day") or 0)
    high = float(placement.get("max_hours_per_day") or 24)
    hours = float(client.get("hours_per_day") or high)
    end = max(_as_date(assignment.planned_end_date) or _last_day(start, 24), start)
    ended = _as_date(assignment.end_date) if assignment.status != "active" else None
    if ended is not None:
        end = max(end, ended)
    return {
        "agreement_id": None,
        "imported": True,
        "assignment_id": assignment.id,
        "client_id": assignment.client_id,
        "placement_id": assignment.placement_id,
        "municipality_code": municipality,
        "task_category": placement.get("task_category"),
        "weekdays": sorted(weekdays),
        "days_per_week": max(1, min(wanted, len(weekdays), 7)),
        "hours_per_day": min(max(hours, low), high) or 1.0,
        "start_date": start,
        "first_review_date": max(min(_last_day(start, 3), end), start),
        "end_date": end,
        "planned_end_date": end,
        "plan_review_date": _add_months(start, 24),
        "payer": None,
        "prior_days": 0,
        "extensions": [],
        "ended_on": ended,
        "end_reason": "other" if ended else None,
        "onward_path": "other" if ended else None,
        "end_note": "Päättyi ennen Paikkaa (tuotu)." if ended else "",
        "ended_by": BY if ended else None,
        "created_by": BY,
        "created_at": datetime.now(UTC),
    }


def upgrade() -> None:
    with op.batch_alter_table("periods") as batch:
        batch.alter_column("agreement_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("imported", sa.Boolean(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("period_id", sa.Integer(), nullable=True))

    bind = op.get_bind()
    meta = sa.MetaData()
    assignments = sa.Table("assignments", meta, autoload_with=bind)
    periods = sa.Table("periods", meta, autoload_with=bind)
    attendance = sa.Table("attendance", meta, autoload_with=bind)
    clients = sa.Table("clients", meta, autoload_with=bind)
    placements = sa.Table("placements", meta, autoload_with=bind)

    # 1. A client keeps one active assignment: the newest; the older end the day before it.
    rows = bind.execute(
        sa.select(assignments)
        .where(assignments.c.status == "active")
        .order_by(assignments.c.client_id, assignments.c.start_date.desc(), assignments.c.id.desc())
    ).all()
    newest: dict[str, Any] = {}
    for a in rows:
        if a.client_id not in newest:
            newest[a.client_id] = a
            continue
        later = _as_date(newest[a.client_id].start_date)
        start = _as_date(a.start_date)
        assert later is not None and start is not None
        bind.execute(
            assignments.update()
            .where(assignments.c.id == a.id)
            .values(status="ended", end_date=max(start, later - timedelta(days=1)))
        )

    # 2. Imported periods for the assignments that need one.
    carried = {r[0] for r in bind.execute(sa.select(periods.c.assignment_id))}
    with_days = {r[0] for r in bind.execute(sa.select(attendance.c.assignment_id).distinct())}
    client_data = {r.id: _json(r.attributes) for r in bind.execute(sa.select(clients))}
    placement_data = {
        r.id: (_json(r.attributes), r.municipality_code)
        for r in bind.execute(sa.select(placements))
    }
    for a in bind.execute(sa.select(assignments).order_by(assignments.c.id)).all():
        if a.id in carried:
            continue
        imported_and_live = a.proposal_id is None and a.status == "active"
        if not (imported_and_live or a.id in with_days):
            continue  # accepted, awaiting its cycle, no days: nothing to carry
        attributes, municipality = placement_data[a.placement_id]
        bind.execute(
            periods.insert().values(
                **_imported_period(a, client_data.get(a.client_id, {}), attributes, municipality)
            )
        )

    # 3. A client keeps one live period: the newest; the older end the day before it.
    rows = bind.execute(
        sa.select(periods)
        .where(periods.c.ended_on.is_(None))
        .order_by(periods.c.client_id, periods.c.start_date.desc(), periods.c.id.desc())
    ).all()
    newest = {}
    for p in rows:
        if p.client_id not in newest:
            newest[p.client_id] = p
            continue
        later = _as_date(newest[p.client_id].start_date)
        start = _as_date(p.start_date)
        assert later is not None and start is not None
        bind.execute(
            periods.update()
            .where(periods.c.id == p.id)
            .values(
                ended_on=max(start, later - timedelta(days=1)),
                end_reason="other",
                onward_path="new_period",
                end_note=f"Päätetty: asiakkaan uusi jakso {newest[p.client_id].id} alkoi "
                f"({BY}).",
                ended_by=BY,
            )
        )

    # 4. Days move to their assignment's period.
    for period_id, assignment_id in bind.execute(
        sa.select(periods.c.id, periods.c.assignment_id)
    ).all():
        bind.execute(
            attendance.update()
            .where(attendance.c.assignment_id == assignment_id)
            .values(period_id=period_id)
        )
    left = bind.execute(
        sa.select(sa.func.count()).select_from(attendance).where(attendance.c.period_id.is_(None))
    ).scalar()
    assert left == 0, f"{left} attendance days found no period"

    with op.batch_alter_table("attendance") as batch:
        batch.drop_constraint("uq_attendance_assignment_id", type_="unique")
        batch.drop_index("ix_attendance_assignment_id")
        batch.drop_constraint("fk_attendance_assignment_id_assignments", type_="foreignkey")
        batch.drop_column("assignment_id")
        batch.alter_column("period_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_attendance_period_id_periods"), "periods", ["period_id"], ["id"]
        )
        batch.create_index(op.f("ix_attendance_period_id"), ["period_id"], unique=False)
        batch.create_unique_constraint(op.f("uq_attendance_period_id"), ["period_id", "day"])

    op.create_index(
        "uq_periods_live_client",
        "periods",
        ["client_id"],
        unique=True,
        sqlite_where=sa.text(LIVE_PERIOD),
        postgresql_where=sa.text(LIVE_PERIOD),
    )
    op.create_index(
        "uq_assignments_live_client",
        "assignments",
        ["client_id"],
        unique=True,
        sqlite_where=sa.text(LIVE_ASSIGNMENT),
        postgresql_where=sa.text(LIVE_ASSIGNMENT),
    )


def downgrade() -> None:
    op.drop_index("uq_assignments_live_client", table_name="assignments")
    op.drop_index("uq_periods_live_client", table_name="periods")
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("assignment_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    meta = sa.MetaData()
    periods = sa.Table("periods", meta, autoload_with=bind)
    attendance = sa.Table("attendance", meta, autoload_with=bind)
    for period_id, assignment_id in bind.execute(
        sa.select(periods.c.id, periods.c.assignment_id)
    ).all():
        bind.execute(
            attendance.update()
            .where(attendance.c.period_id == period_id)
            .values(assignment_id=assignment_id)
        )
    with op.batch_alter_table("attendance") as batch:
        batch.drop_constraint("uq_attendance_period_id", type_="unique")
        batch.drop_index("ix_attendance_period_id")
        batch.drop_constraint("fk_attendance_period_id_periods", type_="foreignkey")
        batch.drop_column("period_id")
        batch.alter_column("assignment_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_attendance_assignment_id_assignments"),
            "assignments",
            ["assignment_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_attendance_assignment_id"), ["assignment_id"], unique=False)
        batch.create_unique_constraint(
            op.f("uq_attendance_assignment_id"), ["assignment_id", "day"]
        )
    # Imported periods go; their data is the assignment's. Their feedback and notices first.
    imported = sa.select(periods.c.id).where(periods.c.imported.is_(True))
    for table in ("period_feedback", "start_notices"):
        rows = sa.Table(table, meta, autoload_with=bind)
        bind.execute(rows.delete().where(rows.c.period_id.in_(imported)))
    bind.execute(periods.delete().where(periods.c.imported.is_(True)))
    with op.batch_alter_table("periods") as batch:
        batch.drop_column("imported")
        batch.alter_column("agreement_id", existing_type=sa.Integer(), nullable=False)
