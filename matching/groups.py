"""The groups clients are counted in: age bands and support levels.

One home for the words, below both users: the run report (``matching.explain.report``) counts
outcomes by these groups and a scenario's selector (``matching.scenario``) picks clients by
them, so a band means the same in both.
"""

from __future__ import annotations

from typing import Literal

AgeBand = Literal["under_25", "25_28", "29_44", "45_plus"]
"""Age bands in whole years on the planning date: under 25, 25–28, 29–44, 45 and over."""
SupportLevel = Literal["0", "1", "2", "3_plus"]
"""Support a client needs from the work instructor, in support units: 0, 1, 2, 3 or more."""


def age_band(age: int) -> AgeBand:
    """The age band of ``age`` (whole years): under 25, 25–28, 29–44, 45+."""
    if age < 25:
        return "under_25"
    if age < 29:
        return "25_28"
    if age < 45:
        return "29_44"
    return "45_plus"


def support_level(units: int) -> SupportLevel:
    """The support level of a client needing ``units`` support units: 0, 1, 2, 3+."""
    if units >= 3:
        return "3_plus"
    if units == 2:
        return "2"
    return "1" if units == 1 else "0"
