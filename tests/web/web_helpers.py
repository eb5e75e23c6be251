"""Helpers of the web tests: the seeded county with people, a live server for the browser,
and the axe-core check.

The county is the service tests' tiny one (``svc_helpers.county``) plus what a person sees:
users of each role, more proposals of the week (C1 → P1, C3 → P3, C4 → P3), an explanation
with alternatives, placement P1's site address and contact person (synthetic), and placement P2
with a noise demand that client C1 must avoid (so an override of C1 to P2 breaks a rule).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.accounts import create_user
from service.auth import Role
from service.db.tables import PlacementRow, ProposalRow, RunRow
from tests.service.svc_helpers import Seed, reset

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
PASSWORD = "kokeilusalasana-1"
CHROMIUM = "/usr/bin/chromium"


@dataclass
class WebSeed:
    """The seeded ids and the admin's TOTP secret."""

    base: Seed
    proposals: dict[str, int]
    admin_totp: str


def seed_web(factory: sessionmaker[Session]) -> WebSeed:
    """Reset the database to the tiny county with users and the week's proposals."""
    base = reset(factory)
    with factory() as session:
        p2 = session.get(PlacementRow, "P2")
        assert p2 is not None
        p2.attributes = {**p2.attributes, "demands": ["noise"]}
        p1 = session.get(PlacementRow, "P1")
        assert p1 is not None
        p1.street_address, p1.postal_code, p1.post_office = "Keittiökuja 3", "90100", "Oulu"
        p1.contact_person = "Heikki Nieminen, työvalmentaja"
        p1.contact_phone, p1.contact_email = "+358 000 100 200", "keittio@oulu.example"
        run = session.get(RunRow, base.run_id)
        assert run is not None
        first = session.get(ProposalRow, base.proposal_id)
        assert first is not None
        first.explanation = {
            "client": "C1",
            "status": "assigned",
            "admissible_placements": 2,
            "tight": [
                {
                    "code": "seats_full",
                    "message": {
                        "code": "tight.seats_full",
                        "params": {"placement": "P1", "seats": 2, "used": 2},
                    },
                }
            ],
            "alternatives": [
                {
                    "placement": "P3",
                    "score": 420,
                    "travel_minutes": 38,
                    "preference_rank": None,
                    "blockers": [{"rule": "seats", "owner": "P3", "capacity": 2, "used": 2}],
                }
            ],
        }
        more = {}
        for client, placement, muni in (("C3", "P3", "139"), ("C4", "P3", "139")):
            row = ProposalRow(
                run_id=run.id,
                client_id=client,
                placement_id=placement,
                municipality_code=muni,
                score=450,
                breakdown={"preference": 200, "travel": 150, "waiting": 100},
                travel_minutes=9,
                status="proposed",
            )
            session.add(row)
            session.flush()
            more[client] = row.id
        create_user(
            session,
            username="kaisa",
            full_name="Kaisa Koordinaattori",
            role=Role.COORDINATOR,
            password=PASSWORD,
            caseload=["C1", "C2", "C3", "C4"],
        )
        create_user(
            session,
            username="kalle",
            full_name="Kalle Kunta",
            role=Role.MUNICIPALITY,
            password=PASSWORD,
            organisations=["O1"],
        )
        create_user(
            session,
            username="sirpa",
            full_name="Sirpa Suunnittelija",
            role=Role.PLANNER,
            password=PASSWORD,
        )
        admin = create_user(
            session,
            username="pasi",
            full_name="Pasi Pääkäyttäjä",
            role=Role.ADMIN,
            password=PASSWORD,
        )
        assert admin.totp_secret is not None
        secret = admin.totp_secret
        session.commit()
        proposals = {"C1": base.proposal_id, **more}
        assert session.scalar(select(ProposalRow.id).where(ProposalRow.client_id == "C3"))
    return WebSeed(base, proposals, secret)


def totp_now(secret: str) -> str:
    """The admin's current code."""
    return pyotp.TOTP(secret).now()


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2.1 A/AA violations axe-core finds on the page (empty when it passes)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations']
        })"""
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page: Any, name: str) -> None:
    """No axe violation on the page; a screenshot under ``screenshots/`` either way."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    found = axe_violations(page)
    assert found == [], f"{name}: {found}"
