"""0013_one_story on a copy of a worked database: every record is still there afterwards.

A county is worked under 0012 (the two models side by side): decisions, a pending note, a
site confirmation, a start meeting, an agreement and its period with days, a correction and
a certificate, a start notice; placements imported from before Paikka with days of their
own, one of them ended; and a client the old code left with two active assignments and two
running periods. After the upgrade every row is there, each day belongs to the period of its
assignment (with its correction and certificate), the imported placements are periods with
their dates, and the client holds one live period and one live seat. Down again, the days are
the assignments' as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.command import downgrade, upgrade
from sqlalchemy.engine import Connection

from service.db.session import alembic_config
from tests.service.svc_helpers import postgres_database

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
WEEK = ["mon", "tue", "wed", "thu"]


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])]
)
def empty_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh empty database of each kind, for this test alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/worked.db"
    else:
        yield from postgres_database()


def _tables(connection: Connection) -> dict[str, sa.Table]:
    meta = sa.MetaData()
    meta.reflect(connection)
    return dict(meta.tables)


def _insert(connection: Connection, t: dict[str, sa.Table], table: str, **values: Any) -> int:
    result = connection.execute(t[table].insert().values(**values))
    key = result.inserted_primary_key
    return int(key[0]) if key and isinstance(key[0], int) else 0


def _work_the_county(connection: Connection) -> dict[str, int]:
    """The worked county under 0012; the ids the checks refer to."""
    t = _tables(connection)
    ids: dict[str, int] = {}
    _insert(connection, t, "commuting_areas", id="A1", name="Oulu")
    _insert(connection, t, "municipalities", code="564", name_fi="Oulu", commuting_area_id="A1")
    _insert(connection, t, "organisations", id="O1", name="Oulun ruokapalvelut", type="x")
    for pid in ("P1", "P2"):
        attributes = {
            "weekdays": WEEK,
            "min_hours_per_day": 4,
            "max_hours_per_day": 6,
            "task_category": "kitchen",
            "seats": 2,
        }
        _insert(
            connection,
            t,
            "placements",
            id=pid,
            organisation_id="O1",
            municipality_code="564",
            closed=False,
            attributes=attributes,
            created_at=NOW,
            updated_at=NOW,
        )
    for cid in ("C1", "C2", "C3", "C4"):
        client = {"days_per_week": 3, "hours_per_day": 5, "available_weekdays": WEEK}
        _insert(
            connection,
            t,
            "clients",
            id=cid,
            home_municipality="564",
            active=True,
            attributes=client,
            created_at=NOW,
            updated_at=NOW,
        )
        _insert(
            connection,
            t,
            "client_personal",
            client_id=cid,
            display_name=f"Asiakas {cid}",
            shared_fields=[],
        )
    run = _insert(
        connection,
        t,
        "runs",
        county="c",
        status="succeeded",
        planning_date=date(2026, 11, 2),
        options={},
        created_by="kaisa",
        created_at=NOW,
        cancel_requested=False,
        superseded=False,
        attempts=0,
    )
    common = {
        "run_id": run,
        "municipality_code": "564",
        "score": 1,
        "breakdown": {},
        "travel_minutes": 10,
        "kept_ongoing": False,
    }
    ids["accepted"] = _insert(
        connection,
        t,
        "proposals",
        client_id="C1",
        placement_id="P1",
        status="accepted",
        decided_by="kaisa",
        decided_at=NOW,
        reason_code="client_agreed",
        **common,
    )
    ids["pending"] = _insert(
        connection,
        t,
        "proposals",
        client_id="C4",
        placement_id="P2",
        status="proposed",
        pending_note="Soitan perjantaina.",
        pending_by="kaisa",
        pending_at=NOW,
        **common,
    )
    # C1: the accepted proposal's assignment and its period with days
    ids["a_c1"] = _insert(
        connection,
        t,
        "assignments",
        client_id="C1",
        placement_id="P1",
        start_date=date(2026, 11, 2),
        status="active",
        proposal_id=ids["accepted"],
        created_at=NOW,
    )
    _insert(
        connection,
        t,
        "site_confirmations",
        proposal_id=ids["accepted"],
        client_id="C1",
        placement_id="P1",
        decision="confirmed",
        text="",
        decided_by="muni1",
        decided_at=NOW,
    )
    meeting = _insert(
        connection,
        t,
        "start_meetings",
        proposal_id=ids["accepted"],
        client_id="C1",
        placement_id="P1",
        held_on=date(2026, 10, 30),
        place="Oulu",
        participants=[],
        notes="",
        created_by="kaisa",
        created_at=NOW,
    )
    agreement = _insert(
        connection,
        t,
        "activity_agreements",
        proposal_id=ids["accepted"],
        meeting_id=meeting,
        client_id="C1",
        placement_id="P1",
        municipality_code="564",
        status="agreed",
        tasks="Keittiö",
        goals="",
        support="",
        weekdays=["mon", "wed"],
        hours_per_day=5,
        start_date=date(2026, 11, 2),
        first_review_date=date(2026, 12, 1),
        end_date=date(2027, 4, 30),
        contact_persons=[],
        when_absent="Soita",
        language="fi",
        agreed_on=date(2026, 10, 30),
        cancel_reason="",
        created_by="kaisa",
        created_at=NOW,
        updated_at=NOW,
    )
    ids["p_c1"] = _insert(
        connection,
        t,
        "periods",
        agreement_id=agreement,
        assignment_id=ids["a_c1"],
        client_id="C1",
        placement_id="P1",
        municipality_code="564",
        weekdays=["mon", "wed"],
        days_per_week=2,
        hours_per_day=5,
        start_date=date(2026, 11, 2),
        first_review_date=date(2026, 12, 1),
        end_date=date(2027, 4, 30),
        planned_end_date=date(2027, 4, 30),
        plan_review_date=date(2028, 11, 2),
        payer="kela",
        prior_days=0,
        extensions=[],
        end_note="",
        created_by="kaisa",
        created_at=NOW,
    )
    _insert(
        connection,
        t,
        "start_notices",
        period_id=ids["p_c1"],
        client_id="C1",
        authority="TE",
        sent_on=date(2026, 11, 2),
        sent_by="kaisa",
        created_at=NOW,
    )
    day = {"recorded_by": "muni1", "recorded_at": NOW}
    ids["d_c1"] = _insert(
        connection,
        t,
        "attendance",
        assignment_id=ids["a_c1"],
        day=date(2026, 11, 2),
        status="present",
        **day,
    )
    ids["d_c1_sick"] = _insert(
        connection,
        t,
        "attendance",
        assignment_id=ids["a_c1"],
        day=date(2026, 11, 4),
        status="absent",
        absence_reason="own_illness",
        **day,
    )
    _insert(
        connection,
        t,
        "attendance_corrections",
        attendance_id=ids["d_c1_sick"],
        day=date(2026, 11, 4),
        old_status="present",
        old_reason=None,
        new_status="absent",
        new_reason="own_illness",
        reason_text="Soitti sairaana.",
        corrected_by="kaisa",
        corrected_at=NOW,
    )
    _insert(
        connection,
        t,
        "attendance_certificates",
        attendance_id=ids["d_c1_sick"],
        recorded_by="kaisa",
        recorded_at=NOW,
    )
    # C2: imported, running since before Paikka, with days
    ids["a_c2"] = _insert(
        connection,
        t,
        "assignments",
        client_id="C2",
        placement_id="P1",
        start_date=date(2026, 3, 2),
        planned_end_date=date(2027, 2, 28),
        status="active",
        created_at=NOW,
    )
    ids["d_c2"] = _insert(
        connection,
        t,
        "attendance",
        assignment_id=ids["a_c2"],
        day=date(2026, 11, 3),
        status="present",
        **day,
    )
    # C3: imported, ended, with a day
    ids["a_c3"] = _insert(
        connection,
        t,
        "assignments",
        client_id="C3",
        placement_id="P2",
        start_date=date(2026, 1, 5),
        end_date=date(2026, 6, 30),
        status="ended",
        created_at=NOW,
    )
    ids["d_c3"] = _insert(
        connection,
        t,
        "attendance",
        assignment_id=ids["a_c3"],
        day=date(2026, 6, 1),
        status="present",
        **day,
    )
    # C4: two active imported assignments (the old code's double seat); the older one first
    ids["a_c4_old"] = _insert(
        connection,
        t,
        "assignments",
        client_id="C4",
        placement_id="P1",
        start_date=date(2026, 2, 2),
        status="active",
        created_at=NOW,
    )
    ids["a_c4_new"] = _insert(
        connection,
        t,
        "assignments",
        client_id="C4",
        placement_id="P2",
        start_date=date(2026, 9, 7),
        status="active",
        created_at=NOW,
    )
    ids["d_c4_old"] = _insert(
        connection,
        t,
        "attendance",
        assignment_id=ids["a_c4_old"],
        day=date(2026, 3, 2),
        status="present",
        **day,
    )
    return ids


def _counts(connection: Connection, names: list[str]) -> dict[str, int]:
    t = _tables(connection)
    return {
        n: connection.execute(sa.select(sa.func.count()).select_from(t[n])).scalar_one()
        for n in names
    }


KEPT = [
    "clients",
    "client_personal",
    "placements",
    "runs",
    "proposals",
    "assignments",
    "site_confirmations",
    "start_meetings",
    "activity_agreements",
    "start_notices",
    "attendance",
    "attendance_corrections",
    "attendance_certificates",
]


def test_the_upgrade_keeps_every_record_of_a_worked_county(empty_url: str) -> None:
    config = alembic_config(empty_url)
    upgrade(config, "0012_scenario_error_code")
    engine = sa.create_engine(empty_url)
    try:
        with engine.begin() as connection:
            ids = _work_the_county(connection)
            before = _counts(connection, KEPT)
            days_before = {
                r.id: (r.day, r.status, r.absence_reason, r.assignment_id)
                for r in connection.execute(sa.select(_tables(connection)["attendance"]))
            }
        upgrade(config, "0013_one_story")
        with engine.begin() as connection:
            assert _counts(connection, KEPT) == before
            t = _tables(connection)
            periods = {r.assignment_id: r for r in connection.execute(sa.select(t["periods"]))}
            # the cycle's period as it was; the imported placements are periods now
            assert set(periods) == {
                ids["a_c1"],
                ids["a_c2"],
                ids["a_c3"],
                ids["a_c4_old"],
                ids["a_c4_new"],
            }
            c1 = periods[ids["a_c1"]]
            assert (c1.id, c1.imported, c1.end_date) == (ids["p_c1"], False, date(2027, 4, 30))
            c2 = periods[ids["a_c2"]]
            assert (c2.imported, c2.agreement_id, c2.start_date, c2.end_date, c2.ended_on) == (
                True,
                None,
                date(2026, 3, 2),
                date(2027, 2, 28),
                None,
            )
            assert json.loads(c2.weekdays) if isinstance(c2.weekdays, str) else c2.weekdays
            c3 = periods[ids["a_c3"]]
            assert (c3.imported, c3.ended_on, c3.end_reason) == (True, date(2026, 6, 30), "other")
            # every day is its assignment's period's, with its correction and certificate
            after = {
                r.id: (r.day, r.status, r.absence_reason, r.period_id)
                for r in connection.execute(sa.select(t["attendance"]))
            }
            assert set(after) == set(days_before)
            for day_id, (day, status, reason, assignment_id) in days_before.items():
                assert after[day_id] == (day, status, reason, periods[assignment_id].id)
            certificate = connection.execute(sa.select(t["attendance_certificates"])).one()
            assert certificate.attendance_id == ids["d_c1_sick"]
            # C4 keeps one live seat and one live period: the newest; the older ended before it
            live = connection.execute(
                sa.select(t["assignments"].c.id).where(
                    t["assignments"].c.client_id == "C4", t["assignments"].c.status == "active"
                )
            ).all()
            assert [r.id for r in live] == [ids["a_c4_new"]]
            old = periods[ids["a_c4_old"]]
            assert old.ended_on == date(2026, 9, 6) and periods[ids["a_c4_new"]].ended_on is None
            # the pending note and the decisions are as they were
            notes = connection.execute(
                sa.select(
                    t["proposals"].c.id, t["proposals"].c.status, t["proposals"].c.pending_note
                )
            ).all()
            assert sorted(notes) == sorted(
                [
                    (ids["accepted"], "accepted", None),
                    (ids["pending"], "proposed", "Soitan perjantaina."),
                ]
            )
            # the database now holds a client to one live period
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(
                    t["periods"]
                    .insert()
                    .values(
                        {
                            **{k: v for k, v in c2._mapping.items() if k != "id"},
                            "assignment_id": ids["a_c3"],
                        }
                    )
                )
        downgrade(config, "0012_scenario_error_code")
        with engine.begin() as connection:
            assert _counts(connection, KEPT) == before
            back = {
                r.id: (r.day, r.status, r.absence_reason, r.assignment_id)
                for r in connection.execute(sa.select(_tables(connection)["attendance"]))
            }
            assert back == days_before
    finally:
        engine.dispose()
