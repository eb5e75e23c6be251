"""The county's regime versions: the stored ones over the versions Paikka ships.

* ``history(session)`` – every version, shipped ones replaced by stored rows of the same id;
* ``regime_on(session, day, base)`` – the rules of the version in force on ``day`` (the
  planning date of a run, the day of attendance and money, the start of an agreement), with
  the operator's settings of ``base`` (the no-replacement attestation) kept;
* ``named(session, version_id)`` – any version by id, for a scenario;
* ``save(session, user, version)`` – add or review a version (admins), audited. Adopting a
  version with its first day ends the open-ended version before it the day before, so that
  the county enters a reform in one step; a history whose dated versions overlap is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.regime import (
    SHIPPED_HISTORY,
    LegalRegime,
    RegimeHistory,
    RegimeVersion,
    VersionStatus,
)
from service import audit
from service.audit import Action
from service.auth import Principal
from service.db.regimes import RegimeVersionRow
from service.db.tables import utcnow
from service.errors import InvalidInput, NotFound


def _domain(row: RegimeVersionRow) -> RegimeVersion:
    return RegimeVersion.model_validate(
        {
            "id": row.id,
            "title": row.title,
            "status": row.status,
            "valid_from": row.valid_from,
            "valid_until": row.valid_until,
            "sources": row.sources,
            "regime": row.regime,
            "note": row.note,
        }
    )


def stored(session: Session) -> dict[str, RegimeVersionRow]:
    """The stored version rows by id."""
    return {row.id: row for row in session.scalars(select(RegimeVersionRow))}


def history(session: Session) -> RegimeHistory:
    """The county's versions: each shipped version, unless a stored row replaces it, and
    every other stored version, ordered by first day (undated ones last)."""
    rows = stored(session)
    versions = {v.id: v for v in SHIPPED_HISTORY.versions}
    versions.update({vid: _domain(row) for vid, row in rows.items()})
    ordered = sorted(versions.values(), key=lambda v: (v.valid_from is None, v.valid_from, v.id))
    return RegimeHistory(versions=tuple(ordered))


def with_operator_settings(regime: LegalRegime, base: LegalRegime | None) -> LegalRegime:
    """``regime`` with the operator's own settings of ``base`` (the attestation rule, set by
    ``PAIKKA_NO_REPLACEMENT_ATTESTATION_MONTHS``) where the version does not set them."""
    if base is None or regime.no_replacement_attestation_months is not None:
        return regime
    return regime.model_copy(
        update={"no_replacement_attestation_months": base.no_replacement_attestation_months}
    )


def version_on(session: Session, day: date) -> RegimeVersion:
    """The version in force on ``day``."""
    return history(session).in_force_on(day)


def regime_on(session: Session, day: date, base: LegalRegime | None = None) -> LegalRegime:
    """The rules of the version in force on ``day`` (with the operator's settings)."""
    return with_operator_settings(version_on(session, day).regime, base)


def named(session: Session, version_id: str, base: LegalRegime | None = None) -> LegalRegime:
    """The rules of any version by id (a scenario may name a proposed one); 404 if unknown."""
    try:
        return with_operator_settings(history(session).named(version_id).regime, base)
    except KeyError:
        raise NotFound(
            f"regime version '{version_id}' not found",
            code="api.not_found.regime_version",
            params={"id": version_id},
        ) from None


def _closing_predecessor(versions: list[RegimeVersion], new: RegimeVersion) -> list[RegimeVersion]:
    """The versions with ``new`` in, and the open-ended dated version that starts before it
    ended the day before ``new`` starts (when ``new`` is dated and not proposed)."""
    out = [v for v in versions if v.id != new.id]
    if new.status is not VersionStatus.PROPOSED and new.valid_from is not None:
        start = new.valid_from
        out = [
            v.model_copy(update={"valid_until": start - timedelta(days=1)})
            if v.status is not VersionStatus.PROPOSED
            and v.valid_from is not None
            and v.valid_from < start
            and (v.valid_until is None or v.valid_until >= start)
            else v
            for v in out
        ]
    return [*out, new]


def save(session: Session, user: Principal, version: RegimeVersion) -> RegimeHistory:
    """Add a version or review one (same id): validate the whole history, store the changed
    versions with who reviewed them, and audit each change. 422 naming the problem when the
    dated versions would overlap."""
    current = list(history(session).versions)
    try:
        updated = RegimeHistory(versions=tuple(_closing_predecessor(current, version)))
    except ValidationError as error:
        message = "; ".join(str(e["msg"]) for e in error.errors())
        raise InvalidInput(
            message,
            [{"loc": ["body", "valid_from"], "field": "body.valid_from", "msg": message}],
            code="api.regime_overlap",
            params={"id": version.id},
        ) from None
    before = {v.id: v for v in current}
    rows = stored(session)
    for v in updated.versions:
        if v.id != version.id and before.get(v.id) == v:
            continue  # untouched
        row = rows.get(v.id)
        action = Action.UPDATE if v.id in before else Action.CREATE
        if row is None:
            row = RegimeVersionRow(id=v.id, created_by=user.name)
            session.add(row)
        row.title = v.title
        row.status = v.status.value
        row.valid_from = v.valid_from
        row.valid_until = v.valid_until
        row.sources = list(v.sources)
        row.regime = v.regime.model_dump(mode="json")
        row.note = v.note
        row.reviewed_by = user.name
        row.reviewed_at = utcnow()
        audit.record(
            session,
            user,
            action,
            "regime_version",
            "regime_review",
            record_id=v.id,
            status=v.status.value,
            valid_from=v.valid_from.isoformat() if v.valid_from else None,
            valid_until=v.valid_until.isoformat() if v.valid_until else None,
        )
    session.flush()
    return updated
