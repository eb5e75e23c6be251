"""Hard rules on a single (client, placement) pair: a pair that breaks one is never proposed.

Each rule takes a batch of pairs and returns a boolean array, True where the pair is allowed.
Capacity rules, which concern several pairs at once, are in ``matching.rules.capacity``.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from matching.pairs import Pairs
from matching.tables import BoolArray
from models.dates import add_months


def placement_open(pairs: Pairs) -> BoolArray:
    """Hard: a closed position takes no new clients (the municipality closed it).

    Source: Paikka, the municipality contact's announcement (Placement.closed).
    """
    return ~pairs.tables.placement_closed[pairs.placement]


def placement_period(pairs: Pairs) -> BoolArray:
    """Hard: the placement is open on the start date and for at least the minimum period.

    Source: Act 189/2001 § 13 (142/2015); Act 150/1930 § 3.

    A period lasts 3–24 months, so a position that closes before the minimum period
    (``LegalRegime.min_period_months``, 3) has passed from the planning date cannot host one.
    The start date of every proposal is the planning date; an open-ended position always lasts.

    The months are counted as the Act on calculating statutory time limits (150/1930 § 3)
    counts them: a period of months ends on the day whose number matches the start day, or on
    the last day of that month when it has no such day. A start on 30.11. therefore reaches
    its three months on 28.2. (29.2. in a leap year), and a placement open until that day
    (``available_until``, its last day, inclusive) is open long enough; one closing on 27.2.
    is not. ``models.dates.add_months`` implements this count.
    """
    t = pairs.tables
    start = t.problem.planning_date
    period_end = add_months(start, t.problem.regime.min_period_months)
    opens = t.placement_available_from <= np.datetime64(start)
    until = t.placement_available_until
    lasts = np.isnat(until) | (until >= np.datetime64(period_end))
    return (opens & lasts)[pairs.placement]


def no_replacement_attestation(pairs: Pairs) -> BoolArray:
    """Hard: when the regime requires it, the placement's no-replacement attestation is valid.

    Source: THL, organising and procuring the activity.

    The activity must not replace work done in employment or civil-service relationships; a
    client may not replace or stand in for a staff member, and the site must not depend on the
    client's work input (THL:
    https://thl.fi/aiheet/hyvinvoinnin-ja-terveyden-edistamisen-johtaminen/osallisuuden-edistaminen/tyoelamaosallisuus/kuntouttava-tyotoiminta/kuntouttavan-tyotoiminnan-jarjestaminen-ja-hankinta).
    The producer attests this in writing (``Placement.no_replacement_attested_on``). With
    ``LegalRegime.no_replacement_attestation_months`` set to ``m``, an attestation is valid
    through the day ``m`` months after its date (``add_months``), so a placement takes new
    clients only if that day is not before the planning date. Without the setting the rule
    allows every pair (the law is being reformed; the regime is data).
    """
    t = pairs.tables
    months = t.problem.regime.no_replacement_attestation_months
    if months is None:
        return np.ones(len(pairs), dtype=np.bool_)
    earliest = earliest_valid_attestation(t.problem.planning_date, months)
    attested = t.placement_attested_on
    valid = ~np.isnat(attested) & (attested >= np.datetime64(earliest))
    return valid[pairs.placement]


def earliest_valid_attestation(planning_date: date, months: int) -> date:
    """The earliest attestation date still valid on ``planning_date``: the first day ``d``
    with ``add_months(d, months) >= planning_date``.

    ``add_months`` never goes back when its day goes forward, so the valid dates are exactly
    those from this day on, and one date comparison per placement decides the rule. The search
    starts at the same day ``months`` earlier and moves a few days at most (month ends).
    """
    day = add_months(planning_date, -months)
    while add_months(day, months) >= planning_date:
        day -= timedelta(days=1)
    while add_months(day, months) < planning_date:
        day += timedelta(days=1)
    return day


def commuting_area(pairs: Pairs) -> BoolArray:
    """Hard: inside the client's commuting area, unless the client consented to work outside.

    Source: THL, organising and procuring the activity.

    The activity is arranged within the client's commuting area (työssäkäyntialue), or
    elsewhere only with the client's consent.
    """
    t = pairs.tables
    same = t.client_area[pairs.client] == t.placement_area[pairs.placement]
    return same | t.client_consent[pairs.client]


def reachable(pairs: Pairs) -> BoolArray:
    """Hard: public transport takes the client there by the start and home after the day.

    Source: Paikka, the client's means of travel and the county's timetables (Client.travel_means).

    With the county's timetables (``TravelModel.feed``), a client who travels by bus and train
    and has stops near home and the placement must have a journey arriving by the start and
    one back after the day ends on the days they would attend; without one the placement is
    unreachable. A client's own means (walking, cycling, driving, a taxi) override the feed.
    """
    return ~pairs.unreachable


def travel_time(pairs: Pairs) -> BoolArray:
    """Hard: the one-way trip (by the timetables or the estimate) is within the client's maximum.

    Source: Paikka, the client's own limit (Client.max_travel_minutes).

    A pair with no journey at all is the ``reachable`` rule's, not this one's: each refused
    pair has one reason.
    """
    within = pairs.travel_minutes <= pairs.tables.client_max_travel[pairs.client]
    return within | pairs.unreachable


def youth_workshop_age(pairs: Pairs) -> BoolArray:
    """Hard: youth workshops take only clients under the youth age limit on the start date.

    Source: Act 1285/2016 § 3; cooperation model, youth workshop cooperation.

    The Youth Act counts as young people those under 29 (``LegalRegime.youth_age_limit``);
    in the cooperation model the youth workshop serves the municipality's young people.
    """
    t = pairs.tables
    young = t.client_age[pairs.client] < t.problem.regime.youth_age_limit
    return ~t.placement_youth[pairs.placement] | young


def weekdays(pairs: Pairs) -> BoolArray:
    """Hard: the placement runs on at least the plan's days a week on days the client can.

    Source: Act 189/2001 § 13 (142/2015).

    1–4 days a week, as agreed in the client's plan.
    """
    t = pairs.tables
    common = t.client_weekdays[pairs.client] & t.placement_weekdays[pairs.placement]
    return np.bitwise_count(common) >= t.client_days[pairs.client]


def hours_per_day(pairs: Pairs) -> BoolArray:
    """Hard: the plan's hours a day fall within the hours the placement offers.

    Source: Act 189/2001 § 13 (142/2015).

    At least 4 hours a day (8 at most in organisers' practice).
    """
    t = pairs.tables
    hours = t.client_hours[pairs.client]
    return (t.placement_min_hours[pairs.placement] <= hours) & (
        hours <= t.placement_max_hours[pairs.placement]
    )


def work_demands(pairs: Pairs) -> BoolArray:
    """Hard: the work has none of the demands the client must avoid (opaque constraint flags).

    Source: Act 189/2001 § 13 a (702/2020).

    The activity must suit the person's work and functional capacity.
    """
    t = pairs.tables
    return (t.client_constraints[pairs.client] & t.placement_demands[pairs.placement]) == 0


def languages(pairs: Pairs) -> BoolArray:
    """Hard: the client speaks a language of work of the placement (if it names any).

    Source: Act 189/2001 § 13 a (702/2020).

    The activity always includes the support and guidance the person needs, which must be given
    in a language they understand.
    """
    t = pairs.tables
    common = t.client_languages[pairs.client] & t.placement_languages[pairs.placement]
    shared = (common != 0).any(axis=1)
    return shared | t.placement_any_language[pairs.placement]


def avoided_placement(pairs: Pairs) -> BoolArray:
    """Hard: never propose a placement the coordinator marked to avoid for this client.

    Source: Paikka, the coordinator's decision (Client.avoid_placements).
    """
    t = pairs.tables
    return ~np.isin(t.pair_key(pairs.client, pairs.placement), t.avoided_keys)
