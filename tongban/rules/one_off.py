"""One-off payments: funeral grant and survivor pension (丧葬补助金和抚恤金), and the
one-off allowance for rural contract workers (农民合同制工人一次性生活补助)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tongban.core.money import apply_rate
from tongban.core.months import full_years_between, month_of
from tongban.rules.common import check_not_employed, last_separation
from tongban.rules.facts import PersonFacts
from tongban.rules.result import Assessment
from tongban.rules.subsidies import ui_standard_fen
from tongban.rules.trace import SRC_FUNERAL, SRC_PAYING_REGION, SRC_RURAL, Trace


def assess_funeral_survivor(t: Trace, facts: PersonFacts) -> Assessment:
    """Death while receiving UI benefit: the day of death within [first month, end of receipt)."""
    death = facts.date_of_death
    if death is None or death > t.as_of:
        t.add("not_deceased")
        return t.assessment()
    entitlement = facts.entitlement
    during = entitlement is not None and entitlement.active_on(death)
    if not during:
        subsidy = facts.subsidy_entitlement
        if subsidy is not None and subsidy.active_on(death):
            t.add("death_during_subsidy")
        t.add("death_not_during_receipt", date=death)
    if any(p.item == "funeral_survivor" for p in facts.other_payments):
        t.add("funeral_already_paid")
    last_day = entitlement.end - timedelta(days=1) if entitlement else None
    t.step(
        "funeral.death_during_receipt",
        f"死亡日期 {death}；领取期 {entitlement.start_month if entitlement else '—'} 至 "
        f"{last_day or '—'}（含最后一天）→ {'在' if during else '不在'}领取期内",
        f"died on {death}; receipt from {entitlement.start_month if entitlement else '—'} to "
        f"{last_day or '—'} inclusive → {'during' if during else 'not during'} receipt",
        SRC_FUNERAL,
        date_of_death=death,
        receipt_start=entitlement.start_month if entitlement else None,
        receipt_last_day=last_day,
        during_receipt=during,
    )
    if entitlement is None or not during:
        return t.assessment()
    region = entitlement.paying_region
    t.step(
        "paying_region",
        f"支付地：正在支付失业保险金的统筹区 {region}",
        f"paying region: the region paying the UI benefit, {region}",
        SRC_PAYING_REGION,
        paying_region=region,
    )
    standard = ui_standard_fen(t, region, death)
    grant_months = t.integer("funeral.funeral_grant_months", on=death, region=region)
    survivor_months = t.integer("funeral.survivor_pension_months", on=death, region=region)
    grant = standard * grant_months
    if facts.funeral_grant_elsewhere is not None:
        t.add("funeral_grant_elsewhere", scheme=facts.funeral_grant_elsewhere)
        grant = 0
    survivor = standard * survivor_months
    t.step(
        "funeral.amounts",
        f"丧葬补助金 {grant_months} 个月 × {standard / 100:.2f} 元"
        + ("（已在其他险种领取，失业保险不再支付）" if facts.funeral_grant_elsewhere else "")
        + f" = {grant / 100:.2f} 元；抚恤金 {survivor_months} 个月 = {survivor / 100:.2f} 元",
        f"funeral grant {grant_months} months × {standard / 100:.2f} yuan"
        + (" (taken from another scheme: none from UI)" if facts.funeral_grant_elsewhere else "")
        + f" = {grant / 100:.2f} yuan; survivor pension {survivor_months} months = "
        f"{survivor / 100:.2f} yuan",
        SRC_FUNERAL,
        standard_fen=standard,
        funeral_grant_fen=grant,
        survivor_pension_fen=survivor,
        funeral_grant_elsewhere=facts.funeral_grant_elsewhere,
    )
    return t.assessment(
        amount_fen=grant + survivor,
        paying_region=region,
        components=(("funeral_grant", grant), ("survivor_pension", survivor)),
    )


def assess_rural_worker_allowance(t: Trace, facts: PersonFacts) -> Assessment:
    """Half a month of UI benefit per full year with the employer (demo), at most 12 months' worth."""
    as_of = t.as_of
    check_not_employed(t, facts)
    spell = last_separation(facts, as_of)
    region = facts.insured_region_code
    if spell is None or spell.end is None:
        if not t.refused:
            t.add("no_insurance_history")
        return t.assessment()
    employer = spell.employer
    years = full_years_between(spell.start, spell.end)
    contributed = any(month_of(spell.start) <= m < spell.end for m, _ in facts.contributions)
    key = f"{employer}:{spell.start.isoformat()}"
    paid = any(p.item == "rural_worker_allowance" and p.key == key for p in facts.other_payments)
    if not spell.rural_contract_worker:
        t.add("not_rural_contract_worker")
    elif years < 1:
        t.add("rural_under_one_year", employer=employer)
    if spell.rural_contract_worker and not contributed:
        t.add("rural_no_contributions", employer=employer)
    if paid:
        t.add("rural_already_paid", employer=employer)
    if region is None:
        t.add("no_insured_region")
    t.step(
        "rural_allowance.spell",
        f"最近一段工作：{employer}，{spell.start} 至 {spell.end}，连续满 {years} 年；"
        f"农民合同制工人：{'是' if spell.rural_contract_worker else '否'}；单位缴费："
        f"{'有' if contributed else '无'}",
        f"last job: {employer}, {spell.start} to {spell.end}, {years} full years; rural "
        f"contract worker: {spell.rural_contract_worker}; contributions paid: {contributed}",
        SRC_RURAL,
        employer=employer,
        start=spell.start,
        end=spell.end,
        full_years=years,
        rural_contract_worker=spell.rural_contract_worker,
        contributions_paid=contributed,
    )
    if region is None:
        return t.assessment()
    standard = ui_standard_fen(t, region, as_of)
    per_year = t.rate("rural_allowance.months_per_full_year", on=as_of, region=region)
    cap = t.rate("rural_allowance.max_months", on=as_of, region=region)
    months_worth = min(Decimal(years) * per_year, cap)
    amount = apply_rate(standard, months_worth)
    t.step(
        "rural_allowance.amount",
        f"{years} 年 × {per_year} 个月 = {Decimal(years) * per_year} 个月，上限 {cap} → "
        f"{months_worth} 个月 × {standard / 100:.2f} 元 = {amount / 100:.2f} 元",
        f"{years} years × {per_year} months = {Decimal(years) * per_year} months, capped at "
        f"{cap} → {months_worth} months × {standard / 100:.2f} yuan = {amount / 100:.2f} yuan",
        SRC_RURAL,
        full_years=years,
        months_worth=months_worth,
        standard_fen=standard,
        amount_fen=amount,
    )
    if t.refused:
        return t.assessment(paying_region=region)
    return t.assessment(
        amount_fen=amount,
        paying_region=region,
        components=(("rural_allowance", amount),),
        details=(("spell", key),),  # what was paid for: a later claim for this job is refused
    )
