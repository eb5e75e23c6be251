"""Clients: the coordinator's CRUD and import, and the role-dependent views of a client."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Client, TaskCategory
from models.identity_code import masked
from service.auth import Principal, Role
from service.crud.convert import client_attributes, client_record
from service.crud.cooperation import end_live_steps
from service.crud.integrity import Touched, refuse_if_breaking
from service.db.tables import (
    AssignmentRow,
    ClientPersonalRow,
    ClientRow,
    CoachRow,
    CommutingAreaRow,
    MunicipalityRow,
    PlacementRow,
    ProposalRow,
    RunRow,
    utcnow,
)
from service.errors import Conflict, InvalidInput, NotFound
from service.identity import KeyRing
from service.schemas.clients import (
    AgeBand,
    ClientCreate,
    ClientOut,
    ClientPseudonymous,
    ClientShared,
    ClientUpdate,
    ClientView,
    PersonalFields,
    SharedField,
)
from service.uploads import cell_list, cell_text, column_of, describe, read_table, validate_rows

PERSONAL = frozenset(PersonalFields.model_fields)
LIST_COLUMNS = frozenset(
    {
        "available_weekdays",
        "aptitudes",
        "interests",
        "work_constraints",
        "languages",
        "avoid_placements",
        "avoid_clients",
        "shared_fields",
    }
)
TASK_CATEGORIES = frozenset(c.value for c in TaskCategory)


def _domain(data: dict[str, Any]) -> Client:
    engine = {k: v for k, v in data.items() if k not in PERSONAL and k != "active"}
    return Client.model_validate(engine)


def _check_references(session: Session, client: Client) -> None:
    errors = []
    if session.get(MunicipalityRow, client.home_municipality) is None:
        errors.append(
            (
                "home_municipality",
                f"unknown municipality '{client.home_municipality}'",
                "municipality",
                client.home_municipality,
            )
        )
    if client.coach is not None and session.get(CoachRow, client.coach) is None:
        errors.append(("coach", f"unknown coach '{client.coach}'", "coach", client.coach))
    if (
        client.commuting_area is not None
        and session.get(CommutingAreaRow, client.commuting_area) is None
    ):
        errors.append(
            (
                "commuting_area",
                f"unknown commuting area '{client.commuting_area}'",
                "commuting_area",
                client.commuting_area,
            )
        )
    if errors:
        raise InvalidInput(
            "unknown reference",
            [{"loc": ["body", f], "field": f"body.{f}", "msg": m} for f, m, _, _ in errors],
            code=f"api.unknown.{errors[0][2]}",
            params={"value": errors[0][3]},
        )


def get(session: Session, client_id: str) -> ClientRow:
    """A client by id (404 if unknown)."""
    row = session.get(ClientRow, client_id)
    if row is None:
        raise NotFound(
            f"client '{client_id}' not found",
            code="api.not_found.client",
            params={"id": str(client_id)},
        )
    return row


def _new_rows(client: Client, personal: dict[str, Any]) -> tuple[ClientRow, ClientPersonalRow]:
    """The two rows of a new client; add the first and flush before the second (no ORM
    relationship orders them)."""
    row = ClientRow(
        id=client.id,
        home_municipality=client.home_municipality,
        active=True,
        attributes=client_attributes(client),
    )
    extra = ClientPersonalRow(
        client_id=client.id,
        display_name=personal.get("display_name"),
        phone=personal.get("phone"),
        email=personal.get("email"),
        shared_fields=sorted(str(f) for f in personal.get("shared_fields") or ()),
    )
    return row, extra


def _set_identity_code(
    personal: ClientPersonalRow, code: str | None, keyring: KeyRing | None
) -> None:
    """Seal ``code`` into the personal row (``None`` removes it); without a key ring the
    code is refused, never stored in clear."""
    if code is None:
        personal.identity_code_sealed = None
        personal.identity_code_key = None
        personal.identity_code_masked = None
        return
    if keyring is None:
        raise InvalidInput(
            "identity codes cannot be stored: no identity-code key is configured",
            [{"loc": ["body", "identity_code"], "field": "body.identity_code", "msg": "no key"}],
            code="api.identity.no_key",
        )
    personal.identity_code_sealed, personal.identity_code_key = keyring.seal(
        code, personal.client_id
    )
    personal.identity_code_masked = masked(code)


def reveal_identity_code(session: Session, client_id: str, keyring: KeyRing | None) -> str:
    """The client's identity code in clear (the caller checks the role and audits)."""
    get(session, client_id)
    personal = session.get(ClientPersonalRow, client_id)
    if personal is None or personal.identity_code_sealed is None:
        raise NotFound(
            f"no identity code stored for client '{client_id}'",
            code="api.identity.no_code",
            params={"id": str(client_id)},
        )
    if keyring is None or personal.identity_code_key is None:
        raise InvalidInput(
            "identity codes cannot be opened: no identity-code key is configured",
            code="api.identity.no_key",
        )
    return keyring.open(personal.identity_code_sealed, personal.identity_code_key, client_id)


