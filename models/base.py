"""Shared building blocks of the domain vocabulary.

Every domain record is a frozen pydantic model that refuses unknown fields, so a typo in an
input file is reported instead of silently ignored.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError


class DomainModel(BaseModel):
    """Base of every domain record: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


T = TypeVar("T")


def _canonical_order(value: Any) -> tuple[int, str]:
    """Enum members in their declared order (Monday first), other values by their text."""
    if isinstance(value, Enum):
        return (list(type(value)).index(value), "")
    return (0, str(value))


def _sorted_list(values: frozenset[Any]) -> list[Any]:
    return sorted(values, key=_canonical_order)


SortedSet = Annotated[frozenset[T], PlainSerializer(_sorted_list)]
"""A set that serialises as a sorted list, so equal records give byte-identical JSON whatever
the interpreter's hash seed (reproducible input hashes and outputs)."""

RecordId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"),
]
"""Identifier of a record: letters, digits and ``_ . : -``; pseudonymous for clients."""


def _language_code(value: str) -> str:
    return value.lower()


LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}$"),
    AfterValidator(_language_code),
]
"""An ISO 639 language code, normalised to lower case at the edge: ``"FI"`` and ``"fi"`` are
the same language, so a capitalised code in an import still matches (ISO 639 codes are written
in lower case; case carries no meaning)."""

YES_WORDS = frozenset({"kyllä", "k", "ja", "j", "yes", "y", "x", "1", "true", "tosi"})
NO_WORDS = frozenset({"ei", "e", "nej", "n", "no", "0", "false", "epätosi"})


def yes_no(value: Any) -> Any:
    """A yes/no answer as a bool: Finnish (kyllä/ei), Swedish (ja/nej), English (yes/no), a
    cross ``x``, 1/0 or true/false, in any case; anything else is refused, never guessed."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    raise ValueError(
        f"{value!r} is not a yes/no answer (kyllä/ei, ja/nej, yes/no, x, 1/0, true/false)"
    )


YesNo = Annotated[bool, BeforeValidator(yes_no)]
"""A yes/no field that reads the answers of Finnish and Swedish forms and spreadsheets."""

MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
"""Statistics Finland's three-digit municipality number (kuntanumero), e.g. ``"564"`` Oulu."""


class Weekday(StrEnum):
    """A day of the week, as the schedules of clients and placements name them."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAY_ORDER: tuple[Weekday, ...] = tuple(Weekday)


class Location(DomainModel):
    """A point in WGS84 degrees; used only to estimate travel time, never shown to planners."""

    lat: float = Field(ge=59.0, le=70.5, description="Latitude in degrees (Finland's range).")
    lon: float = Field(ge=19.0, le=32.0, description="Longitude in degrees (Finland's range).")


def field_error(title: str, field: str, code: str, message: str, value: Any) -> ValidationError:
    """A validation error located at ``field`` of a record, for model validators.

    Raised inside a validator, its location nests under the record's own path, so the caller
    sees e.g. ``placements[3].min_hours_per_day`` rather than just ``placements[3]``.
    """
    detail = InitErrorDetails(type=PydanticCustomError(code, message), loc=(field,), input=value)
    return ValidationError.from_exception_data(title, [detail])
