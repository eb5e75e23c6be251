"""Public transport from the county's GTFS feed: trips by bus and train for every pair.

``feed`` reads a GTFS zip into arrays; ``scan`` answers many journey queries in one pass over
the day's connections; ``table`` builds a problem's trip table (minutes and how they were found,
per client and placement) with its scans cached per feed version (``store``); ``journey`` reads
back one pair's legs and fare for an explanation.
"""

from matching.transit.feed import Feed, FeedError, feed_version, read_feed
from matching.transit.journey import Journey, Leg, cheapest_fare, journey_there, tariff_price
from matching.transit.store import (
    CURRENT_FILE,
    SAMPLE_FEED,
    cache_dir,
    clear_cache,
    current_feed,
    feed_path,
    load_feed,
    set_current_feed,
    store_feed,
    transit_root,
)
from matching.transit.table import (
    ESTIMATE,
    MODE_NAMES,
    NO_CONNECTION,
    OWN_MEANS,
    TRANSIT,
    UNREACHABLE,
    UNREACHABLE_MINUTES,
    WALK,
    TripTable,
    build_trip_table,
    trip_table,
)

__all__ = [
    "CURRENT_FILE",
    "ESTIMATE",
    "MODE_NAMES",
    "NO_CONNECTION",
    "OWN_MEANS",
    "SAMPLE_FEED",
    "TRANSIT",
    "UNREACHABLE",
    "UNREACHABLE_MINUTES",
    "WALK",
    "Feed",
    "FeedError",
    "Journey",
    "Leg",
    "TripTable",
    "build_trip_table",
    "cache_dir",
    "cheapest_fare",
    "clear_cache",
    "current_feed",
    "feed_path",
    "feed_version",
    "journey_there",
    "load_feed",
    "read_feed",
    "set_current_feed",
    "store_feed",
    "tariff_price",
    "transit_root",
    "trip_table",
]
