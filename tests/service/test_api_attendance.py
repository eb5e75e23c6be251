"""Attendance: who records it, Kela's absence categories, and who sees the reasons."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.svc_helpers import Seed


def url(seed: Seed) -> str:
    return f"/assignments/{seed.assignment_id}/attendance"


def test_record_and_list_with_reasons_for_coordinators_only(client: TestClient, seed: Seed) -> None:
    days = [
        {"day": "2026-01-05", "status": "present"},
        {"day": "2026-01-07", "status": "absent", "absence_reason": "child_illness"},
        {"day": "2026-01-06", "status": "service_not_arranged"},  # Epiphany
    ]
    for day in days:
        response = client.post(url(seed), json=day, headers=seed.h("muni1"))
        assert response.status_code == 201, response.text
        assert response.json()["absence_reason"] is None  # write-only for the site
    coordinator = client.get(url(seed), headers=seed.h("coordinator")).json()
    assert [d["absence_reason"] for d in coordinator] == [None, None, "child_illness"]
    site = client.get(url(seed), headers=seed.h("muni1")).json()
    assert [d["status"] for d in site] == ["present", "service_not_arranged", "absent"]
    assert all(d["absence_reason"] is None for d in site)
    assert client.get(url(seed), headers=seed.h("muni2")).status_code == 404


def test_every_kela_category_is_accepted(client: TestClient, seed: Seed) -> None:
    reasons = ["own_illness", "child_illness", "job_interview", "position_of_trust", "other"]
    # C2's imported period: Mon–Thu, 3 days a week; one absence a week, on Mondays
    for i, reason in enumerate(reasons):
        day = {"day": f"2026-02-{2 + 7 * i:02d}", "status": "absent", "absence_reason": reason}
        if i == 4:
            day["day"] = "2026-03-02"
        response = client.post(url(seed), json=day, headers=seed.h("coordinator"))
        assert response.status_code == 201, response.text


def test_an_imported_period_keeps_the_same_rules_as_every_period(
    client: TestClient, seed: Seed
) -> None:
    """C2's placement ran before Paikka: its days are its imported period's, checked by the
    period's rules (Independence Day only as not arranged; no future day; not on a Friday
    the schedule does not arrange; no fourth day in a week of three)."""
    h = seed.h("coordinator")
    refused = {
        "2025-12-06": "present",  # Independence Day (a Saturday, too)
        "2026-01-06": "present",  # Epiphany, a Tuesday
        "2099-01-05": "present",  # the future
        "2026-01-09": "present",  # a Friday
    }
    for day, status in refused.items():
        response = client.post(url(seed), json={"day": day, "status": status}, headers=h)
        assert response.status_code == 422, (day, response.text)
    for day in ("2026-01-12", "2026-01-13", "2026-01-14"):
        ok = client.post(url(seed), json={"day": day, "status": "present"}, headers=h)
        assert ok.status_code == 201 and ok.json()["period_id"] > 0
    fourth = client.post(url(seed), json={"day": "2026-01-15", "status": "present"}, headers=h)
    assert fourth.status_code == 422
    periods = client.get("/periods?client=C2", headers=h).json()
    assert [(p["imported"], p["agreement_id"]) for p in periods] == [(True, None)]


def test_bad_days_are_refused(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    no_reason = client.post(url(seed), json={"day": "2026-01-05", "status": "absent"}, headers=h)
    assert no_reason.status_code == 422
    reason_when_present = {"day": "2026-01-05", "status": "present", "absence_reason": "other"}
    assert client.post(url(seed), json=reason_when_present, headers=h).status_code == 422
    unknown = {"day": "2026-01-05", "status": "absent", "absence_reason": "court_witness"}
    bad = client.post(url(seed), json=unknown, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.absence_reason"
    before_start = client.post(
        url(seed), json={"day": "2020-01-01", "status": "present"}, headers=h
    )
    assert before_start.status_code == 422
    ok = {"day": "2026-01-05", "status": "present"}
    assert client.post(url(seed), json=ok, headers=h).status_code == 201
    assert client.post(url(seed), json=ok, headers=h).status_code == 409
    assert client.post("/assignments/999999/attendance", json=ok, headers=h).status_code == 404


def test_idempotent_attendance(client: TestClient, seed: Seed) -> None:
    h = seed.h("muni1", **{"Idempotency-Key": "day-1"})
    day = {"day": "2026-01-05", "status": "present"}
    first = client.post(url(seed), json=day, headers=h)
    again = client.post(url(seed), json=day, headers=h)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len(client.get(url(seed), headers=h).json()) == 1


def test_ending_an_assignment(client: TestClient, seed: Seed) -> None:
    h = seed.h("coordinator")
    end = f"/assignments/{seed.assignment_id}/end"
    assert client.post(end, json={"end_date": "2020-01-01"}, headers=h).status_code == 422
    # the imported period runs on it: the period is ended, with its reason and onward path
    running = client.post(end, json={"end_date": "2026-01-31"}, headers=h)
    assert running.status_code == 409 and "Päätä jakso" in running.json()["message"]
    period = client.get("/periods?client=C2", headers=h).json()[0]
    ended = client.post(
        f"/periods/{period['id']}/end",
        json={"end_date": "2026-01-31", "reason": "agreed_end", "onward_path": "job"},
        headers=h,
    )
    assert ended.status_code == 200, ended.text
    assert client.get(f"/assignments/{seed.assignment_id}", headers=h).json()["status"] == "ended"
    done = client.post(end, json={"end_date": "2026-01-31"}, headers=h)
    assert done.status_code == 409
    late = client.post(url(seed), json={"day": "2026-02-02", "status": "present"}, headers=h)
    assert late.status_code == 422
