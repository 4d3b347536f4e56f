"""UI benefit (失业保险金): the three conditions, the duration with carry-over, the amount.

The arithmetic lives in :func:`duration_months` and :func:`benefit_amount_fen`, used both by
the single assessment (with its explanation) and by the batch reassessment, so the two
cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

from tongban.core.money import apply_rate
from tongban.core.months import month_of
from tongban.rules.common import (
    check_alive,
    contribution_months,
    has_insurance_history,
    last_determination,
    last_separation,
    open_spell,
    receipt_on,
    separation_status,
    unemployment_registration,
)
from tongban.rules.facts import PersonFacts
from tongban.rules.params import Band, ParameterSet
from tongban.rules.result import Assessment
from tongban.rules.trace import (
    SRC_AMOUNT,
    SRC_DURATION,
    SRC_MEDICAL,
    SRC_PAYING_REGION,
    SRC_RECLAIM,
    SRC_START,
    SRC_UI_CONDITIONS,
    Trace,
)

ConditionStatus = Literal["met", "refused", "pending"]


class UiBenefitInputs(NamedTuple):
    """What the UI-benefit figures depend on, once the facts are read: the batch's unit."""

    paying_region: str
    contribution_months: int  # since the last determination (cleared months excluded)
    unclaimed_months: int  # left unclaimed from the last determination
    status: ConditionStatus = "met"  # the other conditions (separation, registration, …)


@dataclass(frozen=True, slots=True)
class UiBenefitFigures:
    eligible: bool
    pending: bool
    months: int | None
    monthly_amount_fen: int | None
    medical_premium_fen: int | None


def duration_months(
    new: int,
    carried: int,
    *,
    bands: tuple[Band, ...],
    minimum: int,
    reclaim_below: int,
    cap: int,
) -> tuple[int, int, int]:
    """(months from the new contribution time, carried months counted, total months).

    New months come from the bands once ``new`` reaches ``minimum``; months left unclaimed
    are added and the total capped. Below ``minimum``, the unclaimed months may still be
    claimed when ``new`` is below ``reclaim_below`` (re-unemployed within a year).
    """
    band_months = 0
    if new >= minimum:
        for band in bands:
            if new >= band.from_months:
                band_months = band.months
    counted = carried if (new >= minimum or new < reclaim_below) else 0
    return band_months, counted, min(band_months + counted, cap)


def benefit_amount_fen(minimum_wage_fen: int, rate: Decimal, floor_fen: int) -> int:
    """``rate`` × minimum wage, half-up to the fen, not below the minimum living standard."""
    return max(apply_rate(minimum_wage_fen, rate), floor_fen)


def assess_ui_benefit(t: Trace, facts: PersonFacts) -> Assessment:
    region, start = _conditions(t, facts)
    new, carried, since = _contribution_time(t, facts)
    if region is None:
        return t.assessment()
    figures = _figures(t, region, new, carried, since)
    if t.refused:
        return t.assessment(paying_region=region, details=figures.details)
    return t.assessment(
        months=figures.months,
        monthly_amount_fen=figures.monthly_amount_fen,
        start=start,
        paying_region=region,
        medical_premium_fen=figures.medical_premium_fen,
        details=figures.details,
    )


def ui_benefit_inputs(facts: PersonFacts, params: ParameterSet, as_of: date) -> UiBenefitInputs:
    """The decisive inputs of a person's UI benefit on ``as_of`` (for batch reassessment)."""
    t = Trace(params, as_of, "ui_benefit")
    region, _ = _conditions(t, facts)
    new, carried, _ = _contribution_time(t, facts)
    status: ConditionStatus = "refused" if t.refused else "pending" if t.pending else "met"
    return UiBenefitInputs(region or "", new, carried, status)


def figures_from_inputs(
    inputs: UiBenefitInputs, params: ParameterSet, as_of: date
) -> UiBenefitFigures:
    """The figures of one input, without explanation: what the batch evaluates once per input."""
    if inputs.status == "refused" or not inputs.paying_region:
        return UiBenefitFigures(False, False, None, None, None)
    months = _months_plain(inputs.contribution_months, inputs.unclaimed_months, params, as_of)
    if months == 0:
        return UiBenefitFigures(False, False, None, None, None)
    amount, premium = amount_plain(inputs.paying_region, params, as_of)
    pending = inputs.status == "pending"
    return UiBenefitFigures(not pending, pending, months, amount, premium)


