"""The Finnish personal identity code (henkilötunnus): its form, check character and mask.

``DDMMYYCZZZQ``: the birth date, the century sign ``C``, the individual number ``ZZZ`` and the
check character ``Q``, the remainder of the nine digits ``DDMMYYZZZ`` divided by 31 looked up
in ``0123456789ABCDEFHJKLMNPRSTUVWXY``.

Source: Laki väestötietojärjestelmästä ja Digi- ja väestötietoviraston varmennepalveluista
(661/2009) § 11; Digi- ja väestötietovirasto, "Henkilötunnus" and "Henkilötunnuksen
välimerkit muuttuvat 1.1.2023": besides ``+`` (1800s), ``-`` (1900s) and ``A`` (2000s), the
signs ``Y X W V U`` (1900s) and ``B C D E F`` (2000s) are given since 2023. Individual
numbers 002–899 are given to people, 900–999 are the ones used for temporary and test codes.

The code is identifying data: the service stores it only encrypted
(:mod:`service.identity`) and shows it masked (:func:`masked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

CENTURY_SIGNS: dict[str, int] = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
"""Every century sign in use since 1 January 2023, with the century it stands for."""

TEST_INDIVIDUAL_NUMBERS = range(900, 1000)
"""Individual numbers of temporary and test codes: the only ones synthetic data may use."""


class IdentityCodeError(ValueError):
    """A refused identity code; ``code`` names the reason (``identity_code_form``,
    ``identity_code_date``, ``identity_code_check``). The message never repeats the code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IdentityCode:
    """A valid identity code, normalised to upper case."""

    text: str
    birth_date: date
    individual_number: int

    @property
    def masked(self) -> str:
        """What a list shows: birth date and century sign, then ``***`` and the check
        character (``010190-***X``)."""
        return masked(self.text)


def check_character(birth: str, individual: str) -> str:
    """The check character of ``DDMMYY`` and ``ZZZ``."""
    return CHECK_CHARACTERS[int(birth + individual) % 31]


def parse_identity_code(value: str) -> IdentityCode:
    """The identity code ``value`` checked (form, century sign, a real birth date, the
    individual number 002–999 and the check character), or :class:`IdentityCodeError`."""
    text = value.strip().upper()
    if (
        len(text) != 11
        or not text[:6].isdigit()
        or text[6] not in CENTURY_SIGNS
        or not text[7:10].isdigit()
        or not text[:6].isascii()
        or not text[7:10].isascii()
    ):
        raise IdentityCodeError(
            "identity_code_form", "not of the form DDMMYYCZZZQ with a century sign in use"
        )
    try:
        born = date(CENTURY_SIGNS[text[6]] + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError as exc:
        raise IdentityCodeError("identity_code_date", "its birth date does not exist") from exc
    individual = int(text[7:10])
    if individual < 2:
        raise IdentityCodeError("identity_code_form", "individual numbers start from 002")
    if text[10] != check_character(text[:6], text[7:10]):
        raise IdentityCodeError("identity_code_check", "its check character does not match")
    return IdentityCode(text, born, individual)


def masked(code: str) -> str:
    """``010190-123X`` → ``010190-***X``."""
    return f"{code[:7]}***{code[10:]}"


def synthetic_identity_code(born: date, individual: int, sign: str | None = None) -> str:
    """A valid code for sample data: a made-up birth date and a test individual number
    (900–999) only, so that it can never be a real person's code."""
    if individual not in TEST_INDIVIDUAL_NUMBERS:
        raise ValueError("synthetic identity codes use the test numbers 900-999 only")
    century = born.year // 100 * 100
    signs = [s for s, c in CENTURY_SIGNS.items() if c == century]
    if not signs:
        raise ValueError(f"no century sign for {born.year}")
    chosen = sign if sign in signs else signs[0]
    birth = born.strftime("%d%m") + f"{born.year % 100:02d}"
    number = f"{individual:03d}"
    return f"{birth}{chosen}{number}{check_character(birth, number)}"
