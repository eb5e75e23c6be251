"""``docs/law.md`` is the law page generated from the code: it must match the rule registry
and the regime's versions exactly, and name every rule and every setting."""

from __future__ import annotations

from pathlib import Path

from matching.cooperation import attendance
from matching.lawpage import law_page, sources_of
from matching.rules import REGISTRY
from models.eligibility import ELIGIBILITY_RULES
from models.regime import SHIPPED_HISTORY, LegalRegime

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "law.md"


def test_the_law_page_matches_the_code() -> None:
    """Regenerate with ``python -m matching law -o docs/law.md`` when this fails."""
    assert PAGE.read_text(encoding="utf-8") == law_page()


def test_the_page_names_every_rule_setting_and_version() -> None:
    page = law_page()
    names = [r.name for r in REGISTRY] + [name for name, _ in ELIGIBILITY_RULES]
    names += [fn.__name__ for fn in attendance.RULES] + ["period_issues", "day_payer"]
    for name in names:
        assert f"`{name}`" in page, name
    for field in LegalRegime.model_fields:
        assert f"| `{field}` |" in page, field
    for version in SHIPPED_HISTORY.versions:
        assert f"`{version.id}`" in page and version.status.value in page


def test_every_legal_rule_on_the_page_has_a_source() -> None:
    for name, rule in ELIGIBILITY_RULES:
        assert sources_of(rule), name
    for rule in REGISTRY:
        assert sources_of(rule.function), rule.name
    for fn in (attendance.holiday, attendance.replacement_day, attendance.too_many_days):
        assert sources_of(fn), fn.__name__


def test_a_changed_value_changes_the_page() -> None:
    changed = SHIPPED_HISTORY.versions[0].model_copy(
        update={"regime": LegalRegime(max_days_per_week=3)}
    )
    assert law_page((changed,)) != law_page((SHIPPED_HISTORY.versions[0],))
    assert "| `max_days_per_week` | 3 |" in law_page((changed,))
