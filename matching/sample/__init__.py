"""Seeded generator of a realistic synthetic county modelled on North Ostrobothnia (Pohde).

``generate_county`` builds a complete :class:`models.AllocationProblem`: the 30 real
municipalities of the wellbeing county with approximate centres and populations
(``matching/data/pohjois_pohjanmaa.json``), plausible commuting areas, producer organisations of
the kinds the law allows (municipal departments, the county's own units, associations,
foundations, parishes; never a company), placements, clients, coaches and the placements that
are already running. Nothing in it describes a real person or a real site.

The shape follows the domain research (``domain.md`` §§ 5–7): placements are short (about
0.6–0.8 seats per client, tighter in the Oulu region than in the countryside), most clients work
two or three days a week for four to six hours, a minority carries opaque work-constraint flags,
youth workshops take only clients under 29, and about a fifth of the clients are already placed,
some of them within the three-month commitment period. The regime requires a written
no-replacement attestation at most 12 months old (THL: the activity must not replace paid work);
most producers attested within the last year, a few attestations have expired or are missing.

The generator is deterministic: the same arguments give an equal problem. It draws every random
number from one ``numpy.random.default_rng(seed)`` in a fixed order, iterates only over sorted
or ordered collections, and vectorises the per-record draws so that 20,000 clients take a few
seconds (most of it building the pydantic records).

``sample_county_json`` renders a problem as pretty JSON (the models write sets sorted, so the
text does not depend on Python's hash seed); ``write_sample_file`` writes it. The small demo county
``matching/data/sample-county.json`` is ``generate_county(120, seed=1)``; regenerate it with
``python -m matching.sample``.

The package follows the generator's steps: ``reference`` (the real municipalities),
``profiles`` (the drawn-from tables, data in ``profiles.yaml``), ``draws`` (vectorised helpers),
``geography``, ``placements``, ``clients``, ``ongoing`` (coaches and running placements),
``preferences``, ``generate`` (the seeded order of it all) and ``files`` (JSON and statistics).
"""

from matching.sample.files import (
    SAMPLE_CLIENTS,
    SAMPLE_SEED,
    describe_county,
    load_sample_county,
    sample_county_json,
    write_sample_file,
)
from matching.sample.generate import DEFAULT_PLANNING_DATE, generate_county
from matching.sample.reference import Centre, CountyData, MunicipalityInfo, county_data

__all__ = [
    "DEFAULT_PLANNING_DATE",
    "SAMPLE_CLIENTS",
    "SAMPLE_SEED",
    "Centre",
    "CountyData",
    "MunicipalityInfo",
    "county_data",
    "describe_county",
    "generate_county",
    "load_sample_county",
    "sample_county_json",
    "write_sample_file",
]
