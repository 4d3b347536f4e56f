"""``GET /statistics``: the contract's headline figures for a period and a view, audited.

The shape is the contract's (``applications``, ``online_share``, ``cross_region_share``,
``on_time_share``, ``by_item``, ``funds``) with extensions beside it; the figures are the
same objects the overview page shows (``figures.headline``, ``funds.fund_coverages``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.regions.selectors import StaffInfo
from tongban.supervision.figures import CHANNELS, headline
from tongban.supervision.funds import fund_coverages
from tongban.supervision.integrity import finding_counts
from tongban.supervision.period import period_parse
from tongban.supervision.scope import scope_for, view_for
from tongban.supervision.services import supervision_view_record


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def statistics_get(
    *,
    actor: Actor,
    staff: StaffInfo | None,
    start: str | None,
    end: str | None,
    region: str | None,
    insured: str | None,
    office: str | None,
    today: date,
) -> dict[str, Any]:
    """The figures, or a refusal (recorded too): no supervision role, a view outside the
    caller's scope, an unknown code, a period out of range."""
    query = {"from": start, "to": end, "region": region, "insured": insured, "office": office}
    query = {k: v for k, v in query.items() if v}
    try:
        scope = scope_for(staff)
        # Without region, insured or office the contract means the province.
        view = view_for(scope, region=region, insured=insured, office=office,
                        default_to_own=False)  # fmt: skip
        period = period_parse(start=start, end=end, today=today, required=True)
    except DomainError as error:
        supervision_view_record(actor=actor, page="api:statistics", query=query,
                                refused=error.code)  # fmt: skip
        raise
    supervision_view_record(actor=actor, page="api:statistics", query=query)
    figures = headline(period=period, view=view)
    totals = figures.totals
    funds: list[dict[str, Any]] = []
    total: dict[str, Any] | None = None
    if view.kind != "office":
        coverages, together = fund_coverages(as_of=period.end, region_code=view.fund_region_code)
        funds = [
            {"region_code": c.region_code, "balance_fen": c.balance_fen,
             "months_of_coverage": _number(c.months)}
            for c in coverages
        ]  # fmt: skip
        total = {"balance_fen": together.balance_fen,
                 "months_of_coverage": _number(together.months)}  # fmt: skip
    integrity = finding_counts(
        region_ids=view.fund_region_ids(), start=period.start, end=period.end
    )
    return {
        "from": period.start,
        "to": period.end,
        "region": view.region.code if view.kind == "region" and view.region else None,
        "view": view.key,
        "applications": totals.applications,
        "online_share": _number(totals.online_share),
        "cross_region_share": _number(figures.cross_region_share),
        "on_time_share": _number(totals.on_time_share),
        "by_item": [
            {
                "code": item.code,
                "applications": c.applications,
                "approved": c.granted,
                "rejected": c.rejected,
                "open": c.open,
                "withdrawn": c.withdrawn,
                "online": c.online,
                "automatic": c.automatic,
                "decided": c.decided,
                "on_time": c.on_time,
            }
            for item, c in figures.by_item
        ],
        "funds": funds,
        "online_goal": float(figures.online_goal),
        "by_channel": [
            {"channel": channel, "applications": totals.by_channel.get(channel, 0)}
            for channel in CHANNELS
        ],
        "counts": {
            "online": totals.online,
            "automatic": totals.automatic,
            "cross_region": figures.cross_region,
            "paying_insured": figures.routed,
            "decided": totals.decided,
            "on_time": totals.on_time,
        },
        "funds_total": total,
        "integrity_findings": {
            "connected": integrity.connected,
            "open": integrity.open if integrity.connected else None,
            "open_by_kind": integrity.open_by_kind,
        },
    }
