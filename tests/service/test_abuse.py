"""Abuse and bad input: bodies over their limit are refused (413) while they stream; an XLSX
whose dimension claims the whole sheet, a CSV with a thousand columns or thousands of bad
rows are refused at once with a capped error list; and under an address-space limit no such
input takes the server down or over its bound."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service import uploads
from tests.service.svc_helpers import Seed

HEADER = "id,age,home_municipality,lat,lon,days_per_week,hours_per_day,waiting_since"
ROOT = Path(__file__).resolve().parents[2]


def whole_sheet_xlsx() -> bytes:
    """A tiny XLSX (about 1.4 KB) whose sheet dimension claims A1:XFD1048576."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "age"])
    book.active.append(["C1", 40])
    raw = io.BytesIO()
    book.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(item, data)
    return out.getvalue()


def test_a_body_over_the_limit_is_refused_while_streaming(client: TestClient, seed: Seed) -> None:
    """No Content-Length (chunked): the limit is enforced on the bytes as they arrive."""
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n\r\n'
        yield head
        while sent < 20 * limit:
            sent += 65_536
            yield b"x" * 65_536

    response = client.post(
        "/clients/import",
        content=chunks(),
        headers={**seed.h("coordinator"), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413

    declared = client.post(
        "/clients",
        content=b"{" + b" " * 30_000_000 + b"}",
        headers={**seed.h("coordinator"), "Content-Type": "application/json"},
    )
    assert declared.status_code == 413


def test_an_xlsx_claiming_the_whole_sheet_is_refused_at_once(
    client: TestClient, seed: Seed
) -> None:
    content = whole_sheet_xlsx()
    assert len(content) < 6_000
    started = time.monotonic()
    response = client.post(
        "/clients/import",
        files={"file": ("c.xlsx", content, "application/octet-stream")},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 422, response.text
    assert "columns" in response.json()["detail"]
    assert time.monotonic() - started < 5


def test_a_thousand_columns_or_rows_of_errors_give_a_capped_list(
    client: TestClient, seed: Seed
) -> None:
    wide = ",".join(f"unknown{i}" for i in range(1000))
    response = client.post(
        "/clients/import",
        files={"file": ("c.csv", f"{wide}\n" + ("1," * 999 + "1\n") * 50, "text/csv")},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 422
    assert "columns" in response.json()["detail"]
    bad = "\n".join(f"C{i},-5,564,65.0,25.4,9,99,2025-01-01" for i in range(3000))
    response = client.post(
        "/clients/import",
        files={"file": ("c.csv", f"{HEADER}\n{bad}\n", "text/csv")},
        headers=seed.h("coordinator"),
    )
    assert response.status_code == 422
    body = response.json()
    assert len(body["errors"]) == uploads.MAX_ERRORS
    assert body["more_errors"] > 0
    assert body["more_errors"] + len(body["errors"]) == int(body["detail"].split()[0])


MEMORY_BOUND = "3G"
"""Address space the server gets in the prlimit test: it must answer every input within it."""


def _peak_rss_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM, kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow  # a server process of its own under prlimit: ~10 s of CPU
def test_no_input_takes_the_server_over_its_memory_bound(tmp_path: Path) -> None:
    """The server runs under ``prlimit --as=3G``: the XLSX claiming the whole sheet (which
    grew the old reader to 2.7 GB), a wide CSV and bodies over the limit all get a 4xx, and
    the server still answers afterwards."""
    if not Path("/usr/bin/prlimit").exists():
        pytest.fail("prlimit (util-linux) is required")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    from service.auth import Role, issue_token
    from service.db.session import make_engine, make_session_factory, upgrade

    upgrade(url)
    with make_session_factory(make_engine(url))() as session:
        token = issue_token(session, Role.COORDINATOR, "c", None)
        session.commit()
    port = _free_port()
    env = {
        **os.environ,
        "PAIKKA_DATABASE_URL": url,
        "PAIKKA_EMBEDDED_WORKER": "off",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [
            "prlimit",
            f"--as={3 * 1024**3}",
            sys.executable,
            "-m",
            "uvicorn",
            "service.app:create_app",
            "--factory",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    h = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        wide = ",".join(f"u{i}" for i in range(5000))
        inputs = [
            ("c.xlsx", whole_sheet_xlsx()),
            ("c.csv", (wide + "\n" + "1," * 4999 + "1\n").encode() * 100),
        ]
        for name, content in inputs:
            response = httpx.post(
                f"{base}/clients/import", files={"file": (name, content)}, headers=h, timeout=60
            )
            assert 400 <= response.status_code < 500, (name, response.status_code)
        # The XLSX bombs, eight at once: all refused, the server's peak memory (VmHWM)
        # grows by less than 100 MB over its peak after a first, ordinary import.
        from concurrent.futures import ThreadPoolExecutor

        from tests.service import xlsx_bombs

        ordinary = xlsx_bombs.ordinary(tmp_path / "ok.xlsx", rows=50).read_bytes()
        warm = httpx.post(
            f"{base}/clients/import",
            files={"file": ("c.xlsx", ordinary)},
            headers=h,
            timeout=60,
        )
        assert warm.status_code < 500, warm.text
        bombs = [
            xlsx_bombs.huge_cell(tmp_path / "a.xlsx").read_bytes(),
            xlsx_bombs.huge_cell(tmp_path / "b.xlsx", megabytes=40, inline=True).read_bytes(),
            xlsx_bombs.many_shared_strings(tmp_path / "c.xlsx").read_bytes(),
            xlsx_bombs.many_shared_strings(tmp_path / "d.xlsx", 1_000_000).read_bytes(),
        ] * 2
        before = _peak_rss_kb(server.pid)

        def post(content: bytes) -> httpx.Response:
            return httpx.post(
                f"{base}/clients/import",
                files={"file": ("c.xlsx", content)},
                headers=h,
                timeout=120,
            )

        with ThreadPoolExecutor(len(bombs)) as pool:
            answers = list(pool.map(post, bombs))
        assert [a.status_code for a in answers] == [422] * len(bombs)
        assert all(len(a.content) < 2_000 for a in answers)
        grown = _peak_rss_kb(server.pid) - before
        assert grown < 100_000, f"peak memory grew by {grown / 1000:.0f} MB"
        big = httpx.post(
            f"{base}/clients",
            content=b"[" + b"1," * 20_000_000 + b"1]",
            headers={**h, "Content-Type": "application/json"},
            timeout=60,
        )
        assert big.status_code == 413
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(20)
