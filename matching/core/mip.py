"""Exact two-phase MIP with HiGHS through OR-Tools MathOpt.

Building: the model goes straight into a MathOpt ``ModelProto`` from numpy arrays (repeated
fields extend from arrays in C), and is solved with the same MathOpt core call that
``mathopt.solve`` makes after exporting a ``mathopt.Model`` to that proto. Going through
``mathopt.Model`` instead creates one Python object per variable and per term and parses
results into dicts keyed by them: measured about 12 s per million variables and 9 s per
million terms (``fast_sum``), against 0.2 s for a whole 70,000-arc, 195,000-nonzero model
here (about 5 s at 2 M arcs and 5.4 M nonzeros). Only the chosen arcs come back.

Warm start: HiGHS through MathOpt accepts a solution hint (``ModelSolveParameters
.solution_hints``). A full 0-1 hint is checked for feasibility and, if feasible, becomes the
first incumbent ("X" lines in the HiGHS log); a partial hint would make HiGHS solve a sub-MIP
to complete it, so the hint is always given in full. Phase 2 is seeded with the phase-1
solution, which satisfies the new ``placed >= placed*`` row.

Presolve is off by default. HiGHS's MIP presolve (probing over every binary) does not check
the time limit: on a 2,000-item, 75,000-arc instance it ran 24 s before the root LP, against
a 15 s limit, and it overshot a 30 s limit by 33 s on 18,000 arcs. Without it the root LP
starts at once, the limit holds, and on the instances measured the search did as well or
better (a 1,822-arc instance was proven optimal sooner).

Determinism: HiGHS is deterministic for a fixed ``random_seed``. MathOpt refuses a thread
count for HiGHS (HiGHS sets threads globally), so ``num_workers`` does not apply; HiGHS's MIP
search is sequential anyway.
"""

import datetime

import numpy as np
from ortools.math_opt import model_parameters_pb2, model_pb2, result_pb2, solution_pb2
from ortools.math_opt.core.python import solver as mathopt_core
from ortools.math_opt.python import mathopt

from matching.core.errors import SolverError
from matching.core.exact import PhaseOutcome
from matching.core.linear import LinearProgram
from matching.core.problem import BoolArray, IntArray

# Integer objectives: a gap below 1 already proves optimality; 0.5 leaves room for float noise.
_ABSOLUTE_GAP = 0.5

HIGHS_MAX_COEFFICIENT = 10**9
"""Largest value, score, amount or capacity handed to HiGHS.

HiGHS works in doubles with absolute tolerances around 1e-7 and rejects matrix entries above
1e15 outright; keeping every coefficient below 1e9 keeps each row activity and objective
value exact in a double, with the tolerances far below one unit. Larger data goes to CP-SAT,
which computes in exact integers.
"""


def highs_can_solve(model: LinearProgram) -> bool:
    """True when every coefficient and bound of `model` is at most HIGHS_MAX_COEFFICIENT."""
    largest = max(
        int(np.abs(model.matrix.data).max(initial=0)),
        int(model.row_upper.max(initial=0)),
        int(model.placed_coef.max(initial=0)),
        int(model.quality_coef.max(initial=0)),
    )
    return largest <= HIGHS_MAX_COEFFICIENT


HIGHS_OVERRUN = 1.35
"""HiGHS checks its time limit only between steps (a simplex iteration batch, a node, a
heuristic): on a busy machine it ran 20-35 % past its limit (1,000-client county, load 2-8
on two cores, measured over the robust sweep). Every limit handed to HiGHS is therefore
divided by this factor, so that its real end stays within the engine's own deadline."""


def highs_time_limit(seconds: float) -> datetime.timedelta:
    """The limit to hand HiGHS for it to end within `seconds` (``HIGHS_OVERRUN``)."""
    return datetime.timedelta(seconds=max(seconds, 0.0) / HIGHS_OVERRUN)


class HighsPhaseSolver:
    """Solves the phases of one ``LinearProgram`` with HiGHS; implements ``PhaseSolver``."""

    name = "highs"

    def __init__(self, model: LinearProgram, seed: int = 0, presolve: bool = False) -> None:
        self._model = model
        self._seed = seed
        self._presolve = presolve
        self._proto = model_proto(model)
        self._placed_row: int | None = None

    def solve_phase(
        self,
        objective: IntArray,
        min_placed: int | None,
        hint: BoolArray | None,
        time_limit_s: float,
        relative_gap: float,
    ) -> PhaseOutcome:
        """Maximise ``objective . x`` with HiGHS; see ``PhaseSolver``."""
        if min_placed is not None:
            self._require_placed(min_placed)
        _set_objective(self._proto, objective)
        params = mathopt.SolveParameters(
            time_limit=highs_time_limit(time_limit_s),
            random_seed=self._seed,
            relative_gap_tolerance=relative_gap,
            absolute_gap_tolerance=_ABSOLUTE_GAP,
            enable_output=False,
            presolve=None if self._presolve else mathopt.Emphasis.OFF,
        )
        model_params = model_parameters_pb2.ModelSolveParametersProto()
        # Only the chosen arcs come back, not a value for every arc.
        model_params.variable_values_filter.skip_zero_values = True
        if hint is not None:
            entry = model_params.solution_hints.add()
            entry.variable_values.ids.extend(np.arange(self._model.n_vars, dtype=np.int64))
            entry.variable_values.values.extend(hint.astype(np.float64))
        result = solve_highs_proto(self._proto, params, model_params)
        return _outcome(result, self._model.n_vars)

    def _require_placed(self, min_placed: int) -> None:
        """Add (once) or update the row ``placed_coef . x >= min_placed``."""
        rows = self._proto.linear_constraints
        if self._placed_row is None:
            coef = self._model.placed_coef
            columns = np.flatnonzero(coef)
            self._placed_row = self._model.n_rows
            rows.ids.append(self._placed_row)
            rows.lower_bounds.append(float(min_placed))
            rows.upper_bounds.append(np.inf)
            # Row-major order of the matrix holds: this is the last row.
            matrix = self._proto.linear_constraint_matrix
            matrix.row_ids.extend(np.full(len(columns), self._placed_row, dtype=np.int64))
            matrix.column_ids.extend(columns.astype(np.int64))
            matrix.coefficients.extend(coef[columns].astype(np.float64))
        else:
            rows.lower_bounds[self._placed_row] = float(min_placed)