def _months_plain(new: int, carried: int, params: ParameterSet, as_of: date) -> int:
    return duration_months(
        new,
        carried,
        bands=params.bands("ui_benefit.duration_bands", on=as_of),
        minimum=params.integer("ui_benefit.minimum_contribution_months", on=as_of),
        reclaim_below=params.integer("ui_benefit.reclaim_unclaimed_below_months", on=as_of),
        cap=params.integer("ui_benefit.carry_over_cap_months", on=as_of),
    )[2]


def amount_plain(region: str, params: ParameterSet, as_of: date) -> tuple[int, int]:
    """(monthly UI benefit, monthly medical premium) of ``region`` on ``as_of``, in fen."""
    wage = params.integer("wages.minimum_wage", on=as_of, region=region)
    floor = params.integer("wages.minimum_living_standard", on=as_of, region=region)
    rate = params.rate("ui_benefit.rate", on=as_of, region=region)
    premium = params.integer("ui_benefit.medical_premium", on=as_of, region=region)
    return benefit_amount_fen(wage, rate, floor), premium


# -- the single assessment, step by step ---------------------------------------------------
def _conditions(t: Trace, facts: PersonFacts) -> tuple[str | None, date | None]:
    """Everything but contribution time: returns (paying region, first benefit month)."""
    as_of = t.as_of
    check_alive(t, facts)
    region = facts.insured_region_code
    if region is None:
        t.add("no_insured_region")
    t.step(
        "ui_benefit.paying_region",
        f"支付地：参保地 {region or '未知'}（由登记系统确定的失业保险关系所在地）",
        f"paying region: the insured region {region or 'unknown'} (where the registry holds "
        "the UI relationship)",
        SRC_PAYING_REGION,
        paying_region=region,
    )
    if not has_insurance_history(facts, as_of):
        t.add("no_insurance_history")
        return region, None
    receipt = receipt_on(facts, as_of)
    if receipt.ui_benefit and facts.entitlement is not None:
        t.add(
            "already_receiving",
            date=facts.entitlement.start_month,
            months=facts.entitlement.months,
        )
    if receipt.subsidy:
        t.add("receiving_subsidy")
    if facts.pension_start is not None and facts.pension_start <= as_of:
        t.add("pension_started", date=facts.pension_start)
    current = open_spell(facts, as_of)
    if current is not None:
        t.add("employed", employer=current.employer, date=current.start)
    else:
        spell = last_separation(facts, as_of)
        if spell is None:
            t.add("separation_reason_missing")
        else:
            separation_status(t, spell)
    registered = unemployment_registration(facts, as_of)
    if registered is None:
        t.add("not_registered_unemployed")
    start = month_of(registered) if registered is not None else None
    t.step(
        "ui_benefit.registration",
        f"失业登记：{registered or '未登记'}；失业保险金从登记当月 {start or '—'} 起按月计发",
        f"unemployment registration: {registered or 'none'}; benefit runs monthly from the "
        f"month of registration {start or '—'}",
        f"{SRC_UI_CONDITIONS}; {SRC_START}",
        registered_on=registered,
        first_month=start,
    )
    return region, start


def _contribution_time(t: Trace, facts: PersonFacts) -> tuple[int, int, date | None]:
    last = last_determination(facts, t.as_of)
    after = last.determined_on if last else None
    new = contribution_months(facts, after=after, until=t.as_of)
    cutoff = month_of(after) if after else None
    by_region = Counter(
        r for m, r in set(facts.contributions) if m <= t.as_of and (cutoff is None or m > cutoff)
    )
    carried = last.unclaimed_months if last else 0
    regions_text = ", ".join(f"{r}: {n}" for r, n in sorted(by_region.items()))
    t.step(
        "ui_benefit.contribution_time",
        f"缴费时间：{'上次核定（' + str(after) + '）之后' if after else '累计'} {new} 个月"
        f"（{regions_text or '无'}；同月多地缴费计一次）；上次应领未领 {carried} 个月",
        f"contribution time {'since the last determination (' + str(after) + ')' if after else 'in total'}: "
        f"{new} months ({regions_text or 'none'}; a month paid in two regions counts once); "
        f"left unclaimed from the last determination: {carried} months",
        SRC_DURATION,
        contribution_months=new,
        months_by_region=regions_text,
        last_determination=after,
        cleared_months=(last.contribution_months_used if last else 0),
        unclaimed_months=carried,
    )
    return new, carried, after


