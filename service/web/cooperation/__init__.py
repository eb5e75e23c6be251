"""The cooperation cycle's pages, from the site's confirmation to the onward path.

* the placement contact: accepted proposals waiting for our answer (only what the client
  agreed to share), confirm or decline with a reason; the site's feedback at a period's end;
* the coordinator: the declined pairs with the site's reason, the start meeting, the activity
  agreement (drafted → agreed or cancelled; printable in Finnish and Swedish), the period from
  an agreed agreement, its start notice, days, extensions, end and onward path, the client's
  feedback in their language, and the month's Kela report with its downloads;
* the coach: their own clients' periods and attendance;
* the planner: onward paths by placement, task category, municipality and age band.

Every rule is the crud layer's and the engine's (``service.crud.cooperation`` and its
siblings, ``models.cooperation``, ``matching.cooperation``): a refusal comes back as a
pydantic ``ValidationError`` located at a field, or an ``OutOfOrder`` with its code, and is
shown next to that field in the words of ``matching.cooperation.texts``.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.web.cooperation import agreements, feedback, overview, periods, reports, site

router = APIRouter(include_in_schema=False)
for _module in (site, overview, agreements, periods, feedback, reports):
    router.include_router(_module.router)

__all__ = ["router"]
