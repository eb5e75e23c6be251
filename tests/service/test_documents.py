"""The document store (issue #22): the activity agreement as a PDF in Finnish and Swedish,
read back with ``pdftotext``; stored once per content, a changed agreement a new version
naming the one it replaces, a stored version never changed, every print audited."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
import zlib
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from service.db.documents import DocumentRow
from service.db.tables import AuditRow
from tests.service.svc_helpers import Seed, sessions_of
from tests.service.test_api_cooperation import MEETING, accept, agreement, confirm

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler-utils (pdftotext)")


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as ``pdftotext -layout`` reads it."""
    assert content.startswith(b"%PDF-")
    assert PDFTOTEXT is not None
    done = subprocess.run(
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return " ".join(done.stdout.decode("utf-8").split())


def pdf_objects(content: bytes) -> bytes:
    """The PDF's objects with its compressed streams (object streams included) inflated."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def drafted(client: TestClient, seed: Seed) -> int:
    """The seeded proposal accepted, confirmed and met, and its agreement drafted."""
    h = seed.h("coordinator")
    accept(client, seed)
    assert confirm(client, seed).status_code == 201
    meeting = client.post(
        "/start-meetings", json={**MEETING, "proposal_id": seed.proposal_id}, headers=h
    )
    assert meeting.status_code == 201, meeting.text
    made = client.post(
        "/agreements", json=agreement(seed, meeting_id=meeting.json()["id"]), headers=h
    )
    assert made.status_code == 201, made.text
    aid: int = made.json()["id"]
    return aid


def printed(client: TestClient, seed: Seed, aid: int, lang: str, who: str = "coordinator") -> Any:
    response = client.get(f"/agreements/{aid}/print.pdf?lang={lang}", headers=seed.h(who))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response


def test_the_agreement_prints_in_finnish_and_swedish(client: TestClient, seed: Seed) -> None:
    aid = drafted(client, seed)
    fi = pdf_text(printed(client, seed, aid, "fi").content)
    assert "Sopimus kuntouttavasta työtoiminnasta" in fi
    assert "LUONNOS" in fi
    assert "Kitchen help: dishes, salads, setting the tables." in fi
    assert "Sanna S" in fi
    sv_response = printed(client, seed, aid, "sv")
    sv = pdf_text(sv_response.content)
    assert "Avtal om arbetsverksamhet i rehabiliteringssyfte" in sv
    assert "UTKAST" in sv and "LUONNOS" not in sv
    objects = pdf_objects(sv_response.content)
    assert b"/Lang (sv)" in objects  # the PDF says its language
    assert b"/StructTreeRoot" in objects  # tagged


def test_stored_once_versioned_never_changed_every_print_audited(
    client: TestClient, app: FastAPI, seed: Seed
) -> None:
    aid = drafted(client, seed)
    first = printed(client, seed, aid, "fi")
    again = printed(client, seed, aid, "fi", who="muni1")
    assert again.content == first.content
    assert again.headers["X-Document-Id"] == first.headers["X-Document-Id"]
    assert first.headers["X-Content-SHA256"] == hashlib.sha256(first.content).hexdigest()
    agreed = client.post(
        f"/agreements/{aid}/agree", json={"agreed_on": "2026-01-02"}, headers=seed.h("coordinator")
    )
    assert agreed.status_code == 200, agreed.text
    final = printed(client, seed, aid, "fi")
    assert final.headers["X-Document-Version"] == "2"
    assert "LUONNOS" not in pdf_text(final.content)
    with sessions_of(app)() as session:
        rows = session.scalars(
            select(DocumentRow).where(DocumentRow.subject_id == str(aid)).order_by(DocumentRow.id)
        ).all()
        assert [(r.version, r.language) for r in rows] == [(1, "fi"), (2, "fi")]
        assert rows[1].replaces_id == rows[0].id and rows[0].replaces_id is None
        assert rows[0].client_id == "C1" and rows[0].sha256 == first.headers["X-Content-SHA256"]
        prints = session.scalars(
            select(AuditRow)
            .where(AuditRow.resource == "documents", AuditRow.action == "print")
            .order_by(AuditRow.id)
        ).all()
        assert [(p.actor, p.record_id, (p.detail or {}).get("stored")) for p in prints] == [
            ("coordinator", str(rows[0].id), True),
            ("muni1", str(rows[0].id), False),
            ("coordinator", str(rows[1].id), True),
        ]
        assert all((p.detail or {}).get("client_ids") == ["C1"] for p in prints)
        with pytest.raises(Exception, match="never changed"):
            session.execute(text(f"UPDATE documents SET content = content WHERE id = {rows[0].id}"))
        session.rollback()
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == 2

    listed = client.get(
        f"/documents?kind=agreement&subject_id={aid}", headers=seed.h("coordinator")
    )
    assert [d["version"] for d in listed.json()] == [1, 2]
    old = client.get(f"/documents/{listed.json()[0]['id']}", headers=seed.h("coordinator"))
    assert old.status_code == 200 and old.content == first.content
    assert client.get("/documents/999999", headers=seed.h("coordinator")).status_code == 404
    assert (
        client.get(f"/documents/{listed.json()[0]['id']}", headers=seed.h("planner")).status_code
        == 403
    )
    assert client.get(f"/agreements/{aid}/print.pdf", headers=seed.h("planner")).status_code == 403


def test_erasure_removes_the_clients_documents(
    client: TestClient, app: FastAPI, seed: Seed
) -> None:
    aid = drafted(client, seed)
    printed(client, seed, aid, "fi")
    printed(client, seed, aid, "sv")
    assert client.delete("/clients/C1", headers=seed.h("coordinator")).status_code == 204
    with sessions_of(app)() as session:
        left = session.scalar(
            select(func.count()).select_from(DocumentRow).where(DocumentRow.client_id == "C1")
        )
        assert left == 0
