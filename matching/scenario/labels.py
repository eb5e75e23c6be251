"""Names of groups as people know them: departments with their organisation, municipalities
by name, and lookups from a planner's words (names or codes) to codes."""

from __future__ import annotations

from matching.explain.messages import word
from matching.scenario.definition import BASE_NAME
from matching.scenario.figures import ScenarioMetrics
from models import AllocationProblem
from models.placement import Placement


def department_label(problem: AllocationProblem, placement: Placement) -> str:
    """A department named with its organisation: unit names such as 'Keskuskeittiö' repeat
    from one municipality to the next."""
    names = {o.id: o.name for o in problem.organisations}
    return f"{names.get(placement.organisation, placement.organisation)}: {placement.department}"


def municipality_name(problem: AllocationProblem, code: str) -> str:
    """The municipality's name (as in the run report's groups), or its code if unnamed."""
    return next((m.name_fi for m in problem.municipalities if m.code == code), code)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def municipality_codes(problem: AllocationProblem, values: tuple[str, ...]) -> dict[str, str]:
    """Each value a planner wrote (``"Oulu"``, ``"oulu"``, ``"Uleåborg"`` or ``"564"``) → the
    municipality's code; values naming no municipality are left out."""
    known: dict[str, str] = {}
    for m in problem.municipalities:
        for name in (m.code, m.name_fi, m.name_sv):
            if name:
                known.setdefault(_key(name), m.code)
    return {v: known[_key(v)] for v in values if _key(v) in known}


def area_ids(problem: AllocationProblem, values: tuple[str, ...]) -> dict[str, str]:
    """Each value (an area's id, its name, or its name before a bracket: ``"Oulun seutu"``)
    → the commuting area's id; values naming no area are left out."""
    known: dict[str, str] = {}
    for a in problem.commuting_areas:
        for name in (a.id, a.name, a.name.split(" (")[0]):
            known.setdefault(_key(name), a.id)
    return {v: known[_key(v)] for v in values if _key(v) in known}


def scenario_name(m: ScenarioMetrics, lang: str) -> str:
    """A scenario's name for people: the unchanged base is called by the language's word."""
    return word(lang, "column.base") if m.scenario == BASE_NAME else m.scenario
