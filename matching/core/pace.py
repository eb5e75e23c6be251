"""How fast the machine runs right now, measured on the solve's own first steps.

The time shares and the cost estimates of the solvers (seconds per arc of an LP, for one)
were measured on a quiet machine. When the other core is busy, or the machine is slower, the
same work takes longer, and a phase planned from the quiet figures runs out of time midway
(an LP stopped by its limit proves nothing; a phase-2 MIP without time finds nothing). So the
engine times work whose cost it knows, the preprocessing and the seats-only flow, against the
quiet reference, and scales its estimates by the ratio: the cheaper path is then taken up
front (fewer pricing rounds, no phase-1 pricing, the LP-guided start only when it fits).
"""

import time
from dataclasses import dataclass, field

REFERENCE_SECONDS_PER_ARC = 1.2e-6
"""Preprocessing (usable arcs, decomposition) and the seats-only flow per arc on a quiet
machine: measured 1.1-1.6 us per arc on 0.9 M and 9 M arcs (2 cores, load 1.5-2)."""

MIN_EXPECTED_S = 0.2
"""Steps expected to take less are not measured: fixed costs and noise dominate them."""

MAX_SLOWDOWN = 8.0


@dataclass
class Pace:
    """The measured slowdown against the quiet reference (1 = as fast as measured quiet)."""

    slowdown: float = 1.0
    _wall: float = field(default_factory=time.perf_counter)
    _cpu: float = field(default_factory=time.process_time)

    def share(self) -> float:
        """How much slower than its own CPU time this process has run since the pace was
        created (wall / CPU seconds, 1 to ``MAX_SLOWDOWN``): on a machine shared with other
        work, the inverse of the share of a core it gets. Available from the first steps,
        before any work of known cost has been timed."""
        cpu = time.process_time() - self._cpu
        if cpu < MIN_EXPECTED_S / 4:
            return 1.0
        return min(max((time.perf_counter() - self._wall) / cpu, 1.0), MAX_SLOWDOWN)

    def observe(self, arcs: int, seconds: float) -> None:
        """Record that work of the reference kind over `arcs` arcs took `seconds`."""
        expected = REFERENCE_SECONDS_PER_ARC * arcs
        if expected < MIN_EXPECTED_S:
            return
        ratio = seconds / max(expected, 1e-9)
        self.slowdown = min(max(ratio, 1.0), MAX_SLOWDOWN)
