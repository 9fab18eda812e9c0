"""HiGHS for the siting models, run so that a solve keeps its time limit and its memory budget.

Each solve runs HiGHS (the binding scipy bundles) in a child process forked for it. HiGHS does
not look at the clock everywhere: its presolve ran for minutes on a 2.7 million-nonzero MCLP that
was given 15 s. So the child streams every improving solution and the dual bound as they come,
stops itself at the deadline through HiGHS's interrupt callbacks, and the parent kills it shortly
after the deadline if it has not, keeping the best solution and bound reported so far. The
child's address space is capped at what the parent had plus :data:`MEMORY_BUDGET_MB`, so a model
that outgrows the budget ends its own solve, not the machine's memory; a model whose estimated
size (:func:`estimate_mb`) is above the budget is not started at all (``status == "memory"``),
and the callers fall back to their heuristics.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import resource
import select
import signal
import struct
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize._highspy import _core as _h  # scipy's HiGHS binding, with callbacks
from scipy.sparse import csc_array, sparray

# Above this many coverage nonzeros a heuristic's bound comes from a Lagrangian (or counting)
# bound instead of the LP relaxation: HiGHS's interior point method needs about 1 s for an
# MCLP LP at 100,000 nonzeros, 9 s at 470,000 and 31 s at 1.5 million.
LP_BOUND_MAX_NNZ = 200_000


AUTO_TIME_LIMIT = 60.0
"""Seconds a solver gets under ``method="auto"`` when the caller passes no time limit, so that
an instance harder than its size suggests cannot hang a request; the answer then carries its
bound and gap."""

MEMORY_BUDGET_MB = 2048.0
"""Memory HiGHS may take for one solve, on top of what the calling process already holds. The
siting models need far less (a 2.7 million-nonzero MCLP about 600 MB): above the budget is a
model that would have taken the machine down with it (a p-median on 6.5 GB)."""

_MB_PER_NNZ = 4e-4
_MB_PER_VAR = 1e-3
"""HiGHS's peak per nonzero and per row or column, measured on the siting models (MCLP, LSCP,
p-median) with presolve, the root LP and the search: 110-330 bytes per nonzero, x1.5 margin."""

IN_PROCESS_MAX_NNZ = 20_000
"""Models up to this many nonzeros are solved in the calling process: HiGHS's presolve and root
LP take milliseconds there and its interrupt callback stops the search in time, while a child
costs about 35 ms to start."""

RESERVE = (0.02, 0.02)
"""Share of the time limit, and seconds, that the search leaves for the end of a solve."""

_GRACE = 0.05
"""Seconds (plus 1 % of the limit) the child gets past its deadline to hand its answer over
before it is killed."""


def auto_clock(method: str, time_limit: float | None) -> Clock:
    """The clock of one solve: the caller's limit, or :data:`AUTO_TIME_LIMIT` under "auto"."""
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit >= 0):
        raise ValueError(f"time_limit must be a finite number of seconds, got {time_limit!r}")
    if time_limit is None and method == "auto":
        return Clock(AUTO_TIME_LIMIT)
    return Clock(time_limit)


class Clock:
    """Wall-clock budget shared by the steps of one solve; also notes when the answer it times
    was found (:meth:`found`) and proven (:meth:`proved`), in seconds since the start. The
    clocks of steps (:meth:`within`, :meth:`share`, :meth:`for_search`) share the start and pass
    those notes up."""

    def __init__(
        self, limit: float | None, start: float | None = None, parent: Clock | None = None
    ) -> None:
        self.start = time.perf_counter() if start is None else start
        self.limit = limit
        self.best_at: float | None = None
        self.proof_at: float | None = None
        self._parent = parent

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def deadline(self) -> float:
        """The perf_counter() reading at which the time is up (inf without a limit)."""
        return math.inf if self.limit is None else self.start + self.limit

    def remaining(self) -> float | None:
        if self.limit is None:
            return None
        return max(self.limit - self.elapsed, 0.0)

    def expired(self) -> bool:
        return self.limit is not None and self.elapsed >= self.limit

    def within(self, seconds: float | None) -> Clock:
        """A clock for one step: at most ``seconds`` from now, and never past this one's end.
        It shares this clock's start, so the times it notes count from there."""
        ends = [self.limit] if self.limit is not None else []
        if seconds is not None:
            ends.append(self.elapsed + max(float(seconds), 0.0))
        return Clock(min(ends) if ends else None, start=self.start, parent=self)

    def share(self, fraction: float) -> Clock:
        """A clock for one step that may take ``fraction`` of the time left."""
        left = self.remaining()
        return self.within(None if left is None else fraction * left)

    def for_search(self) -> Clock:
        """The clock of a solve's search: it ends a moment (:data:`RESERVE`) before this one,
        kept for pricing the answer and building the result."""
        if self.limit is None:
            return Clock(None, start=self.start, parent=self)
        limit = max(self.limit * (1 - RESERVE[0]) - RESERVE[1], 0.0)
        return Clock(limit, start=self.start, parent=self)

    def found(self, at: float | None = None) -> None:
        """The answer improved now (or at the perf_counter() reading ``at``); a step's clock
        tells the clock it was taken from."""
        self.best_at = (time.perf_counter() if at is None else at) - self.start
        if self._parent is not None:
            self._parent.found(at)

    def proved(self) -> None:
        """The answer was proven optimal now (the first time counts)."""
        if self.proof_at is None:
            self.proof_at = self.elapsed
        if self._parent is not None:
            self._parent.proved()


