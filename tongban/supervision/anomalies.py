"""Anomaly checks: what the books should make impossible, and a jump worth a question.

Each check lists its evidence with the case or payment it is about. The first three should
never find anything — the services, constraints and payment runs forbid them — so a finding
is an alarm that something bypassed them. The jump and the shared bank account are signals
for a person to look at. Thresholds are data (``data/thresholds.yaml``). docs/supervision.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tongban.benefits.selectors import (
    payments_after_end,
    payments_from_another_fund,
    payments_without_decision,
    shared_bank_accounts,
)
from tongban.cases.statistics import approved_applications
from tongban.core.identifiers import mask_bank_account, mask_id_number
from tongban.core.money import format_yuan
from tongban.ledger.selectors import monthly_expenditure_by_fund, months_before
from tongban.regions.selectors import regions_list
from tongban.supervision.parameters import thresholds

if TYPE_CHECKING:
    from tongban.benefits.models import Payment


@dataclass(frozen=True)
class Evidence:
    cells: list[str]
    application_reference: str | None = None
    payment_reference: str | None = None


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    rule: str
    alarm: bool  # True: the books should make it impossible
    columns: list[str]
    evidence: list[Evidence] = field(default_factory=list)
    found: int = 0

    @property
    def silent(self) -> bool:
        return self.found == 0


def _payment_columns() -> list[str]:
    return [_("Payment"), _("Case"), _("Person"), _("Fund"), _("Month"), _("Amount"),
            _("Status")]  # fmt: skip


def _payment_cells(p: Payment, *extra: str) -> Evidence:
    return Evidence(
        [p.reference, p.entitlement.application_reference, mask_id_number(p.person.id_number),
         p.paying_region.code, f"{p.period:%Y-%m}", format_yuan(p.amount_fen), p.status, *extra],
        application_reference=p.entitlement.application_reference,
        payment_reference=p.reference,
    )  # fmt: skip


def _limited(rows: list[Evidence]) -> list[Evidence]:
    return rows[: thresholds().evidence_limit]


def check_without_decision(region_ids: list[int] | None) -> Check:
    found = payments_without_decision(approved=approved_applications(), region_ids=region_ids)
    limit = thresholds().evidence_limit
    count = found.count()
    return Check(
        "payment_without_decision",
        _("Payments without an approved decision"),
        _("Every payment belongs to an entitlement that an approved re-review created."),
        True,
        _payment_columns(),
        [_payment_cells(p) for p in found[:limit]] if count else [],
        count,
    )


def check_other_fund(region_ids: list[int] | None) -> Check:
    found = payments_from_another_fund(region_ids=region_ids)
    limit = thresholds().evidence_limit
    count = found.count()
    return Check(
        "payment_from_another_fund",
        _("Payments from a fund other than the entitlement's paying region"),
        _("A benefit is paid only from the fund of the region that decided it: funds never cross."),
        True,
        [*_payment_columns(), _("Entitlement's paying region"), _("Run's fund")],
        [
            _payment_cells(p, p.entitlement.paying_region.code, p.run.region.code if p.run else "")
            for p in (found.select_related("entitlement__paying_region", "run__region")[:limit]
                      if count else [])
        ],
        count,
    )  # fmt: skip


def check_after_end(region_ids: list[int] | None) -> Check:
    found = payments_after_end(region_ids=region_ids)
    return Check(
        "payment_after_end",
        _("Payments after an entitlement ended"),
        _("After a stop, unpaid months are cancelled and months already paid become an "
          "overpayment to recover; no other payment for a later month may exist."),
        True,
        [*_payment_columns(), _("Entitlement ended"), _("Last month payable")],
        _limited([
            _payment_cells(p, f"{p.entitlement.ended_on or ''} ({p.entitlement.end_reason})",
                           f"{months_before(p.entitlement.end_month, 1):%Y-%m}"
                           if p.entitlement.end_month else "")
            for p in found
        ]),
        len(found),
    )  # fmt: skip


def check_expenditure_jump(region_ids: list[int] | None, *, as_of: date) -> Check:
    """Benefit expenditure (5001xx) of a fund month on month, the current month to date included."""
    rule = thresholds().expenditure_jump
    first = months_before(as_of.replace(day=1), rule.months - 1)
    series = monthly_expenditure_by_fund(start_month=first, months=rule.months,
                                         account_prefix="5001")  # fmt: skip
    wanted = None if region_ids is None else {r.code for r in regions_list() if r.pk in region_ids}
    evidence = []
    for code, amounts in series.items():
        if wanted is not None and code not in wanted:
            continue
        for i in range(1, len(amounts)):
            before, now = amounts[i - 1], amounts[i]
            if before <= 0:
                continue  # nothing to compare with (a fund's first month of benefits)
            rise = now - before
            if rise >= rule.minimum_fen and rise > before * rule.rise:
                month = months_before(first, -i)
                evidence.append(Evidence(
                    [code, f"{month:%Y-%m}", format_yuan(before), format_yuan(now),
                     f"+{rise * 100 // before}%"]
                ))  # fmt: skip
    return Check(
        "expenditure_jump",
        _("Month-on-month jumps in benefit expenditure"),
        _(
            "Benefit expenditure rising by more than %(rise)s%% and by at least %(minimum)s on "
            "the month before."
        )
        % {"rise": int(rule.rise * 100), "minimum": format_yuan(rule.minimum_fen)},
        False,
        [_("Fund"), _("Month"), _("Month before"), _("This month"), _("Rise")],
        _limited(evidence),
        len(evidence),
    )


def check_shared_accounts(region_ids: list[int] | None) -> Check:
    accounts = shared_bank_accounts(region_ids=region_ids)
    evidence = []
    for account in accounts:
        for p in account.sample:
            evidence.append(
                _payment_cells(p, mask_bank_account(account.bank_account), str(account.persons))
            )
    return Check(
        "shared_bank_account",
        _("One bank account receiving benefit for several persons"),
        _("Benefit is paid to each person's own social security card account."),
        False,
        [*_payment_columns(), _("Bank account"), _("Persons paid to it")],
        _limited(evidence),
        len(accounts),
    )


def anomaly_checks(*, region_ids: list[int] | None, as_of: date) -> list[Check]:
    """Every check over the funds of ``region_ids`` (None: every fund)."""
    return [
        check_without_decision(region_ids),
        check_other_fund(region_ids),
        check_after_end(region_ids),
        check_expenditure_jump(region_ids, as_of=as_of),
        check_shared_accounts(region_ids),
    ]