def create(session: Session, body: ClientCreate, keyring: KeyRing | None = None) -> ClientRow:
    """Validate against the domain rules and insert the client (the caller commits)."""
    data = body.model_dump()
    data["id"] = data["id"] or f"C-{secrets.token_hex(6)}"
    client = _domain(data)
    _check_references(session, client)
    if session.get(ClientRow, client.id) is not None:
        raise Conflict(
            f"client '{client.id}' already exists",
            code="api.exists.client",
            params={"id": str(client.id)},
        )
    row, personal = _new_rows(client, data)
    _set_identity_code(personal, data.get("identity_code"), keyring)
    session.add(row)
    session.flush()
    session.add(personal)
    session.flush()
    refuse_if_breaking(session, Touched(clients={client.id}))
    return row


def update(
    session: Session, client_id: str, body: ClientUpdate, keyring: KeyRing | None = None
) -> ClientRow:
    """Apply a partial update to the engine record and the personal data."""
    row = get(session, client_id)
    changes = body.model_dump(exclude_unset=True)
    if "identity_code" in changes:
        _set_identity_code(_personal(session, client_id), changes.pop("identity_code"), keyring)
    engine_changes = {k: v for k, v in changes.items() if k not in PERSONAL and k != "active"}
    if engine_changes:
        client = _domain({**client_record(row), **engine_changes})
        _check_references(session, client)
        row.home_municipality = client.home_municipality
        row.attributes = client_attributes(client)
    if "active" in changes and changes["active"] is not None:
        if row.active and not changes["active"]:
            end_live_steps(session, client_id, date.today(), "-")
        row.active = changes["active"]
    personal = _personal(session, client_id)
    for name in PERSONAL & changes.keys():
        value = changes[name]
        if name == "shared_fields":
            value = sorted(str(f) for f in value or ())
        setattr(personal, name, value)
    row.updated_at = utcnow()
    session.flush()
    refuse_if_breaking(session, Touched(clients={client_id}))
    return row


def deactivate(session: Session, client_id: str) -> None:
    """'Delete': the client leaves the service; identifying data is erased, while the
    pseudonymous record stays for the runs and decisions that refer to it."""
    row = get(session, client_id)
    end_live_steps(session, client_id, date.today(), "-")
    row.active = False
    personal = _personal(session, client_id)
    personal.display_name = personal.phone = personal.email = None
    personal.shared_fields = []
    _set_identity_code(personal, None, None)
    row.updated_at = utcnow()
    session.flush()


def _personal(session: Session, client_id: str) -> ClientPersonalRow:
    personal = session.get(ClientPersonalRow, client_id)
    if personal is None:
        personal = ClientPersonalRow(client_id=client_id, shared_fields=[])
        session.add(personal)
    return personal


def list_rows(
    session: Session, user: Principal, *, include_inactive: bool
) -> tuple[Sequence[ClientRow], dict[str, list[str]]]:
    """Clients the caller may see, with (for municipality users) their placements there."""
    query = select(ClientRow).order_by(ClientRow.id)
    if not include_inactive:
        query = query.where(ClientRow.active.is_(True))
    if user.role is not Role.MUNICIPALITY:
        return session.scalars(query).all(), {}
    where = placements_at_organisation(session, user.organisation or "")
    rows = session.scalars(query.where(ClientRow.id.in_(list(where)))).all()
    return rows, where


def placements_at_organisation(
    session: Session, organisation: str, client_id: str | None = None
) -> dict[str, list[str]]:
    """Client id → the organisation's placements the coordinator has accepted the client
    for (active assignments; accepted proposals, and overrides to one of its placements, of
    runs not superseded). A proposal still waiting for the coordinator's decision is not
    shown to the site: the client's sharing consent covers the site of their placement, not
    every site the engine considered."""
    own = select(PlacementRow.id).where(PlacementRow.organisation_id == organisation)
    assigned = select(AssignmentRow.client_id, AssignmentRow.placement_id).where(
        AssignmentRow.status == "active", AssignmentRow.placement_id.in_(own)
    )
    accepted = (
        select(ProposalRow.client_id, ProposalRow.placement_id)
        .join(RunRow, RunRow.id == ProposalRow.run_id)
        .where(
            RunRow.superseded.is_(False),
            ProposalRow.status == "accepted",
            ProposalRow.placement_id.in_(own),
        )
    )
    chosen = (
        select(ProposalRow.client_id, ProposalRow.decided_placement_id)
        .join(RunRow, RunRow.id == ProposalRow.run_id)
        .where(
            RunRow.superseded.is_(False),
            ProposalRow.status == "overridden",
            ProposalRow.decided_placement_id.in_(own),
        )
    )
    if client_id is not None:
        assigned = assigned.where(AssignmentRow.client_id == client_id)
        accepted = accepted.where(ProposalRow.client_id == client_id)
        chosen = chosen.where(ProposalRow.client_id == client_id)
    found: dict[str, set[str]] = {}
    rows = [*session.execute(assigned), *session.execute(accepted), *session.execute(chosen)]
    for cid, pid in rows:
        found.setdefault(cid, set()).add(pid)
    return {cid: sorted(pids) for cid, pids in found.items()}


