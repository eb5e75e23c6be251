"""Synthetic site addresses and contact persons of the sample county's placements.

Everything here is made up by seeded draws from the short lists below: street names are
common Finnish street-name words, postal codes are five digits in the 90000–99999 range
of the region, contact persons are combinations of common first names and surnames,
phones use the unassigned "+358 000" prefix, and e-mail addresses the reserved
``.example`` domain (RFC 2606), so no address, phone or mailbox of anyone is produced.

The draws come from their own random stream (seeded from the county's seed), so adding
these fields changes none of the county's other values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STREETS = (
    "Koulukatu",
    "Kirkkotie",
    "Asemakatu",
    "Teollisuustie",
    "Myllytie",
    "Puistokatu",
    "Kauppakatu",
    "Rantatie",
    "Sahatie",
    "Torikatu",
    "Pajakuja",
    "Urheilutie",
    "Kivikatu",
    "Lukiotie",
    "Meijerintie",
    "Verstaankatu",
)
FIRST_NAMES = (
    "Anne",
    "Heikki",
    "Johanna",
    "Kari",
    "Laura",
    "Markku",
    "Niina",
    "Petri",
    "Satu",
    "Tuomas",
    "Elina",
    "Jukka",
)
SURNAMES = (
    "Mäkinen",
    "Nieminen",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
    "Tuominen",
    "Rantanen",
)
TITLES = ("työnohjaaja", "yksikön esihenkilö", "työvalmentaja", "vastaava ohjaaja")
CONTACT_SHARE = 0.85
"""Share of placements whose contact person is on record (the rest show "not given")."""
ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "A", "Ö": "O", "Å": "A"})

SiteFields = dict[str, str | None]


def site_contacts(seed: int, post_offices: Sequence[str]) -> list[SiteFields]:
    """Address and contact person of each placement; ``post_offices[i]`` is the name of the
    municipality of placement ``i`` (used as its post office)."""
    rng = np.random.default_rng([seed, 0x5173])
    out: list[SiteFields] = []
    for office in post_offices:
        street = STREETS[int(rng.integers(len(STREETS)))]
        number = int(rng.integers(1, 60))
        postal = f"9{int(rng.integers(0, 10_000)):04d}"
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = SURNAMES[int(rng.integers(len(SURNAMES)))]
        title = TITLES[int(rng.integers(len(TITLES)))]
        phone = f"+358 000 {int(rng.integers(0, 1000)):03d} {int(rng.integers(0, 1000)):03d}"
        known = bool(rng.random() < CONTACT_SHARE)
        mailbox = f"{first}.{last}".lower().translate(ASCII)
        town = office.lower().translate(ASCII).replace(" ", "-")
        out.append(
            {
                "street_address": f"{street} {number}",
                "postal_code": postal,
                "post_office": office,
                "contact_person": f"{first} {last}, {title}" if known else None,
                "contact_phone": phone if known else None,
                "contact_email": f"{mailbox}@{town}.example" if known else None,
            }
        )
    return out
