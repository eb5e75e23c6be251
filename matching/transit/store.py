"""Where feeds and their computed results are kept: the feed store and its cache.

A feed is stored once under its version id (``feeds/<version>.zip``); a problem names the feed
it is planned with by that id (``TravelModel.feed``), never by a path, so a problem given through
the API can point at nothing but a stored feed. Scan results are cached beside it
(``cache/<version>/``): the stop-to-stop times of one feed never change, so next week's run
reads them instead of scanning again.

The root is ``$PAIKKA_TRANSIT_DIR``, else ``~/.cache/paikka/transit``. The sample county's feed
(``SAMPLE_FEED``) is made on first use by ``matching.sample.feed`` from its seed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import threading
from pathlib import Path

from matching.sample.feed import SAMPLE_FEED_SHA256, sample_feed_bytes
from matching.transit.feed import Feed, feed_version, read_feed

SAMPLE_FEED = "sample-pohde-1"
"""Feed id of the sample county's seeded synthetic feed (regenerated, never downloaded)."""

_LOCK = threading.Lock()
_LOADED: dict[tuple[str, str], Feed] = {}


def transit_root() -> Path:
    """The directory of the feed store and its cache."""
    configured = os.environ.get("PAIKKA_TRANSIT_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "paikka" / "transit"


def feed_path(version: str, root: Path | None = None) -> Path:
    """Where the feed ``version`` is stored (made first if it is the sample's)."""
    base = root or transit_root()
    path = base / "feeds" / f"{version}.zip"
    if version == SAMPLE_FEED and not _is_current_sample(path):
        shutil.rmtree(base / "cache" / version, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(sample_feed_bytes())
        partial.replace(path)
    return path


def _is_current_sample(path: Path) -> bool:
    """Is the stored sample feed the one this version of the generator makes?"""
    if not path.exists():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == SAMPLE_FEED_SHA256


def cache_dir(version: str, root: Path | None = None) -> Path:
    """The cache directory of one feed version's scan results."""
    path = (root or transit_root()) / "cache" / version
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_feed(source: str | Path | bytes, root: Path | None = None) -> str:
    """Put a GTFS zip in the store (checked by reading it) and return its version id."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    version = feed_version(data)
    read_feed(data, version)
    path = (root or transit_root()) / "feeds" / f"{version}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
    return version


PARSED = "feed.pickle"
"""The feed's arrays as read, beside its scans: reading them back takes a tenth of parsing
the zip's CSV again. Written and read only by this module, in the store's own directory."""


def load_feed(version: str, root: Path | None = None) -> Feed:
    """The stored feed ``version``, read once per process (from the parsed copy in its cache
    where there is one). Raises ``FileNotFoundError``."""
    base = root or transit_root()
    key = (str(base), version)
    with _LOCK:
        if key not in _LOADED:
            path = feed_path(version, base)
            parsed = (base / "cache" / version) / PARSED
            feed: Feed | None = None
            if parsed.exists():
                with parsed.open("rb") as stream:
                    loaded = pickle.load(stream)
                if isinstance(loaded, Feed) and loaded.version == version:
                    feed = loaded
            if feed is None:
                if not path.exists():
                    raise FileNotFoundError(f"no stored GTFS feed {version}")
                feed = read_feed(path, version)
                target = cache_dir(version, base) / PARSED
                partial = target.with_suffix(f".{os.getpid()}.part")
                with partial.open("wb") as stream:
                    pickle.dump(feed, stream, protocol=pickle.HIGHEST_PROTOCOL)
                partial.replace(target)
            _LOADED[key] = feed
        return _LOADED[key]


def clear_cache(version: str, root: Path | None = None) -> None:
    """Remove a feed's cached scan results (the next run scans again: a cold start)."""
    shutil.rmtree((root or transit_root()) / "cache" / version, ignore_errors=True)
    with _LOCK:
        _LOADED.clear()


CURRENT_FILE = "current"
"""The file in ``feeds/`` naming the feed the county's runs plan with."""


def set_current_feed(version: str, root: Path | None = None) -> None:
    """Make ``version`` (a stored feed) the one runs plan with from now on."""
    base = root or transit_root()
    if not (base / "feeds" / f"{version}.zip").exists() and version != SAMPLE_FEED:
        raise FileNotFoundError(f"no stored GTFS feed {version}")
    target = base / "feeds" / CURRENT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_text(version + "\n", encoding="utf-8")
    partial.replace(target)


def current_feed(root: Path | None = None) -> str | None:
    """The feed runs plan with (``set_current_feed``), or None: the estimate."""
    path = (root or transit_root()) / "feeds" / CURRENT_FILE
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").strip() or None
