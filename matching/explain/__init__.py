"""Explanations a coordinator can defend: breakdowns, alternatives, reasons, rankings, reports.

Entry points: :func:`explain_run` (a whole run or some clients), :func:`rank_clients` (the
inverse ranking of one placement, existing or new), :func:`run_report`, :func:`envy_pairs`,
and :func:`localise` (render every message in a language). Documents are in
``matching.explain.documents``; text comes only from ``matching/i18n/<lang>.json``.
"""

from matching.explain.context import Context, ResultMismatch
from matching.explain.explain import explain_run, localise
from matching.explain.inverse import UnknownPlacement, rank_clients
from matching.explain.report import run_report
from matching.explain.stability import envy_pairs

__all__ = [
    "Context",
    "ResultMismatch",
    "UnknownPlacement",
    "envy_pairs",
    "explain_run",
    "localise",
    "rank_clients",
    "run_report",
]