@dataclass(frozen=True, slots=True)
class _Figures:
    months: int | None
    monthly_amount_fen: int | None
    medical_premium_fen: int | None
    details: tuple[tuple[str, int | str | None], ...]


def _figures(t: Trace, region: str, new: int, carried: int, since: date | None) -> _Figures:
    as_of = t.as_of
    minimum = t.integer("ui_benefit.minimum_contribution_months", on=as_of)
    bands = t.bands("ui_benefit.duration_bands", on=as_of)
    reclaim = t.integer("ui_benefit.reclaim_unclaimed_below_months", on=as_of)
    cap = t.integer("ui_benefit.carry_over_cap_months", on=as_of)
    band_months, counted, total = duration_months(
        new, carried, bands=bands, minimum=minimum, reclaim_below=reclaim, cap=cap
    )
    if total == 0:
        t.add("contribution_under_one_year", months=new, missing=max(0, minimum - new), since=since)
    elif new < minimum and counted:
        t.add("unclaimed_months_reclaimed", months=counted)
    elif counted and band_months + counted > cap:
        t.add("carry_over_capped", new=band_months, carried=counted, cap=cap)
    elif counted:
        t.add("carry_over_added", new=band_months, carried=counted)
    t.step(
        "ui_benefit.duration",
        f"领取期限：缴费 {new} 个月 → 本次 {band_months} 个月；加上次未领 {counted} 个月；"
        f"合计 {band_months + counted}，上限 {cap} → {total} 个月"
        + ("（重新就业不满1年，继续领取上次未领期限）" if new < minimum and counted else ""),
        f"duration: {new} contribution months → {band_months} months; plus {counted} unclaimed "
        f"months; {band_months + counted} in all, capped at {cap} → {total} months"
        + (
            " (re-unemployed within a year: the unclaimed months may still be claimed)"
            if new < minimum and counted
            else ""
        ),
        SRC_DURATION + ("; " + SRC_RECLAIM if new < minimum and counted else ""),
        contribution_months=new,
        months_new=band_months,
        months_carried=counted,
        months=total,
        last_determination=since,
    )
    wage = t.fen("wages.minimum_wage", on=as_of, region=region)
    rate = t.rate("ui_benefit.rate", on=as_of, region=region)
    calculated = apply_rate(wage, rate)
    t.step(
        "ui_benefit.amount",
        f"月标准：参保地 {region} 最低工资 {wage / 100:.2f} 元 × {rate} = {calculated / 100:.2f} 元（四舍五入到分）",
        f"monthly amount: minimum wage of {region} {wage / 100:.2f} yuan × {rate} = "
        f"{calculated / 100:.2f} yuan (half-up to the fen)",
        SRC_AMOUNT,
        minimum_wage_fen=wage,
        rate=rate,
        calculated_fen=calculated,
    )
    floor = t.fen("wages.minimum_living_standard", on=as_of, region=region)
    amount = benefit_amount_fen(wage, rate, floor)
    if amount != calculated:
        t.add("minimum_living_standard_floor", amount=f"{floor / 100:.2f}")
    if amount >= wage:  # unreachable for a validated set (params._check_ui_bounds)
        raise AssertionError(f"UI benefit {amount} is not below the minimum wage {wage}")
    t.step(
        "ui_benefit.bounds",
        f"核对：城市低保 {floor / 100:.2f} 元 ≤ 失业保险金 {amount / 100:.2f} 元 < 最低工资 {wage / 100:.2f} 元",
        f"check: minimum living standard {floor / 100:.2f} ≤ UI benefit {amount / 100:.2f} < "
        f"minimum wage {wage / 100:.2f} yuan",
        SRC_AMOUNT,
        minimum_living_standard_fen=floor,
        monthly_amount_fen=amount,
        minimum_wage_fen=wage,
        holds=True,
    )
    premium = t.fen("ui_benefit.medical_premium", on=as_of, region=region)
    t.step(
        "ui_benefit.medical_premium",
        f"领取期间基金按月代缴职工基本医疗保险费 {premium / 100:.2f} 元，个人不缴",
        f"during receipt the fund pays the employee basic medical insurance premium, "
        f"{premium / 100:.2f} yuan a month; the person pays nothing",
        SRC_MEDICAL,
        medical_premium_fen=premium,
        months=total,
        total_fen=premium * total,
    )
    details = (
        ("months_new", band_months),
        ("months_carried", counted),
        ("contribution_months", new),
    )
    if total == 0:
        return _Figures(None, None, None, details)
    return _Figures(total, amount, premium, details)
