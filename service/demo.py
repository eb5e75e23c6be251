"""Loading an ``AllocationProblem`` (the sample county) into the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from models import AllocationProblem
from service.crud.convert import client_attributes, placement_row
from service.crud.reference import upsert
from service.db.tables import AssignmentRow, ClientPersonalRow, ClientRow
from service.schemas.reference import ReferenceData

SAMPLE = Path(__file__).resolve().parent.parent / "matching" / "data" / "sample-county.json"


def sample_problem(n_clients: int = 300) -> AllocationProblem:
    """The sample county: the generator if present, else the committed JSON file."""
    try:
        from matching.sample import generate_county

        return generate_county(n_clients, seed=0)
    except ImportError:
        return AllocationProblem.model_validate_json(SAMPLE.read_text(encoding="utf-8"))


def load_problem(session: Session, problem: AllocationProblem) -> None:
    """Insert every record of ``problem`` (an empty database is assumed); no personal data."""
    upsert(
        session,
        ReferenceData.model_validate(
            {
                "commuting_areas": [a.model_dump(mode="json") for a in problem.commuting_areas],
                "municipalities": [m.model_dump(mode="json") for m in problem.municipalities],
                "organisations": [o.model_dump(mode="json") for o in problem.organisations],
                "coaches": [
                    {**c.model_dump(mode="json"), "municipalities": sorted(c.municipalities)}
                    for c in problem.coaches
                ],
            }
        ),
    )
    session.add_all(placement_row(p) for p in problem.placements)
    session.flush()
    for c in problem.clients:
        session.add(
            ClientRow(
                id=c.id,
                home_municipality=c.home_municipality,
                active=True,
                attributes=client_attributes(c),
            )
        )
    session.flush()
    session.add_all(ClientPersonalRow(client_id=c.id, shared_fields=[]) for c in problem.clients)
    session.flush()
    for a in problem.ongoing:
        session.add(
            AssignmentRow(client_id=a.client, placement_id=a.placement, start_date=a.start_date)
        )
    session.flush()