@dataclass(frozen=True)
class MilpOutcome:
    """What HiGHS returned, always as a *minimisation*.

    ``x`` is None when no feasible point was found in time; when the child was stopped before it
    could hand over its last solution, ``x`` holds the integer columns of the best one it
    reported and NaN elsewhere. ``bound`` is the proven lower bound (the MIP dual bound, or the
    LP optimum for a relaxation), ``-inf`` when none is known. ``status`` is "optimal",
    "time_limit" (stopped by the clock), "memory" (above the memory budget: not started, or
    stopped by it) or "failed". ``found_at`` is the perf_counter() reading when ``x`` was found
    (None when it is the warm start or unknown); ``row_dual`` the LP's row duals (LP only);
    ``peak_mb`` the child's peak resident memory.
    """

    x: NDArray | None
    objective: float
    bound: float
    optimal: bool
    seconds: float
    status: str = "optimal"
    found_at: float | None = None
    row_dual: NDArray | None = None
    peak_mb: float = 0.0

    @property
    def unavailable(self) -> bool:
        """HiGHS could not solve it here (memory, or a failure): the caller's heuristic stands."""
        return self.status in ("memory", "failed")


def estimate_mb(nnz: int, rows: int, cols: int) -> float:
    """HiGHS's estimated peak memory (MB) for a model of this size."""
    return _MB_PER_NNZ * nnz + _MB_PER_VAR * (rows + cols)


def solve(
    c: NDArray,
    a: sparray,
    row_lb: NDArray,
    row_ub: NDArray,
    lb: NDArray,
    ub: NDArray,
    integer: NDArray,
    *,
    time_limit: float | None = None,
    relax: bool = False,
    start: NDArray | None = None,
    memory_mb: float | None = None,
) -> MilpOutcome:
    """Minimise ``c @ x`` subject to ``row_lb <= a @ x <= row_ub`` and ``lb <= x <= ub``.

    ``integer`` marks integer variables; ``relax=True`` solves the LP relaxation instead (by the
    interior point method: on these covering LPs about 5 times faster than dual simplex).
    ``start`` is a warm start: values for the integer columns (NaN: none), which HiGHS completes
    and uses as its first incumbent. The relative MIP gap is 0 so "optimal" means proven
    optimal (to HiGHS's tolerances). The whole call, handing the model over included, ends
    within ``time_limit`` plus a fraction of a second; ``memory_mb`` (default
    :data:`MEMORY_BUDGET_MB`) caps HiGHS's memory.
    """
    t0 = time.perf_counter()
    budget = MEMORY_BUDGET_MB if memory_mb is None else float(memory_mb)
    a = csc_array(a)
    integer = np.asarray(integer, dtype=bool) & (not relax)
    if estimate_mb(a.nnz, a.shape[0], a.shape[1]) > budget:
        return MilpOutcome(None, np.inf, -np.inf, False, 0.0, status="memory")
    deadline = math.inf if time_limit is None else t0 + max(float(time_limit), 0.0)
    job = _Job(c, a, row_lb, row_ub, lb, ub, integer, relax, start, deadline)
    if a.nnz > IN_PROCESS_MAX_NNZ and hasattr(os, "fork"):
        messages, peak_mb = _in_child(job, budget)
    else:
        messages, peak_mb = _run(job, None), 0.0
    return replace(_outcome(job, messages, time.perf_counter() - t0), peak_mb=peak_mb)


