"""Explanations a coordinator can defend: breakdowns, alternatives, reasons, rankings, reports.

Entry points: :func:`explain_run` (a whole run or some clients), :func:`rank_clients` (the
inverse ranking of one placement, existing or new), :func:`run_report`, :func:`envy_pairs`,
:func:`localise` (render every message in a language), and :func:`unplaced_summary` (the week's
unplaced clients and why, as catalogue keys and params a page renders). Documents are in
``matching.explain.documents``; text comes only from ``matching/i18n/<lang>.json``.
"""

from matching.explain.changes import RESOLVE_MAX_ARCS, ChangeEngine
from matching.explain.clients import rule_counts_by_client
from matching.explain.context import Context, ResultMismatch
from matching.explain.documents import ObjectiveChange
from matching.explain.explain import explain_run, localise
from matching.explain.inverse import UnknownPlacement, rank_clients
from matching.explain.report import run_report
from matching.explain.resolve import Budget
from matching.explain.stability import envy_pairs
from matching.explain.unplaced import UnplacedSummary, unplaced_lines, unplaced_summary

__all__ = [
    "RESOLVE_MAX_ARCS",
    "Budget",
    "ChangeEngine",
    "Context",
    "ObjectiveChange",
    "ResultMismatch",
    "UnknownPlacement",
    "UnplacedSummary",
    "envy_pairs",
    "explain_run",
    "localise",
    "rank_clients",
    "rule_counts_by_client",
    "run_report",
    "unplaced_lines",
    "unplaced_summary",
]
