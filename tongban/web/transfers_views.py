"""Transfers in the workbench (关系转移): the region's list, both directions.

A transfer needs no application (免申即办): a new insurance spell in another region moves
the UI relationship; a recipient's residence move carries the remaining benefit to the new
region's fund. Both regions see the same row: out of one fund, into the other.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.regions.selectors import StaffInfo
from tongban.transfers.selectors import transfers_of_region
from tongban.web.office import page_of, staff_required


@staff_required
def transfers_list(request: HttpRequest, staff: StaffInfo) -> HttpResponse:
    rows = transfers_of_region(region_code=staff.region.code)
    page = page_of(request, rows)
    return render(
        request,
        "office/transfers.html",
        {"staff": staff, "section": "transfers", "page": page, "region": staff.region},
    )