def model_proto(model: LinearProgram) -> model_pb2.ModelProto:
    """The variables, rows and matrix of `model` as a MathOpt ``ModelProto``."""
    proto = model_pb2.ModelProto()
    m = model.n_vars
    variables = proto.variables
    variables.ids.extend(np.arange(m, dtype=np.int64))
    variables.lower_bounds.extend(model.var_lower.astype(np.float64))
    variables.upper_bounds.extend(np.ones(m, dtype=np.float64))
    variables.integers.extend(np.ones(m, dtype=np.bool_))
    rows = proto.linear_constraints
    rows.ids.extend(np.arange(model.n_rows, dtype=np.int64))
    # A lower bound of 0 on a sum of non-negative terms is implied; leave those rows one-sided.
    lower = np.where(model.row_lower > 0, model.row_lower.astype(np.float64), -np.inf)
    rows.lower_bounds.extend(lower)
    rows.upper_bounds.extend(model.row_upper.astype(np.float64))
    row, column, coefficient = model.row_entries()
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row)
    matrix.column_ids.extend(column)
    matrix.coefficients.extend(coefficient.astype(np.float64))
    proto.objective.maximize = True
    return proto


def _set_objective(proto: model_pb2.ModelProto, objective: IntArray) -> None:
    """Replace the linear objective by `objective` (maximised)."""
    coefficients = proto.objective.linear_coefficients
    coefficients.ClearField("ids")
    coefficients.ClearField("values")
    ids = np.flatnonzero(objective)
    coefficients.ids.extend(ids.astype(np.int64))
    coefficients.values.extend(objective[ids].astype(np.float64))


def solve_highs_proto(
    proto: model_pb2.ModelProto,
    params: mathopt.SolveParameters,
    model_params: model_parameters_pb2.ModelSolveParametersProto,
) -> result_pb2.SolveResultProto:
    """Solve a MathOpt model proto with HiGHS through MathOpt's core call.

    The same call ``mathopt.solve`` makes after exporting a ``mathopt.Model``; building the
    proto from numpy skips the per-variable Python objects (see the module docstring).
    """
    try:
        return mathopt_core.solve(
            proto,
            mathopt.SolverType.HIGHS.value,
            mathopt.StreamableSolverInitArguments().to_proto(),
            params.to_proto(),
            model_params,
            None,
            mathopt.CallbackRegistration().to_proto(),
            None,
            None,
        )
    except Exception as error:  # the core raises StatusNotOk for invalid models/params
        raise SolverError(f"HiGHS via MathOpt failed: {error}") from error


def _outcome(result: result_pb2.SolveResultProto, n_vars: int) -> PhaseOutcome:
    """Map every MathOpt termination reason to a ``PhaseOutcome`` or a ``SolverError``."""
    reason = mathopt.TerminationReason(result.termination.reason)
    detail = f"{reason.name}: {result.termination.detail}"
    bound = float(result.termination.objective_bounds.dual_bound)
    if reason in (mathopt.TerminationReason.OPTIMAL, mathopt.TerminationReason.FEASIBLE):
        return PhaseOutcome(_primal(result, n_vars), bound, detail=detail)
    if reason is mathopt.TerminationReason.NO_SOLUTION_FOUND:
        return PhaseOutcome(None, bound, detail=detail)
    if reason in (
        mathopt.TerminationReason.INFEASIBLE,
        # Every variable is bounded, so "infeasible or unbounded" can only mean infeasible.
        mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED,
    ):
        return PhaseOutcome(None, -np.inf, infeasible=True, detail=detail)
    # UNBOUNDED (impossible for a bounded model), IMPRECISE, NUMERICAL_ERROR, OTHER_ERROR.
    raise SolverError(f"HiGHS terminated with {detail}")


def _primal(result: result_pb2.SolveResultProto, n_vars: int) -> BoolArray:
    """The chosen-arc mask of the first (best) primal solution."""
    for solution in result.solutions:
        primal = solution.primal_solution
        if primal.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE:
            values = primal.variable_values
            x = np.zeros(n_vars, dtype=np.bool_)
            ids = np.asarray(values.ids, dtype=np.int64)
            x[ids[np.asarray(values.values, dtype=np.float64) > 0.5]] = True
            return x
    raise SolverError("HiGHS reported a solution but returned no feasible primal values")
