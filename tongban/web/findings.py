"""Findings in the workbench (数据比对疑点): listed per region, reviewed at the paying agency.

A data match (a hire, contributions, a national comparison record) suspends a benefit and
opens a ``finding_review`` task at the paying region's agency; a reviewer confirms it (the
benefit ends) or lifts it (it runs again), with reasons. Nothing here decides by itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.core import clock
from tongban.core.audit import audit_view
from tongban.core.errors import NotFound
from tongban.integrity import services as integrity_services
from tongban.integrity.selectors import finding_get, findings_of_region
from tongban.regions.selectors import StaffInfo
from tongban.web.office import actor_of, page_of, staff_required
from tongban.web.refusals import Refusal
from tongban.web.writes import new_key, submit_once

STATUSES = ("open", "confirmed", "lifted", "superseded")


def _may_see(staff: StaffInfo, finding: Any) -> bool:
    """The paying region's agency decides; its staff and supervisors of that region see."""
    return bool(finding.paying_region_id == staff.region.pk)


@staff_required
def findings_list(request: HttpRequest, staff: StaffInfo) -> HttpResponse:
    status = request.GET.get("status") or "open"
    if status not in STATUSES:
        status = "open"
    rows = findings_of_region(region_code=staff.region.code, status=status)
    page = page_of(request, rows)
    return render(
        request,
        "office/findings.html",
        {
            "staff": staff,
            "section": "findings",
            "page": page,
            "status": status,
            "statuses": STATUSES,
            "today": clock.today(),
        },
    )


@staff_required
def finding_page(request: HttpRequest, staff: StaffInfo, reference: str) -> HttpResponse:
    today = clock.today()
    try:
        finding = finding_get(reference=reference)
    except NotFound:
        finding = None
    if finding is None or not _may_see(staff, finding):
        return render(
            request,
            "office/case_missing.html",
            {"reference": reference, "staff": staff},
            status=404,
        )
    refusal: Refusal | None = None
    revealed = False
    if request.method == "POST" and request.POST.get("action") == "reveal":
        audit_view(
            actor=actor_of(staff),
            subject_type="person",
            subject_id=finding.person_id,
            what=f"id_number (finding {finding.reference})",
            office_code=staff.office.code,
        )
        revealed = True
    elif request.method == "POST" and request.POST.get("action") == "decide":
        task_id = finding.task_id
        outcome = request.POST.get("outcome", "")
        reasons = request.POST.get("reasons", "").splitlines()
        result, refusal = submit_once(
            request,
            scope=f"user:{staff.user_id}",
            call=lambda: _decide(staff, task_id, outcome, reasons, today),
        )
        if result is not None:
            messages.success(request, result["message"])
            return redirect(request.path)
    can_decide = (
        finding.status == "open"
        and finding.task_id is not None
        and staff.office.pk == finding.office_id
        and staff.has_role("reviewer")
    )
    return render(
        request,
        "office/finding.html",
        {
            "staff": staff,
            "section": "findings",
            "finding": finding,
            "evidence": sorted((str(k), v) for k, v in (finding.evidence or {}).items()),
            "can_decide": can_decide,
            "refusal": refusal,
            "revealed": revealed,
            "key": new_key(),
            "posted": request.POST if refusal else None,
        },
        status=422 if refusal else 200,
    )


def _decide(
    staff: StaffInfo, task_id: int | None, outcome: str, reasons: list[str], as_of: date
) -> dict[str, Any]:
    if task_id is None:
        raise NotFound("This finding has no review task.", code="unknown_task")
    finding = integrity_services.subject_task_decide(
        actor=actor_of(staff),
        staff=staff,
        task_id=task_id,
        outcome=outcome,
        reasons=reasons,
        as_of=as_of,
    )
    if finding.status == "confirmed":
        message = _("Confirmed: the benefit ends; months paid after the event are to be recovered.")
    else:
        message = _("Lifted: the benefit runs again; the held months are paid in the next run.")
    return {"message": message}
