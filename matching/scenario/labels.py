"""Names of groups as people know them: departments with their organisation, municipalities
by name, and lookups from a planner's words (names or codes) to codes."""

from __future__ import annotations

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
