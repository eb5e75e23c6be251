"""The activity agreement as a print-friendly HTML page, in Finnish, Swedish or English.

A plain function over the records, with the words of ``texts.CATALOGUE``: the service returns
the page and the browser prints it (A4, the print stylesheet hides nothing the parties sign).
Every value from a record is HTML-escaped. Amounts and limits in the standard paragraphs come
from :class:`models.benefits.BenefitRules`, so a new rate prints without a code change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape

from matching.cooperation.texts import DEFAULT_ORGANISER, text
from models.base import WEEKDAY_ORDER
from models.benefits import BenefitRules
from models.cooperation import ActivityAgreement, AgreementStatus, StartMeeting

__all__ = ["agreement_html"]

_STYLE = """
body { font-family: "Source Sans 3", Arial, sans-serif; font-size: 11pt; line-height: 1.4;
       max-width: 46em; margin: 2em auto; color: #111; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 12pt; margin: 1.2em 0 0.3em; border-bottom: 1px solid #999; }
dl { display: grid; grid-template-columns: 14em 1fr; gap: 0.2em 1em; margin: 0; }
dt { font-weight: 600; }
dt::first-letter, .signature::first-letter { text-transform: uppercase; }
dd { margin: 0; white-space: pre-wrap; }
.mark { font-size: 20pt; font-weight: 700; color: #a00; letter-spacing: 0.2em; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 3.5em 2em; margin-top: 3.5em; }
.signature { border-top: 1px solid #000; padding-top: 0.2em; font-size: 9pt; }
.small { font-size: 9.5pt; }
@page { size: A4; margin: 18mm; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _date(day: date | None) -> str:
    return f"{day.day}.{day.month}.{day.year}" if day is not None else ""


def _number(value: float | Decimal, decimals: int | None = None) -> str:
    shown = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    return shown.replace(".", ",")


def _row(label: str, value: str) -> str:
    return f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"


def agreement_html(
    agreement: ActivityAgreement,
    placement_name: str,
    lang: str = "fi",
    meeting: StartMeeting | None = None,
    rules: BenefitRules | None = None,
    organiser: str = DEFAULT_ORGANISER,
) -> str:
    """The agreement as a complete HTML document in ``lang`` (fi, sv or en), naming the
    organiser of the regime in force on the agreement's start (``LegalRegime.organiser``)."""
    rules = rules or BenefitRules()
    a = agreement

    def t(key: str) -> str:
        return text(key, lang, organiser)

    mark = ""
    if a.status is AgreementStatus.DRAFTED:
        mark = f'<p class="mark">{escape(t("agreement.draft"))}</p>'
    elif a.status is AgreementStatus.CANCELLED:
        mark = f'<p class="mark">{escape(t("agreement.cancelled"))}</p>'
    weekdays = ", ".join(t(f"weekday.{d.value}") for d in WEEKDAY_ORDER if d in a.weekdays)
    schedule = (
        f"{weekdays} · {a.weekly_days} {t('agreement.days_per_week')} · "
        f"{_number(a.hours_per_day)} {t('agreement.hours_per_day')}"
    )
    child = rules.category("child_illness")
    own = rules.category("own_illness")
    absence_rules = t("agreement.absence_rules").format(
        child_days=child.max_days if child is not None and child.max_days else "–",
        certificate_days=(
            own.certificate_after_days if own is not None and own.certificate_after_days else "–"
        ),
    )
    money = t("agreement.money").format(amount=_number(rules.expense_allowance_eur, 2))
    meeting_part = ""
    if meeting is not None:
        people = "; ".join(f"{p.name} ({t(f'role.{p.role.value}')})" for p in meeting.participants)
        meeting_part = (
            f"<h2>{escape(t('agreement.meeting'))}</h2><dl>"
            + _row(t("agreement.meeting_when_where"), f"{_date(meeting.held_on)}, {meeting.place}")
            + _row(t("agreement.participants"), people)
            + "</dl>"
        )
    contacts = "".join(
        _row(
            t(f"role.{c.role.value}"),
            " · ".join(part for part in (c.name, c.phone, c.email) if part),
        )
        for c in a.contact_persons
    )
    signers = ("role.client", "role.coordinator", "role.site_supervisor")
    signatures = "".join(
        f'<div class="signature">{escape(t(role))}<br>{escape(t("agreement.date_and_place"))}</div>'
        for role in signers
    )
    agreed = (
        f"<p>{escape(t('agreement.agreed_on'))}: {_date(a.agreed_on)}</p>" if a.agreed_on else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(t('agreement.title'))}</title><style>{_STYLE}</style></head><body>"
        f"{mark}<h1>{escape(t('agreement.title'))}</h1>"
        f'<p class="small">{escape(t("agreement.organiser"))}</p>'
        f"{meeting_part}"
        f"<h2>{escape(t('agreement.placement'))}</h2><dl>"
        + _row(t("agreement.placement"), placement_name)
        + _row(t("agreement.tasks"), a.tasks)
        + (_row(t("agreement.goals"), a.goals) if a.goals else "")
        + (_row(t("agreement.support"), a.support) if a.support else "")
        + f"</dl><h2>{escape(t('agreement.schedule'))}</h2><dl>"
        + _row(t("agreement.weekdays"), schedule)
        + f"</dl><h2>{escape(t('agreement.dates'))}</h2><dl>"
        + _row(t("agreement.start_date"), _date(a.start_date))
        + _row(t("agreement.first_review_date"), _date(a.first_review_date))
        + _row(t("agreement.end_date"), _date(a.end_date))
        + "</dl>"
        + (f"<h2>{escape(t('agreement.contacts'))}</h2><dl>{contacts}</dl>" if contacts else "")
        + f"<h2>{escape(t('agreement.when_absent'))}</h2>"
        f"<p>{escape(a.when_absent)}</p>"
        f'<p class="small">{escape(absence_rules)}</p>'
        f'<p class="small">{escape(money)}</p>'
        f'<p class="small">{escape(t("agreement.not_employment"))}</p>'
        f"{agreed}<h2>{escape(t('agreement.signatures'))}</h2>"
        f'<div class="signatures">{signatures}</div>'
        "</body></html>\n"
    )
