"""Outcomes by group with small counts suppressed."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from matching.cooperation.outcomes import Dimension, _suppress, age_band, outcome_table
from models.cooperation import EndReason, OnwardPath, Period, PeriodEnd
from tests.cooperation.helpers import period


def _ended(n: int, placement: str, path: OnwardPath, client_prefix: str = "C") -> list[Period]:
    end = PeriodEnd(
        end_date=date(2026, 9, 30),
        reason=EndReason.AGREED_END,
        onward_path=path,
        recorded_by="k",
    )
    return [
        period(
            id=f"{placement}-{path.value}-{k}",
            client=f"{client_prefix}{k}",
            placement=placement,
            ended=end,
        )
        for k in range(n)
    ]


def test_age_bands() -> None:
    assert [age_band(a) for a in (18, 24, 25, 29, 30, 49, 50, 64)] == [
        "under_25",
        "under_25",
        "25_29",
        "25_29",
        "30_49",
        "30_49",
        "50_plus",
        "50_plus",
    ]


def test_small_groups_and_cells_are_hidden_with_a_complement() -> None:
    periods = [
        *_ended(6, "P1", OnwardPath.WORK_TRIAL),
        *_ended(5, "P1", OnwardPath.EDUCATION),
        *_ended(2, "P1", OnwardPath.JOB),  # 2 → hidden, and one more cell of P1 with it
        *_ended(7, "P2", OnwardPath.WORK_TRIAL),
        *_ended(5, "P2", OnwardPath.JOB),
        *_ended(3, "P3", OnwardPath.DROPPED_OUT),  # a group of 3 → hidden whole
        period(id="running", placement="P1"),  # not ended: not counted
    ]
    rows = {r.key: r for r in outcome_table(periods, Dimension.PLACEMENT)}
    assert rows["P3"].periods is None and set(rows["P3"].paths.values()) == {None}
    # by hand: P1 [13 | job 2, trial 6, education 5]: job hidden (2), then education (the
    # row's smallest other cell); P3's hidden total leaves one hidden cell in the total column,
    # so P2's total goes; the work-trial column then has only P3 hidden, so P1's 6 goes; the
    # P2 row has one hidden cell (its total), so its smallest, job 5, goes.
    p1, p2 = rows["P1"], rows["P2"]
    assert p1.periods == 13 and p2.periods is None
    assert [p1.paths[k] for k in (OnwardPath.JOB, OnwardPath.WORK_TRIAL, OnwardPath.EDUCATION)] == [
        None,
        None,
        None,
    ]
    assert p2.paths[OnwardPath.JOB] is None and p2.paths[OnwardPath.WORK_TRIAL] == 7
    assert p1.paths[OnwardPath.PAY_SUBSIDY] == 0
    for row in rows.values():
        shown = [v for v in (row.periods, *row.paths.values()) if v is not None]
        assert all(v == 0 or v >= 5 for v in shown)


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_no_row_or_column_has_a_single_hidden_cell_it_could_be_derived_from(
    cells: list[list[int]],
) -> None:
    grid: list[list[int | None]] = [[sum(r), *r] for r in cells]
    safe = _suppress(grid, 5)
    for row in safe:
        assert all(v is None or v == 0 or v >= 5 for v in row)
    lines = [list(r) for r in safe] + [list(c) for c in zip(*safe, strict=True)]
    for line in lines:
        hidden = sum(v is None for v in line)
        assert hidden != 1 or not any(line[k] for k in range(len(line)) if line[k] is not None)
    # nothing shown was changed
    for original, out in zip(grid, safe, strict=True):
        assert all(o is None or o == v for v, o in zip(original, out, strict=True))
