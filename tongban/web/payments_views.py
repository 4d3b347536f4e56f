"""The fund's payment runs (待遇发放): run a month, see each run, the three-way reconciliation, debts.

Finance staff of a region run their own fund's month; supervisors and administrators
look. A run is one service call (``payrun_execute``), sent once per submission key.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tongban.benefits.payrun import payrun_execute
from tongban.benefits.reconciliation import reconciliation
from tongban.benefits.selectors import overpayments_open, payment_runs
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.identifiers import mask_id_number
from tongban.core.money import format_yuan
from tongban.web.finance_views import Scope, finance_page, render_report
from tongban.web.reports import Row, Table, count, differences_table, money, text
from tongban.web.writes import new_key, submit_once

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _month(value: str) -> date | None:
    match = MONTH.fullmatch(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


@finance_page
def payments_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    today = clock.today()
    errors: list[str] = []
    can_run = scope.region_code is not None and scope.staff.has_role("finance")
    if request.method == "POST":
        month = _month(request.POST.get("month", ""))
        if not can_run:
            errors.append(_("Only finance staff of the fund run its payments."))
        elif month is None:
            errors.append(_("Pick a month (YYYY-MM)."))
        elif month > today.replace(day=1):
            errors.append(_("A month is paid when it has come, not before."))
        else:
            staff = scope.staff
            actor = Actor(
                kind="staff",
                label=f"staff:{staff.username}",
                user_id=staff.user_id,
                office_code=staff.office.code,
            )
            region = scope.region_code or ""
            done, refusal = submit_once(
                request,
                scope=f"user:{staff.user_id}",
                call=lambda: _run(
                    actor, region, month, today, bool(request.POST.get("supplementary"))
                ),
            )
            if refusal is not None:
                errors.append(refusal.message)
            elif done is not None:
                messages.success(request, done["message"])
                return redirect(f"{request.path}?region={region}")
    shown = scope.region_code
    runs = list(payment_runs(region_code=shown)[:24])
    days = sorted({(r.region.code, r.sent_on) for r in runs if r.sent_on is not None})[-10:]
    daily = [reconciliation(region_code=code, day=day) for code, day in days]
    tables = [
        Table(
            "runs",
            _("Payment runs"),
            [
                _("Run"),
                _("Fund"),
                _("Month"),
                _("Stage"),
                _("Bank lines"),
                _("Bank total (yuan)"),
                _("Medical premiums (yuan)"),
                _("Held"),
                _("Bank file"),
            ],
            [
                Row(
                    [
                        text(r.reference),
                        text(r.region.name),
                        text(f"{r.month:%Y-%m}"),
                        text(r.get_stage_display()),
                        text(str(r.payments)),
                        money(r.total_fen),
                        money(r.medical_fen),
                        text(str(r.held)),
                        text(r.file_name),
                    ]
                )
                for r in runs
            ],
        ),
        Table(
            "reconciliation",
            _(
                "Three-way reconciliation: platform, bank file and books agree; sent = settled + "
                "returned + pending"
            ),
            [
                _("Fund"),
                _("Day sent"),
                _("Sent"),
                _("Bank files"),
                _("Books"),
                _("Settled"),
                _("Returned"),
                _("Pending"),
                _("Differences"),
                _("Balanced"),
            ],
            [
                Row(
                    [
                        text(figures.region_code),
                        text(str(figures.day)),
                        money(figures.sent_fen),
                        money(figures.bank_fen),
                        money(figures.ledger_fen),
                        money(figures.settled_fen),
                        money(figures.returned_fen),
                        money(figures.pending_fen),
                        count(len(figures.differences)),
                        text(_("yes") if figures.balanced else _("NO")),
                    ]
                )
                for figures in daily
            ],
        ),
        differences_table([d for figures in daily for d in figures.differences]),
        Table(
            "overpayments",
            _("Overpayments being recovered"),
            [
                _("Fund"),
                _("Person"),
                _("Reason"),
                _("Amount (yuan)"),
                _("Recovered (yuan)"),
                _("Since"),
            ],
            [
                Row(
                    [
                        text(o.paying_region.name),
                        text(mask_id_number(o.person.id_number)),
                        text(o.reason),
                        money(o.amount_fen),
                        money(o.recovered_fen),
                        text(str(o.established_on)),
                    ]
                )
                for o in overpayments_open(region_code=shown)[:200]
            ],
        ),
    ]
    extra: dict[str, Any] = {
        "payrun_form": {
            "enabled": can_run,
            "month": request.POST.get("month") or f"{today:%Y-%m}",
            "key": new_key(),
        }
    }
    return render_report(
        request,
        scope,
        page="payments",
        heading=_("Payments"),
        tables=tables,
        filename=f"payments-{shown or 'all'}-{today}",
        form={"errors": errors, "as_of": today.isoformat()},
        extra=extra,
        status=422 if errors else 200,
    )


def _run(
    actor: Actor, region: str, month: date, today: date, supplementary: bool
) -> dict[str, Any]:
    result = payrun_execute(
        actor=actor, region_code=region, month=month, on=today, supplementary=supplementary
    )
    run = result.run
    if result.rerun:
        message = _(
            "%(run)s was already finished: nothing new; the same bank file was written again."
        )
    else:
        message = _("%(run)s finished: %(lines)s payments, %(total)s, in the bank file.")
    return {
        "message": message
        % {"run": run.reference, "lines": run.payments, "total": format_yuan(run.total_fen)}
    }
