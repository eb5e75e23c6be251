"""Form values to the API's pydantic models, and their errors to texts of the user's
language: the web forms are validated by the same models and crud functions as the API."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from service.web.i18n import Texts


def field_errors(t: Texts, error: ValidationError) -> dict[str, str]:
    """Field name → message in the user's language (the first error of each field)."""
    out: dict[str, str] = {}
    for item in error.errors():
        loc = [str(p) for p in item.get("loc", ()) if not isinstance(p, int)]
        name = loc[0] if loc else "form"
        if name in ("location",) and len(loc) > 1:
            name = loc[1]
        out.setdefault(name, message(t, item))
    return out


def message(t: Texts, item: Any) -> str:
    """One pydantic error in words of the language."""
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return t("err.missing")
    if kind in ("greater_than_equal", "greater_than"):
        return t("err.min", limit=_num(t, ctx.get("ge", ctx.get("gt"))))
    if kind in ("less_than_equal", "less_than"):
        return t("err.max", limit=_num(t, ctx.get("le", ctx.get("lt"))))
    if kind in ("too_short",):
        return t("err.choose_one")
    if kind.startswith("date") or kind == "date_from_datetime_parsing":
        return t("err.date")
    if kind in ("int_parsing", "float_parsing", "int_from_float"):
        return t("err.number")
    if kind in ("enum", "literal_error"):
        return t("err.choice")
    if kind in ("postal_code", "phone", "email"):
        return t("err." + kind)
    field = _field_name(item)
    if kind == "string_pattern_mismatch":
        # Never the pattern itself: the field's own words where it has any.
        return t("err." + field) if field in PATTERN_FIELDS else t("err.format")
    if kind == "string_too_long":
        return t("err.too_long", limit=_num(t, ctx.get("max_length")))
    if kind == "string_too_short":
        return t("err.missing") if ctx.get("min_length") == 1 else t("err.too_short")
    if kind in ("bool_parsing", "bool_type"):
        return t("err.choice")
    # Any other refusal: plain words, never the validator's English or a code.
    return t("err.invalid")


PATTERN_FIELDS = ("phone", "email", "postal_code", "contact_phone", "contact_email")
"""Fields whose pattern errors have words of their own (``err.<field>``)."""


def _field_name(item: Any) -> str:
    names = [str(p) for p in item.get("loc", ()) if not isinstance(p, int)]
    return names[-1] if names else ""


def _num(t: Texts, value: Any) -> str:
    try:
        return t.number(float(value))
    except (TypeError, ValueError):
        return str(value)


def as_list(value: Any) -> list[str]:
    """A form field that may hold one or several values (checkboxes, multi-selects)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v) != ""]
    return [str(value)]


def words(value: Any) -> list[str]:
    """A free-text list field: items separated by commas or semicolons."""
    text = str(value or "")
    return [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]


def number(value: Any) -> Any:
    """A number as a Finn writes it (decimal comma allowed); left as is if not a number."""
    text = str(value or "").strip().replace(",", ".")
    text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if text == "":
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return value


def finnish_date(value: Any) -> Any:
    """A date typed as dd.mm.yyyy (or ISO, as a date input sends it) → ISO text."""
    text = str(value or "").strip()
    if not text:
        return None
    parts = text.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = parts
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return text
