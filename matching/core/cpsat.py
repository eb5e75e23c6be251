"""Exact two-phase model in CP-SAT, the same 0-1 model as the HiGHS back end.

Building: variables and rows go straight into the ``CpModel``'s proto. Creating a Python
``IntVar`` per arc with ``new_bool_var`` costs about 6 us per arc (measured, OR-Tools 9.15), so
one copied variable proto is extended m times instead, and rows take lists of variable
indices. Item rows and conflict rows are ``at_most_one`` / ``exactly_one`` constraints, which
CP-SAT propagates as cliques; seat and resource rows are linear constraints.

Objectives are minimised as their negation (CP-SAT minimises); values and bounds are negated
back. Hints go into ``solution_hint`` (the proto behind ``CpModel.add_hint``), in full.

Determinism: a fixed ``random_seed``; with one worker the search is sequential and
reproducible, with several workers ``interleave_search`` runs them in a fixed interleaved
order, which is reproducible too (while no time limit binds).
"""

import numpy as np
from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from matching.core.errors import SolverError
from matching.core.exact import PhaseOutcome
from matching.core.linear import ROW_CONFLICT, ROW_ITEM, LinearProgram
from matching.core.problem import BoolArray, IntArray


class CpSatPhaseSolver:
    """Solves the phases of one ``LinearProgram`` with CP-SAT; implements ``PhaseSolver``."""

    name = "cpsat"

    def __init__(self, model: LinearProgram, seed: int = 0, num_workers: int = 1) -> None:
        self._model = model
        self._seed = seed
        self._num_workers = num_workers
        self._cp = cp_model.CpModel()
        self._placed_row: cmh.ConstraintProto | None = None
        _add_variables(self._cp, model)
        _add_rows(self._cp, model)

    def solve_phase(
        self,
        objective: IntArray,
        min_placed: int | None,
        hint: BoolArray | None,
        time_limit_s: float,
        relative_gap: float,
    ) -> PhaseOutcome:
        """Maximise ``objective . x`` with CP-SAT; see ``PhaseSolver``."""
        proto = self._cp.proto
        if min_placed is not None:
            self._require_placed(min_placed)
        proto.clear_objective()
        ids = np.flatnonzero(objective)
        proto.objective.vars.extend(ids.tolist())
        proto.objective.coeffs.extend((-objective[ids]).tolist())
        proto.clear_solution_hint()
        if hint is not None:
            proto.solution_hint.vars.extend(range(self._model.n_vars))
            proto.solution_hint.values.extend(hint.astype(np.int64).tolist())

        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.max_time_in_seconds = time_limit_s
        parameters.random_seed = self._seed
        parameters.num_workers = self._num_workers
        parameters.interleave_search = self._num_workers > 1
        parameters.relative_gap_limit = relative_gap
        parameters.absolute_gap_limit = 0.5  # integer objective: a gap below 1 is a proof
        parameters.log_search_progress = False
        status = solver.solve(self._cp)
        detail = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            x = np.asarray(solver.response_proto.solution, dtype=np.int64) > 0
            return PhaseOutcome(x, -float(solver.best_objective_bound), detail=detail)
        if status == cp_model.INFEASIBLE:
            return PhaseOutcome(None, -np.inf, infeasible=True, detail=detail)
        if status == cp_model.UNKNOWN:
            # No solution within the limit. The reported bound is not reliable then (it can be
            # the default 0 when the limit hits during presolve), so claim none.
            return PhaseOutcome(None, np.inf, detail=detail)
        if status == cp_model.MODEL_INVALID:
            raise SolverError(f"CP-SAT: model invalid: {self._cp.validate()}")
        raise SolverError(f"CP-SAT: unexpected status {detail}")

    def _require_placed(self, min_placed: int) -> None:
        """Add (once) or update the row ``placed_coef . x >= min_placed``."""
        coef = self._model.placed_coef
        if self._placed_row is None:
            columns = np.flatnonzero(coef)
            self._placed_row = self._cp.proto.constraints.add()
            self._placed_row.linear.vars.extend(columns.tolist())
            self._placed_row.linear.coeffs.extend(coef[columns].tolist())
        domain = self._placed_row.linear.domain
        domain.clear()
        domain.extend([min_placed, int(coef.sum())])


def _add_variables(cp: cp_model.CpModel, model: LinearProgram) -> None:
    """One 0-1 variable per arc (fixed to 1 where ``var_lower`` says so)."""
    free = cmh.IntegerVariableProto()
    free.domain.extend([0, 1])
    fixed = cmh.IntegerVariableProto()
    fixed.domain.extend([1, 1])
    cp.proto.variables.extend([fixed if low else free for low in model.var_lower.tolist()])


def _add_rows(cp: cp_model.CpModel, model: LinearProgram) -> None:
    """Item and conflict rows as clique constraints, the others as linear constraints."""
    indptr = model.matrix.indptr.tolist()
    columns = model.matrix.indices.tolist()
    coefficients = model.matrix.data.tolist()
    kinds = model.row_kind.tolist()
    lowers, uppers = model.row_lower.tolist(), model.row_upper.tolist()
    constraints = cp.proto.constraints
    for r, kind in enumerate(kinds):
        literals = columns[indptr[r] : indptr[r + 1]]
        constraint = constraints.add()
        if kind == ROW_ITEM and lowers[r] == 1:
            constraint.exactly_one.literals.extend(literals)
        elif kind in (ROW_ITEM, ROW_CONFLICT):
            constraint.at_most_one.literals.extend(literals)
        else:
            constraint.linear.vars.extend(literals)
            constraint.linear.coeffs.extend(coefficients[indptr[r] : indptr[r + 1]])
            constraint.linear.domain.extend([lowers[r], uppers[r]])
