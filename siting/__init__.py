"""Pure spatial optimisation for the life-circle planner: arrays in, arrays out.

Imports only numpy, scipy and the standard library — never Django — so it can be tested and
benchmarked alone. Distances are haversine metres (R = 6,371,008.8 m) from coordinates as given;
a walk estimated from coordinates is that times the detour factor.

- Walking assumptions, one home each (:mod:`.constants`): :data:`DETOUR_FACTOR`,
  :data:`WALKING_SPEED_M_PER_MIN`, :data:`ELDERLY_WALKING_SPEED_M_PER_MIN`.
- Geometry (correct anywhere on the globe): :func:`haversine_m`, :func:`walking_m`,
  :func:`neighbours_within`, :func:`nearest_k`, :class:`LocalProjection`, :class:`ChordSpace`,
  :class:`TooManyPairs`.
- Areas: :func:`area_index_for_point`, the rule that says which area a site or a pin is in.
- Coverage metrics: :func:`evaluate_coverage` -> :class:`CoverageResult`;
  :func:`coverage_gain`, :func:`coverage_loss`, :func:`covered_weight`.
- Solvers (exact HiGHS MILP or heuristic, with bound and gap; each keeps its time limit and runs
  HiGHS within a memory budget, see :mod:`.milp`): :func:`solve_mclp`, :func:`solve_pmedian`,
  :func:`solve_lscp`, :func:`solve_multi_service` -> :class:`Solution` /
  :class:`MultiServiceSolution`.
- Explanations: :func:`explain_solution`, :func:`closure_impact` -> :class:`SiteExplanation`.
- Instances: :func:`load_instance`, :func:`solve_instance`, :class:`InstanceError`.
"""

from .areas import NEAREST_CENTRE_MAX_M, area_index_for_point
from .constants import DETOUR_FACTOR, ELDERLY_WALKING_SPEED_M_PER_MIN, WALKING_SPEED_M_PER_MIN
from .coverage import (
    CoverageResult,
    coverage_gain,
    coverage_loss,
    covered_weight,
    evaluate_coverage,
    reach,
)
from .data import DemandPoints, Facilities, Solution
from .explain import SiteExplanation, closure_impact, explain_solution
from .geometry import (
    EARTH_RADIUS_M,
    ChordSpace,
    LocalProjection,
    TooManyPairs,
    haversine_m,
    nearest_k,
    neighbours_within,
    walking_m,
)
from .instance import Instance, InstanceError, load_instance, parse_instance, solve_instance
from .lscp import solve_lscp, solve_lscp_cover
from .mclp import solve_mclp, solve_mclp_cover
from .multiservice import MultiServiceSolution, Service, solve_multi_service
from .pmedian import solve_pmedian

__all__ = [
    "ChordSpace",
    "DETOUR_FACTOR",
    "EARTH_RADIUS_M",
    "ELDERLY_WALKING_SPEED_M_PER_MIN",
    "CoverageResult",
    "DemandPoints",
    "Facilities",
    "Instance",
    "InstanceError",
    "LocalProjection",
    "MultiServiceSolution",
    "NEAREST_CENTRE_MAX_M",
    "Service",
    "SiteExplanation",
    "Solution",
    "TooManyPairs",
    "WALKING_SPEED_M_PER_MIN",
    "area_index_for_point",
    "closure_impact",
    "coverage_gain",
    "coverage_loss",
    "covered_weight",
    "evaluate_coverage",
    "explain_solution",
    "haversine_m",
    "load_instance",
    "nearest_k",
    "neighbours_within",
    "parse_instance",
    "reach",
    "solve_instance",
    "solve_lscp",
    "solve_lscp_cover",
    "solve_mclp",
    "solve_mclp_cover",
    "solve_multi_service",
    "solve_pmedian",
    "walking_m",
]
