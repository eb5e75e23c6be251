"""How fast the machine runs right now, measured on the solve's own first steps.

The time shares and the cost estimates of the solvers (seconds per arc of an LP, for one)
were measured on a quiet machine. When the other core is busy, or the machine is slower, the
same work takes longer, and a phase planned from the quiet figures runs out of time midway
(an LP stopped by its limit proves nothing; a phase-2 MIP without time finds nothing). So the
engine times work whose cost it knows, the preprocessing and the seats-only flow, against the
quiet reference, and scales its estimates by the ratio: the cheaper path is then taken up
front (fewer pricing rounds, no phase-1 pricing, the LP-guided start only when it fits).
"""

from dataclasses import dataclass

REFERENCE_SECONDS_PER_ARC = 4e-7
"""Preprocessing (usable arcs, decomposition) and the seats-only flow per arc on a quiet
machine: measured 0.25-0.3 s for 890k arcs and 3.6-4 s for 9.2 M (benchmarks, 2 cores)."""

MIN_MEASURED_S = 0.05
"""Shorter measurements are mostly noise (imports, caches) and are not used."""

MAX_SLOWDOWN = 8.0


@dataclass
class Pace:
    """The measured slowdown against the quiet reference (1 = as fast as measured quiet)."""

    slowdown: float = 1.0

    def observe(self, arcs: int, seconds: float) -> None:
        """Record that work of the reference kind over `arcs` arcs took `seconds`."""
        expected = REFERENCE_SECONDS_PER_ARC * arcs
        if expected < MIN_MEASURED_S and seconds < MIN_MEASURED_S:
            return
        ratio = seconds / max(expected, 1e-9)
        self.slowdown = min(max(ratio, 1.0), MAX_SLOWDOWN)
