"""The law page, ``docs/law.md``, generated from the code: every rule with its source, every
value of the regime in each shipped version, and the versions' dates and sources.

Sources of the page (nothing is written by hand):

* the engine's rule registry (``matching.rules.REGISTRY``), in its order;
* the eligibility rules on a client record (``models.eligibility.ELIGIBILITY_RULES``);
* the period's rule (``models.cooperation.period_issues``), the attendance rules
  (``matching.cooperation.attendance.RULES``) and the payer of a day
  (``matching.cooperation.money.day_payer``);
* the regime's fields (``models.regime.LegalRegime``: description and default) and the
  shipped versions (``models.regime.SHIPPED_HISTORY``).

``python -m matching law -o docs/law.md`` writes it; ``tests/test_law_page.py`` fails when the
file and the code disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from matching.cooperation import attendance
from matching.cooperation.money import day_payer
from matching.rules import REGISTRY
from models.cooperation import period_issues
from models.eligibility import ELIGIBILITY_RULES
from models.regime import SHIPPED_HISTORY, LegalRegime, RegimeVersion

__all__ = ["law_page", "sources_of", "summary_of"]


def summary_of(function: Callable[..., Any]) -> str:
    """The first line of a rule's docstring."""
    lines = (function.__doc__ or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def sources_of(function: Callable[..., Any]) -> list[str]:
    """The citations of a rule's ``Source:`` line (its continuation lines joined)."""
    lines = [line.strip() for line in (function.__doc__ or "").splitlines()]
    for k, line in enumerate(lines):
        if line.startswith("Source: "):
            text = line.removeprefix("Source: ")
            for more in lines[k + 1 :]:
                if not more:
                    break
                text += " " + more
            return [part.strip() for part in text.rstrip(".").split("; ")]
    return []


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _date(day: date | None) -> str:
    return f"{day.day}.{day.month}.{day.year}" if day is not None else "–"


def _value(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "–"
        return "; ".join(f"{_value(k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return ", ".join(_value(v) for v in value) or "–"
    if value is None:
        return "–"
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _rule_rows(rules: Iterable[tuple[str, str, Callable[..., Any]]]) -> list[str]:
    rows = ["| Rule | What it does | Source |", "|---|---|---|"]
    for name, kind, function in rules:
        sources = "<br>".join(_cell(s) for s in sources_of(function)) or "–"
        rows.append(f"| `{name}` ({kind}) | {_cell(summary_of(function))} | {sources} |")
    return rows


def _versions_table(versions: tuple[RegimeVersion, ...]) -> list[str]:
    rows = ["| Version | Status | Valid from | Valid until | Sources |", "|---|---|---|---|---|"]
    for v in versions:
        valid_from = _date(v.valid_from) if v.valid_from else "not confirmed (the county sets it)"
        rows.append(
            f"| `{v.id}`: {_cell(v.title)} | {v.status.value} | {valid_from} | "
            f"{_date(v.valid_until)} | {'<br>'.join(_cell(s) for s in v.sources)} |"
        )
    return rows


def _values_table(versions: tuple[RegimeVersion, ...]) -> list[str]:
    header = "| Setting | " + " | ".join(f"`{v.id}`" for v in versions) + " | Source |"
    rows = [header, "|---|" + "---|" * len(versions) + "---|"]
    for name, info in LegalRegime.model_fields.items():
        values = " | ".join(_cell(_value(getattr(v.regime, name))) for v in versions)
        rows.append(f"| `{name}` | {values} | {_cell(info.description or '')} |")
    return rows


def law_page(versions: tuple[RegimeVersion, ...] = SHIPPED_HISTORY.versions) -> str:
    """The whole page as Markdown."""
    engine = [(rule.name, f"{rule.level}, {rule.kind}", rule.function) for rule in REGISTRY]
    eligibility = [(name, "client record", fn) for name, fn in ELIGIBILITY_RULES]
    cooperation: list[tuple[str, str, Callable[..., Any]]] = [
        ("period_issues", "period", period_issues),
        *((fn.__name__, "attendance", fn) for fn in attendance.RULES),
        ("day_payer", "money", day_payer),
    ]
    lines = [
        "# The law in Paikka",
        "",
        "Generated from the code by `python -m matching law -o docs/law.md`; "
        "`tests/test_law_page.py` fails when this page and the code disagree. "
        "Do not edit by hand.",
        "",
        "Every rule is one function with its source; every number and choice of the law is a "
        "setting of the regime, kept as dated versions. The version in force on a day applies: "
        "the planning date for a run, the day for attendance and money, the agreement's start "
        "for an agreement. A proposed version applies only where a scenario names it.",
        "",
        "## Regime versions",
        "",
        *_versions_table(versions),
        "",
        "## Settings of the regime in each version",
        "",
        *_values_table(versions),
        "",
        "## Rules of the engine (each pair, capacity and score)",
        "",
        *_rule_rows(engine),
        "",
        "## Rules on a client record (every write and every run's screen)",
        "",
        *_rule_rows(eligibility),
        "",
        "## Rules of the period, the days and the money",
        "",
        *_rule_rows(cooperation),
        "",
    ]
    return "\n".join(lines)