@dataclass
class _Job:
    c: NDArray
    a: csc_array
    row_lb: NDArray
    row_ub: NDArray
    lb: NDArray
    ub: NDArray
    integer: NDArray
    relax: bool
    start: NDArray | None
    deadline: float


def _outcome(job: _Job, messages: list[tuple], seconds: float) -> MilpOutcome:
    """The result from what the solve reported: its final answer, or the best it streamed."""
    best_x, best_obj, found_at, bound = None, np.inf, None, -np.inf
    for msg in messages:
        if msg[0] == "infeasible":
            raise ValueError("the siting model is infeasible")
        if msg[0] == "solution" and msg[2] < best_obj:
            best_obj, found_at = msg[2], msg[1]
            best_x = np.full(job.c.size, np.nan)
            best_x[job.integer] = msg[3]
        elif msg[0] == "bound":
            bound = max(bound, msg[1])
    final = next((m for m in messages if m[0] == "done"), None)
    if final is None:  # stopped from outside (the clock, the memory cap) or failed
        failed = next((m[1] for m in messages if m[0] == "failed"), None)
        if time.perf_counter() >= job.deadline:
            status = "time_limit"
        elif failed is not None and failed != "memory":
            status = "failed"
        else:  # ended without a word: killed by the kernel or aborted by a failed allocation
            status = "memory"
        if best_x is not None:
            bound = min(bound, best_obj)
        return MilpOutcome(best_x, best_obj, bound, False, seconds, status, found_at)
    _, status, objective, final_bound, x, row_dual = final
    if x is not None and objective <= best_obj:
        best_x, best_obj = x, objective
    elif best_x is not None and x is not None:
        best_x = x  # the same incumbent, now with every column
    optimal = status == "optimal"
    if optimal and best_x is not None:
        bound = best_obj
    else:
        bound = max(bound, final_bound)
        if best_x is not None:
            bound = min(bound, best_obj)
    return MilpOutcome(best_x, best_obj, bound, optimal, seconds, status, found_at, row_dual)


# -- the child ------------------------------------------------------------------------------------


