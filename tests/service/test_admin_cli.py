"""``python -m service.admin``: tokens are printed once, stored hashed, listed, revoked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from service.admin import main
from service.app import create_app
from service.auth import hash_token
from service.config import Settings
from service.db.tables import TokenRow


def test_token_life_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/admin.db"
    assert main(["--db", url, "create-token", "--role", "planner", "--name", "pia"]) == 0
    secret = capsys.readouterr().out.strip()
    assert len(secret) >= 40
    engine = create_engine(url)
    with Session(engine) as session:
        row = session.scalars(select(TokenRow)).one()
        assert row.token_hash == hash_token(secret) and secret not in row.token_hash
    # No token cache: the revocation below must show at once (how long a cached token
    # outlives its revocation is tested in test_read_costs.py).
    app = create_app(Settings(database_url=url, run_executor="thread", token_cache_s=0))
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/placements", headers=headers).status_code == 200
        assert main(["--db", url, "list-tokens"]) == 0
        listing = capsys.readouterr().out
        assert "planner\tpia\tactive" in listing and secret not in listing
        assert main(["--db", url, "revoke-token", "--id", str(row.id)]) == 0
        assert client.get("/placements", headers=headers).status_code == 401
    assert main(["--db", url, "revoke-token", "--id", "999"]) == 1
    engine.dispose()


def test_municipality_token_needs_organisation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/admin.db"
    with pytest.raises(SystemExit):
        main(["--db", url, "create-token", "--role", "municipality", "--name", "m"])
    assert (
        main(
            [
                "--db",
                url,
                "create-token",
                "--role",
                "municipality",
                "--name",
                "m",
                "--organisation",
                "O1",
            ]
        )
        == 0
    )


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {"PAIKKA_DATABASE_URL": "sqlite:///x.db", "PAIKKA_RUN_TIMEOUT_S": "5", "HOME": "/"}
    )
    assert settings.database_url == "sqlite:///x.db" and settings.run_timeout_s == 5
    with pytest.raises(ValueError):
        Settings.from_env({"PAIKKA_NO_SUCH_SETTING": "1"})


def test_the_attestation_requirement_is_off_unless_configured() -> None:
    key = "PAIKKA_NO_REPLACEMENT_ATTESTATION_MONTHS"
    assert Settings.from_env({}).no_replacement_attestation_months is None
    assert Settings.from_env({key: ""}).no_replacement_attestation_months is None
    assert Settings.from_env({key: "12"}).no_replacement_attestation_months == 12
    for bad in ("0", "61", "a year"):
        with pytest.raises(ValueError):
            Settings.from_env({key: bad})


@pytest.mark.slow  # loads and solves the 120-client sample county
def test_demo_loads_the_sample_county_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.__main__ import _load_demo

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/demo.db"))
    _load_demo(app.state.session_factory)
    assert "loaded the sample county" in capsys.readouterr().out
    with app.state.session_factory() as session:
        assert session.scalars(select(TokenRow)).first() is None  # no tokens are made up
    _load_demo(app.state.session_factory)
    assert "already has data" in capsys.readouterr().out
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