def age_band(record: dict[str, Any], today: date) -> AgeBand:
    """Under 25, 25–28 or 29 and over (domain.md § 7.1: bands only for planners)."""
    if record.get("birth_date"):
        born = date.fromisoformat(str(record["birth_date"]))
        years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    else:
        years = int(record.get("age") or 0)
    if years < 25:
        return "under_25"
    return "25_28" if years < 29 else "29_plus"


def view(
    session: Session, user: Principal, row: ClientRow, placements: list[str] | None = None
) -> ClientView:
    """The client as the caller's role may see it."""
    record = client_record(row)
    if user.role is Role.COORDINATOR:
        personal = session.get(ClientPersonalRow, row.id)
        extra = {
            "display_name": personal.display_name if personal else None,
            "phone": personal.phone if personal else None,
            "email": personal.email if personal else None,
            "shared_fields": personal.shared_fields if personal else [],
            "identity_code": personal.identity_code_masked if personal else None,
        }
        return ClientOut.model_validate({**record, **extra, "active": row.active})
    if user.role is Role.PLANNER:
        area = record.get("commuting_area")
        if area is None:
            municipality = session.get(MunicipalityRow, row.home_municipality)
            area = municipality.commuting_area_id if municipality else None
        return ClientPseudonymous.model_validate(
            {
                **record,
                "active": row.active,
                "age_band": age_band(record, date.today()),
                "commuting_area": area,
            }
        )
    return _shared(session, record, placements or [])


def _shared(session: Session, record: dict[str, Any], placements: list[str]) -> ClientShared:
    personal = session.get(ClientPersonalRow, record["id"])
    agreed = set(personal.shared_fields) if personal else set()
    out: dict[str, Any] = {"id": record["id"], "placements": placements}
    if personal is not None:
        for name in ("display_name", "phone", "email"):
            if name in agreed:
                out[name] = getattr(personal, name)
    if SharedField.SCHEDULE in agreed:
        for name in ("days_per_week", "hours_per_day", "available_weekdays"):
            out[name] = record[name]
    for name in ("languages", "aptitudes", "work_constraints"):
        if name in agreed:
            out[name] = record[name]
    return ClientShared.model_validate(out)


def get_for(session: Session, user: Principal, client_id: str) -> ClientView:
    """One client as the caller may see it; 404 for a municipality user unless the client is
    placed or proposed at the user's organisation."""
    row = get(session, client_id)
    placements = None
    if user.role is Role.MUNICIPALITY:
        placements = placements_at_organisation(session, user.organisation or "", client_id).get(
            client_id
        )
        if not placements:
            raise NotFound(
                f"client '{client_id}' not found",
                code="api.not_found.client",
                params={"id": str(client_id)},
            )
    return view(session, user, row, placements)


def _row_to_record(cells: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, value in cells.items():
        if column in ("lat", "lon", "preferences"):
            continue
        parsed = cell_list(value) if column in LIST_COLUMNS else cell_text(value)
        if parsed is not None:
            record[column] = parsed
    lat, lon = cell_text(cells.get("lat")), cell_text(cells.get("lon"))
    if lat is not None or lon is not None:
        record["location"] = {"lat": lat, "lon": lon}
    wishes = cell_list(cells.get("preferences")) or []
    record["preferences"] = [
        {"task_category": w} if w in TASK_CATEGORIES else {"placement": w} for w in wishes
    ]
    return record


def import_file(
    session: Session, filename: str, content: bytes, keyring: KeyRing | None = None
) -> list[ClientRow]:
    """Import a CSV/XLSX of clients (``id`` column required); any error imports nothing."""
    rows = read_table(filename, content)
    municipalities = set(session.scalars(select(MunicipalityRow.code)))
    coaches = set(session.scalars(select(CoachRow.id)))

    def exists(key: str) -> bool:
        return session.get(ClientRow, key) is not None

    def checks(number: int, record: Any) -> list[tuple[str, str]]:
        assert isinstance(record, ClientCreate)
        found: list[tuple[str, str]] = []
        if record.id is None:
            return [("id", "is required in an import")]
        try:
            _domain(record.model_dump())
        except ValidationError as exc:
            found.extend((column_of(tuple(e["loc"])), describe(e)) for e in exc.errors())
        if record.home_municipality not in municipalities:
            found.append(
                ("home_municipality", f"unknown municipality '{record.home_municipality}'")
            )
        if record.coach is not None and record.coach not in coaches:
            found.append(("coach", f"unknown coach '{record.coach}'"))
        return found

    records = validate_rows(rows, _row_to_record, ClientCreate, column_of, checks, exists)
    pairs = []
    for _number, record in records:
        assert isinstance(record, ClientCreate)
        data = record.model_dump()
        row, personal = _new_rows(_domain(data), data)
        _set_identity_code(personal, data.get("identity_code"), keyring)
        pairs.append((row, personal))
    session.add_all(row for row, _ in pairs)
    session.flush()
    session.add_all(personal for _, personal in pairs)
    session.flush()
    refuse_if_breaking(session, Touched(clients={row.id for row, _ in pairs}))
    return [row for row, _ in pairs]
