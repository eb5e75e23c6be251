"""Loading an ``AllocationProblem`` (the sample county) into the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from models import AllocationProblem
from service.accounts import create_user, totp_uri
from service.auth import Role
from service.crud.convert import client_attributes, placement_row
from service.crud.periods import import_ongoing
from service.crud.reference import upsert
from service.db.tables import ClientPersonalRow, ClientRow
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
                # The service keeps no employment areas yet (matching.geography reads them).
                "municipalities": [
                    m.model_dump(mode="json", exclude={"employment_area"})
                    for m in problem.municipalities
                ],
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
    for a in problem.ongoing:  # placements running before Paikka: imported periods
        import_ongoing(session, a.client, a.placement, a.start_date, a.end_date, "demo")
    session.flush()


FIRST_NAMES = (
    "Aino",
    "Eino",
    "Helmi",
    "Väinö",
    "Kerttu",
    "Onni",
    "Siiri",
    "Toivo",
    "Lempi",
    "Veikko",
    "Aada",
    "Jussi",
    "Tuula",
    "Pekka",
    "Sanna",
    "Mikko",
    "Riikka",
    "Jari",
    "Minna",
    "Timo",
    "Anni",
    "Janne",
    "Elsa",
    "Ville",
    "Saara",
    "Lauri",
    "Iida",
    "Ari",
    "Noora",
    "Kalle",
)
LAST_NAMES = (
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
)


def demo_names(session: Session, problem: AllocationProblem, seed: int = 0) -> None:
    """Synthetic display names for the sample clients (seeded; no real person's data), and
    consent to share the name and schedule with the placement for every other client."""
    import random

    rng = random.Random(seed)
    for i, client in enumerate(problem.clients):
        row = session.get(ClientPersonalRow, client.id)
        if row is None:
            continue
        row.display_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        row.phone = f"+358 40 {rng.randrange(1000000, 9999999)}"
        row.shared_fields = ["display_name", "schedule"] if i % 2 == 0 else []
    session.flush()


def demo_users(
    session: Session, problem: AllocationProblem
) -> list[tuple[str, str, str, str | None]]:
    """One demo user per role with a password made now (demo only; printed at start-up):
    (username, role, password, TOTP provisioning URI of the admin)."""
    import secrets
    from collections import Counter

    by_muni = Counter(p.municipality for p in problem.placements)
    home = by_muni.most_common(1)[0][0]
    orgs = sorted({p.organisation for p in problem.placements if p.municipality == home})
    org_muni = {o.id: o.municipality for o in problem.organisations}
    units = [o for o in orgs if org_muni.get(o) == org_muni.get(orgs[0])]
    caseload = [c.id for c in problem.clients if c.home_municipality == home][:120] or [
        c.id for c in problem.clients[:100]
    ]
    wanted = [
        ("koordinaattori", "Kaisa Koordinaattori", Role.COORDINATOR, [], caseload),
        ("kunta", "Kalle Kuntalainen", Role.MUNICIPALITY, units, []),
        ("suunnittelija", "Sirpa Suunnittelija", Role.PLANNER, [], []),
        ("paakayttaja", "Pasi Pääkäyttäjä", Role.ADMIN, [], []),
    ]
    # The coach of the most clients of the caseload: the coach's page then has people on it.
    coached = Counter(c.coach for c in problem.clients if c.coach and c.id in set(caseload))
    if coached:
        coach = coached.most_common(1)[0][0]
        wanted.append(("valmentaja", "Veera Valmentaja", Role.COACH, [coach], []))
    out = []
    for username, name, role, organisations, clients in wanted:
        password = secrets.token_urlsafe(9)
        user = create_user(
            session,
            username=username,
            full_name=name,
            role=role,
            password=password,
            organisations=organisations,
            caseload=clients,
        )
        out.append((username, role.value, password, totp_uri(user)))
    return out
