"""p-median: choose ``p`` sites minimising the sum of weight × distance to the nearest chosen one.

Demand points at the same coordinates are merged (weights added) and zero weights dropped first.

The package, in the order a solve goes through it:

- :mod:`.solve`: :func:`solve_pmedian`, which picks the method;
- :mod:`.problem`: the problem (demand merged by location, allowed candidates) and the
  nearest-k assignment lists every method works on;
- :mod:`.model`: the exact MILP on those lists, grown until it proves the optimum;
- :mod:`.heuristic`: greedy and fast swaps, with the Lagrangian's bound;
- :mod:`.lagrangian`: the Lagrangian relaxation and Beasley's reduction tests;
- :mod:`.exact`: phase one, then enumeration or HiGHS on the sites left undecided;
- :mod:`.cells`: large instances searched on cells of nearby points.
"""

from .problem import initial_k
from .solve import METHODS, solve_pmedian

__all__ = ["METHODS", "initial_k", "solve_pmedian"]