def _in_child(job: _Job, budget_mb: float) -> tuple[list[tuple], float]:
    """Run the job in a forked child; collect its messages until it ends or the deadline (plus
    a grace) passes, then make sure it is gone."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python warns that a thread of the parent (a run's heartbeat, say) may hold a lock the
        # child then waits for; the child only runs HiGHS and writes to its pipe, and leaves by
        # os._exit, touching nothing such a thread could hold.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        code = 1
        try:
            os.close(read_end)
            _cap_memory(budget_mb)
            _run(job, write_end)
            code = 0
        except BaseException as exc:  # noqa: BLE001 - whatever happens, the child must not go on
            with contextlib.suppress(BaseException):
                _send(write_end, [], ("failed", "memory" if isinstance(exc, MemoryError) else ""))
        finally:
            os._exit(code)
    os.close(write_end)
    limit = job.deadline - time.perf_counter()
    kill_at = job.deadline + _GRACE + (0.01 * limit if math.isfinite(limit) else 0.0)
    messages, buffer = [], bytearray()
    try:
        while True:
            wait = kill_at - time.perf_counter()
            if wait <= 0:
                break
            ready, _, _ = select.select([read_end], [], [], min(wait, 3600.0))
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break  # the child closed the pipe: it has ended
            buffer += chunk
            while len(buffer) >= 8:
                (size,) = struct.unpack("<Q", buffer[:8])
                if len(buffer) < 8 + size:
                    break
                messages.append(pickle.loads(bytes(buffer[8 : 8 + size])))
                del buffer[: 8 + size]
    finally:
        os.close(read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        try:
            peak_mb = os.wait4(pid, 0)[2].ru_maxrss / 1024
        except ChildProcessError:  # reaped already (SIGCHLD ignored by the host process)
            peak_mb = 0.0
    return messages, peak_mb


def _cap_memory(budget_mb: float) -> None:
    """Cap the child's address space at what it has now (shared with the parent) plus the
    budget: past it, HiGHS's allocations fail and the child ends."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        now = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    cap = int(now + budget_mb * 2**20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _send(fd: int | None, messages: list[tuple], msg: tuple) -> None:
    if fd is None:
        messages.append(msg)
        return
    data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _run(job: _Job, fd: int | None) -> list[tuple]:
    """Solve with HiGHS, reporting as it goes (to ``fd``, or into the list returned)."""
    messages: list[tuple] = []
    if fd is not None:
        _h._Highs.resetGlobalScheduler(True)  # the parent's HiGHS threads did not come along
    highs = _h._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    if job.relax:
        highs.setOptionValue("solver", "ipm")
    left = job.deadline - time.perf_counter()
    if math.isfinite(left):
        highs.setOptionValue("time_limit", max(left, 0.001))
    lp = _h.HighsLp()
    n, m = job.c.size, job.a.shape[0]
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.asarray(job.c, dtype=float)
    lp.col_lower_ = np.asarray(job.lb, dtype=float)
    lp.col_upper_ = np.asarray(job.ub, dtype=float)
    lp.row_lower_ = np.asarray(job.row_lb, dtype=float)
    lp.row_upper_ = np.asarray(job.row_ub, dtype=float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
    lp.a_matrix_.format_ = _h.MatrixFormat.kColwise
    lp.a_matrix_.start_ = job.a.indptr
    lp.a_matrix_.index_ = job.a.indices
    lp.a_matrix_.value_ = job.a.data.astype(float)
    is_mip = bool(job.integer.any())
    if is_mip:
        lp.integrality_ = [
            _h.HighsVarType.kInteger if i else _h.HighsVarType.kContinuous for i in job.integer
        ]
    highs.passModel(lp)
    if is_mip and job.start is not None:
        cols = np.flatnonzero(job.integer)
        vals = np.asarray(job.start, dtype=float)[cols]
        given = np.isfinite(vals)
        highs.setSolution(int(given.sum()), cols[given].astype(np.int32), vals[given])
    state = {"bound": -math.inf, "sent": 0.0}
    integer = job.integer

    def callback(kind: Any, _message: str, out: Any, into: Any, _user: Any) -> None:
        now = time.perf_counter()
        if kind == _h.cb.HighsCallbackType.kCallbackMipImprovingSolution:
            x = np.asarray(out.mip_solution, dtype=float)
            _send(fd, messages, ("solution", now, float(out.objective_function_value), x[integer]))
        elif kind == _h.cb.HighsCallbackType.kCallbackMipInterrupt:
            bound = float(out.mip_dual_bound)
            if bound > state["bound"] and now - state["sent"] > 0.2 and math.isfinite(bound):
                state["bound"], state["sent"] = bound, now
                _send(fd, messages, ("bound", bound))
        if now >= job.deadline:
            into.user_interrupt = True

    highs.setCallback(callback, None)
    kinds = [_h.cb.HighsCallbackType.kCallbackSimplexInterrupt]
    kinds += [_h.cb.HighsCallbackType.kCallbackIpmInterrupt] if job.relax else []
    if is_mip:
        kinds += [
            _h.cb.HighsCallbackType.kCallbackMipInterrupt,
            _h.cb.HighsCallbackType.kCallbackMipImprovingSolution,
        ]
    for kind in kinds:
        highs.startCallback(kind)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == _h.HighsModelStatus.kInfeasible:
        _send(fd, messages, ("infeasible",))
        return messages
    optimal = status == _h.HighsModelStatus.kOptimal
    objective = float(info.objective_function_value)
    has_x = info.primal_solution_status == _h.kSolutionStatusFeasible and (is_mip or optimal)
    solution = highs.getSolution() if has_x else None
    x = np.array(solution.col_value) if solution is not None else None
    row_dual = np.array(solution.row_dual) if solution is not None and not is_mip else None
    if is_mip:
        bound = float(info.mip_dual_bound)
        bound = bound if math.isfinite(bound) else -math.inf
    else:
        bound = objective if optimal else -math.inf
    if status == _h.HighsModelStatus.kMemoryLimit:
        kind = "memory"
    elif optimal:
        kind = "optimal"
    elif status in (_h.HighsModelStatus.kTimeLimit, _h.HighsModelStatus.kInterrupt):
        kind = "time_limit"
    else:
        kind = "failed"
    _send(
        fd, messages, ("done", kind, objective if x is not None else math.inf, bound, x, row_dual)
    )
    return messages
