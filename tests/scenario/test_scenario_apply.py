"""Each change kind alone: selectors, add/remove/resize, demand scaling, rules, weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from matching.groups import age_band
from matching.sample import generate_county
from matching.scenario import ScenarioError, apply_changes, load_scenarios, parse_scenarios
from matching.scenario.apply import client_age
from matching.scenario.definition import Scenario
from models import AllocationProblem
from tests.factories import client as client_record
from tests.factories import make_problem, placement


@pytest.fixture(scope="module")
def county() -> AllocationProblem:
    return generate_county(80, seed=3)


def scenario(*changes: dict[str, Any], seed: int = 0) -> Scenario:
    return Scenario.model_validate({"name": "s", "seed": seed, "changes": list(changes)})


def tiny() -> AllocationProblem:
    return make_problem(
        clients=[
            client_record("C1", preferences=[{"placement": "P2"}], avoid_placements=["P3"]),
            client_record("C2"),
        ],
        placements=[
            placement("P1"),
            placement("P2", department="Parks", task_category="parks", seats=3),
            placement("P3", municipality="244", department="Parks", task_category="parks"),
        ],
        ongoing=[{"client": "C2", "placement": "P2", "start_date": "2026-01-01"}],
    )


def seats(problem: AllocationProblem) -> dict[str, tuple[int, int]]:
    return {p.id: (p.seats, p.support_units) for p in problem.placements}


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ({"ids": ["P1", "P3"]}, {"P1", "P3"}),
        ({"department": ["Parks"]}, {"P2", "P3"}),
        ({"municipality": ["244"]}, {"P3"}),
        ({"task_category": ["kitchen"]}, {"P1"}),
        ({"department": ["Parks"], "municipality": ["564"]}, {"P2"}),
    ],
)
def test_resize_set_by_each_selector(select: dict[str, Any], expected: set[str]) -> None:
    base = tiny()
    out = apply_changes(base, scenario({"kind": "resize_placements", "select": select, "seats": 7}))
    for pid, (s, u) in seats(out).items():
        assert s == (7 if pid in expected else seats(base)[pid][0])
        assert u == seats(base)[pid][1]


def test_resize_adds_seats_and_support_clipped_at_zero() -> None:
    out = apply_changes(
        tiny(),
        scenario(
            {
                "kind": "resize_placements",
                "select": {"ids": ["P1", "P2"]},
                "add_seats": -2,
                "add_support_units": 3,
            }
        ),
    )
    assert seats(out) == {"P1": (0, 7), "P2": (1, 7), "P3": (2, 4)}


@pytest.mark.parametrize(
    ("select", "field"),
    [
        ({"ids": ["P9"]}, "changes[0].select.ids: unknown placement 'P9'"),
        ({"department": ["Nope"]}, "changes[0].select.department"),
        ({"municipality": ["678"]}, "changes[0].select.municipality"),
        ({"task_category": ["office"]}, "changes[0].select.task_category"),
        ({"ids": ["P1"], "department": ["Parks"]}, "changes[0].select: no placement matches"),
    ],
)
def test_bad_selector_names_change_and_field(select: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError, match=field.replace("[", r"\[").replace("]", r"\]")):
        apply_changes(tiny(), scenario({"kind": "remove_placements", "select": select}))


def test_error_names_later_change_index() -> None:
    with pytest.raises(ScenarioError, match=r"changes\[1\]\.select\.ids"):
        apply_changes(
            tiny(),
            scenario(
                {"kind": "remove_placements", "select": {"ids": ["P1"]}},
                {"kind": "resize_placements", "select": {"ids": ["P1"]}, "seats": 1},
            ),
        )


def test_selector_needs_a_field() -> None:
    with pytest.raises(ValidationError, match="selector needs"):
        scenario({"kind": "remove_placements", "select": {}})


def test_remove_cleans_references_and_ongoing() -> None:
    out = apply_changes(
        tiny(), scenario({"kind": "remove_placements", "select": {"department": ["Parks"]}})
    )
    assert [p.id for p in out.placements] == ["P1"]
    assert out.ongoing == ()
    c1 = out.clients[0]
    assert c1.preferences == () and c1.avoid_placements == frozenset()


def test_add_placements_full_record_and_copy() -> None:
    out = apply_changes(
        tiny(),
        scenario(
            {
                "kind": "add_placements",
                "placements": [placement("N1", seats=4)],
                "copies": [{"source": "P3", "id": "N2", "set": {"seats": 9}}],
            }
        ),
    )
    assert seats(out)["N1"] == (4, 4)
    n2 = next(p for p in out.placements if p.id == "N2")
    assert (n2.seats, n2.municipality, n2.department) == (9, "244", "Parks")
    with pytest.raises(ScenarioError, match=r"changes\[0\]: placement id 'P1'"):
        apply_changes(tiny(), scenario({"kind": "add_placements", "placements": [placement()]}))
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.copies\[0\]\.set\.seats"):
        apply_changes(
            tiny(),
            scenario(
                {
                    "kind": "add_placements",
                    "copies": [{"source": "P1", "id": "X", "set": {"seats": -1}}],
                }
            ),
        )


def test_scale_demand_up_counts_ids_and_determinism(county: AllocationProblem) -> None:
    muni = county.clients[0].home_municipality
    group = [c for c in county.clients if c.home_municipality == muni]
    change = {"kind": "scale_demand", "factor": 1.5, "municipality": [muni]}
    a = apply_changes(county, scenario(change, seed=1))
    b = apply_changes(county, scenario(change, seed=1))
    c = apply_changes(county, scenario(change, seed=2))
    added = round(len(group) * 0.5)
    assert len(a.clients) == len(county.clients) + added
    assert a == b
    new = a.clients[len(county.clients) :]
    assert all(x.id.startswith("syn-") for x in new)
    assert all(x.home_municipality == muni and not x.avoid_clients for x in new)
    assert len({x.id for x in a.clients}) == len(a.clients)
    assert [x.model_dump(exclude={"id"}) for x in new] != [
        x.model_dump(exclude={"id"}) for x in c.clients[len(county.clients) :]
    ] or added == 0


def test_scale_demand_down_drops_seeded_sample(county: AllocationProblem) -> None:
    on = county.planning_date
    band = age_band(client_age(county.clients[0], on))
    group = {c.id for c in county.clients if age_band(client_age(c, on)) == band}
    change = {"kind": "scale_demand", "factor": 0.5, "age_band": [band]}
    a = apply_changes(county, scenario(change, seed=5))
    assert a == apply_changes(county, scenario(change, seed=5))
    kept = {c.id for c in a.clients}
    assert len(group - kept) == round(len(group) * 0.5)
    assert {c.id for c in county.clients} - group <= kept
    assert all(o.client in kept for o in a.ongoing)
    assert all(c.avoid_clients <= kept for c in a.clients)


def test_scale_demand_by_support_level_and_empty_group(county: AllocationProblem) -> None:
    out = apply_changes(
        county, scenario({"kind": "scale_demand", "factor": 0, "support_level": ["1"]})
    )
    assert all(c.support_units != 1 for c in out.clients)
    # a municipality that does not exist is named as such...
    with pytest.raises(
        ScenarioError, match=r"changes\[0\]\.municipality: no municipality is named or coded '999'"
    ):
        apply_changes(
            county, scenario({"kind": "scale_demand", "factor": 2, "municipality": ["999"]})
        )
    # ...and one where no client lives is an empty group
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.municipality: no client"):
        apply_changes(
            tiny(), scenario({"kind": "scale_demand", "factor": 2, "municipality": ["Raahe"]})
        )


def test_regime_change_clamps_plans_and_drops_ineligible() -> None:
    base = make_problem(
        clients=[
            client_record("C1", days_per_week=4),
            client_record("C2", referral_basis="multidisciplinary_employment_plan"),
        ]
    )
    out = apply_changes(
        base,
        scenario(
            {
                "kind": "regime",
                "set": {"max_days_per_week": 2, "referral_bases": ["activation_plan"]},
            }
        ),
    )
    assert out.regime.max_days_per_week == 2
    assert [(c.id, c.days_per_week) for c in out.clients] == [("C1", 2)]
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.set\.max_days: not a field"):
        apply_changes(base, scenario({"kind": "regime", "set": {"max_days": 3}}))
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.set\.max_days_per_week"):
        apply_changes(base, scenario({"kind": "regime", "set": {"max_days_per_week": 9}}))


def test_regime_change_effect_on_a_run() -> None:
    """A placement open two days a week fits 3-day plans only once the law allows 2 days."""
    from matching.solve import allocate

    base = make_problem(
        clients=[client_record("C1", days_per_week=3)],
        placements=[placement("P1", weekdays=["mon", "tue"])],
    )
    assert allocate(base).unassigned == ("C1",)
    out = apply_changes(base, scenario({"kind": "regime", "set": {"max_days_per_week": 2}}))
    assert [a.placement for a in allocate(out).assignments] == ["P1"]


def test_weights_and_options() -> None:
    out = apply_changes(
        tiny(),
        scenario(
            {"kind": "weights", "set": {"travel": 0.5}},
            {"kind": "options", "set": {"time_limit_s": 2}},
        ),
    )
    assert out.options.weights.travel == 0.5 and out.options.time_limit_s == 2
    assert out.regime.organiser == "wellbeing_county"
    organiser = apply_changes(
        tiny(), scenario({"kind": "regime", "set": {"organiser": "municipality"}})
    )
    assert organiser.regime.organiser == "municipality"
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.set\.speed"):
        apply_changes(tiny(), scenario({"kind": "weights", "set": {"speed": 1.0}}))


def test_load_yaml_list_includes_base(tmp_path: Path) -> None:
    path = tmp_path / "changes.yaml"
    path.write_text(
        "- name: more-kitchen\n"
        "  changes:\n"
        "    - kind: resize_placements\n"
        "      select: {task_category: [kitchen]}\n"
        "      add_seats: 1\n"
        "- name: fewer-days\n"
        "  changes: [{kind: regime, set: {max_days_per_week: 3}}]\n",
        encoding="utf-8",
    )
    names = [s.name for s in load_scenarios(path)]
    assert names == ["base", "more-kitchen", "fewer-days"]
    assert [s.name for s in parse_scenarios({"scenarios": [{"name": "x"}]})] == ["base", "x"]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x", "changes": [{"kind": "resize", "seats": 1}]}]')
    with pytest.raises(ValueError, match=r"bad\.json"):
        load_scenarios(bad)
    with pytest.raises(ValidationError, match="unique"):
        parse_scenarios([{"name": "x"}, {"name": "x"}])
