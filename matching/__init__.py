"""Paikka's matching engine: domain records in, a checked optimal allocation out.

>>> from matching import allocate, check_allocation
>>> result = allocate(problem)                      # doctest: +SKIP
>>> check_allocation(problem, result)               # doctest: +SKIP
[]

Layers: ``matching.rules`` (the law, one function per rule), ``matching.candidates``
(vectorised admissible pairs), ``matching.compile`` (into ``matching.core``, the generic
sparse assignment layer and its solvers), ``matching.solve`` (``allocate``) and
``matching.check`` (the independent checker).
"""

from matching.check import Violation, check_allocation
from matching.solve import allocate
from matching.version import __version__

__all__ = ["Violation", "__version__", "allocate", "check_allocation"]
