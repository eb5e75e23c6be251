"""Hard rules on a single (client, placement) pair: a pair that breaks one is never proposed.

Each rule takes a batch of pairs and returns a boolean array, True where the pair is allowed.
Capacity rules, which concern several pairs at once, are in ``matching.rules.capacity``.
"""

from __future__ import annotations

import numpy as np

from matching.pairs import Pairs
from matching.tables import BoolArray


def placement_open(pairs: Pairs) -> BoolArray:
    """Hard: a closed position takes no new clients (the municipality closed it)."""
    return ~pairs.tables.placement_closed[pairs.placement]


def placement_period(pairs: Pairs) -> BoolArray:
    """Hard: the placement is open on the start date and for at least the minimum period.

    Source: 189/2001 § 13 (142/2015): a period lasts 3–24 months, so a position that closes
    before three months have passed cannot host one.

    The months are counted as the Act on calculating statutory time limits (150/1930 § 3)
    counts them: a period of months ends on the day whose number matches the start day, or on
    the last day of that month when it has no such day. A start on 30.11. therefore reaches
    its three months on 28.2. (29.2. in a leap year), and a placement open until that day
    (``available_until``, its last day, inclusive) is open long enough; one closing on 27.2.
    is not. ``matching.tables.add_months`` implements this count.
    """
    return pairs.tables.placement_period_ok[pairs.placement]


def no_replacement_attestation(pairs: Pairs) -> BoolArray:
    """Hard: when the regime requires it, the placement's no-replacement attestation is valid.

    Source: THL, organising and procuring rehabilitative work activity: the activity must not
    replace work done in employment or civil-service relationships; a client may not replace or
    stand in for a staff member, and the site must not depend on the client's work input.
    https://thl.fi/aiheet/hyvinvoinnin-ja-terveyden-edistamisen-johtaminen/osallisuuden-edistaminen/tyoelamaosallisuus/kuntouttava-tyotoiminta/kuntouttavan-tyotoiminnan-jarjestaminen-ja-hankinta
    The producer attests this in writing (``Placement.no_replacement_attested_on``); with
    ``LegalRegime.no_replacement_attestation_months`` set, a placement takes new clients only
    if its attestation is at most that many months old on the planning date. Without the
    setting the rule allows every pair (the law is being reformed; the regime is data).
    """
    return pairs.tables.placement_attestation_valid[pairs.placement]


def commuting_area(pairs: Pairs) -> BoolArray:
    """Hard: inside the client's commuting area, unless the client consented to work outside.

    Source: THL, organising rehabilitative work activity (työssäkäyntialue).
    """
    t = pairs.tables
    same = t.client_area[pairs.client] == t.placement_area[pairs.placement]
    return same | t.client_consent[pairs.client]


def travel_time(pairs: Pairs) -> BoolArray:
    """Hard: the estimated one-way trip is within the client's maximum travel time."""
    return pairs.travel_minutes <= pairs.tables.client_max_travel[pairs.client]


def youth_workshop_age(pairs: Pairs) -> BoolArray:
    """Hard: youth workshops take only clients under the youth age limit on the start date.

    Source: Youth Act 1285/2016 § 3 (young people are those under 29); cooperation model:
    the youth workshop is meant for the municipality's under-29s.
    """
    t = pairs.tables
    young = t.client_age[pairs.client] < t.problem.regime.youth_age_limit
    return ~t.placement_youth[pairs.placement] | young


def weekdays(pairs: Pairs) -> BoolArray:
    """Hard: the placement runs on at least the plan's days a week on days the client can.

    Source: 189/2001 § 13: 1–4 days a week, as agreed in the client's plan.
    """
    t = pairs.tables
    common = t.client_weekdays[pairs.client] & t.placement_weekdays[pairs.placement]
    return np.bitwise_count(common) >= t.client_days[pairs.client]


def hours_per_day(pairs: Pairs) -> BoolArray:
    """Hard: the plan's hours a day fall within the hours the placement offers.

    Source: 189/2001 § 13: at least 4 hours a day (8 at most in organisers' practice).
    """
    t = pairs.tables
    hours = t.client_hours[pairs.client]
    return (t.placement_min_hours[pairs.placement] <= hours) & (
        hours <= t.placement_max_hours[pairs.placement]
    )


def work_demands(pairs: Pairs) -> BoolArray:
    """Hard: the work has none of the demands the client must avoid (opaque constraint flags).

    Source: 189/2001 § 13 a: the activity must suit the person's work and functional capacity.
    """
    t = pairs.tables
    return (t.client_constraints[pairs.client] & t.placement_demands[pairs.placement]) == 0


def languages(pairs: Pairs) -> BoolArray:
    """Hard: the client speaks a language of work of the placement (if it names any).

    The guidance the client needs (13 a §) must be given in a language they understand.
    """
    t = pairs.tables
    common = t.client_languages[pairs.client] & t.placement_languages[pairs.placement]
    shared = (common != 0).any(axis=1)
    return shared | t.placement_any_language[pairs.placement]


def avoided_placement(pairs: Pairs) -> BoolArray:
    """Hard: never propose a placement the coordinator marked to avoid for this client."""
    t = pairs.tables
    return ~np.isin(t.pair_key(pairs.client, pairs.placement), t.avoided_keys)
