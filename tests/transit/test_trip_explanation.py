"""A proposal's explanation shows the trip: by the timetables, on foot, or the estimate."""

from __future__ import annotations

from matching.explain.explain import explain_run
from matching.solve import allocate
from matching.transit import feed_version
from tests.factories import client, make_problem, placement
from tests.transit.small_feed import small_feed

VILLAGE = {"lat": 65.00, "lon": 25.00}
SAIRAALA = {"lat": 65.05, "lon": 25.50}
TRAVEL = {"travel": {"feed": feed_version(small_feed()), "walk_factor": 1.0}}


def _texts(problem, lang: str) -> tuple[list[str], list[str]]:
    result = allocate(problem)
    run = explain_run(problem, result, lang=lang, changes=False)
    (only,) = run.clients
    shown = [m for m in only.messages if m.code.startswith("trip.")]
    assert all(m.text is not None for m in shown)
    return [m.text.client for m in shown], [m.text.coordinator for m in shown]  # type: ignore[union-attr]


def test_the_trip_with_a_change_and_its_fare() -> None:
    # The 7.12 from Kirkkotie, change at Oulu to the 7.45, Sairaala 8.05 for an 8.10 start;
    # the change ticket 5,50 € covers both rides: 11,00 € a day.
    problem = make_problem(
        [client(location=VILLAGE, hours_per_day=6, max_travel_minutes=90)],
        [placement(location=SAIRAALA, starts_at="08:10")],
        options=TRAVEL,
    )
    client_fi, coordinator_fi = _texts(problem, "fi")
    assert client_fi == [
        "Lähde klo 7.12 pysäkiltä Kirkkotie, olet perillä klo 8.05; ei kävelyä.",
        "Vaihda: Oulu linja-autoasema.",
        "Lippu maksaa 11,00 € päivässä.",
    ]
    assert coordinator_fi[0].endswith(f"(aikataulut {feed_version(small_feed())}, ma).")
    assert coordinator_fi[2] == "11,00 € päivässä (aikataulujen hinnat)."
    client_en, _ = _texts(problem, "en")
    assert client_en[1:] == ["Change at Oulu linja-autoasema.", "The ticket costs 11.00 € a day."]


def test_without_a_feed_the_explanation_says_it_is_the_estimate() -> None:
    problem = make_problem([client(location=VILLAGE)], [placement(location=SAIRAALA)])
    client_sv, coordinator_sv = _texts(problem, "sv")
    assert client_sv[0].startswith("Restiden är en uppskattning från avståndet")
    assert "(inga tidtabeller)" in coordinator_sv[0]


def test_far_from_any_stop_the_explanation_says_so() -> None:
    problem = make_problem(
        [client(location={"lat": 64.7, "lon": 25.2}, max_travel_minutes=120)],
        [placement(location=SAIRAALA)],
        options=TRAVEL,
    )
    _, coordinator_en = _texts(problem, "en")
    assert coordinator_en[0].startswith("No stop within walking distance; travel time")
