"""Findings several items share: working age, contribution time, the last separation, receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from tongban.core.months import add_months, month_of
from tongban.rules.facts import Determination, PersonFacts, Spell
from tongban.rules.params import RetirementRule
from tongban.rules.trace import SRC_INVOLUNTARY, SRC_WORKING_AGE, Trace

SeparationStatus = Literal["involuntary", "voluntary", "contest_pending", "missing"]


def retirement_date(birth_date: date, rule: RetirementRule) -> date:
    """The day the statutory retirement age is reached, with the gradual increase by birth month."""
    delay = 0
    if rule.reform_from_birth is not None and birth_date >= rule.reform_from_birth:
        months_after = (birth_date.year - rule.reform_from_birth.year) * 12 + (
            birth_date.month - rule.reform_from_birth.month
        )
        delay = min(rule.max_delay_months, months_after // rule.birth_months_per_step + 1)
    return add_months(birth_date, rule.base_age_years * 12 + delay)


def check_alive(t: Trace, facts: PersonFacts) -> bool:
    if facts.date_of_death is not None and facts.date_of_death <= t.as_of:
        t.add("deceased", date=facts.date_of_death)
        return False
    return True


def check_working_age(t: Trace, facts: PersonFacts) -> bool:
    """From the minimum working age to the statutory retirement age; a started pension ends it."""
    minimum = t.integer("working_age.minimum_years", on=t.as_of)
    category = facts.retirement_category or ("male" if facts.sex == "M" else "female_cadre")
    rule = t.retirement(f"working_age.retirement_{category}", on=t.as_of)
    old_enough_on = add_months(facts.birth_date, 12 * minimum)
    retires_on = retirement_date(facts.birth_date, rule)
    ok = True
    if t.as_of < old_enough_on:
        t.add("under_working_age", years=minimum)
        ok = False
    if t.as_of >= retires_on:
        t.add("over_retirement_age", date=retires_on)
        ok = False
    if facts.pension_start is not None and facts.pension_start <= t.as_of:
        t.add("pension_started", date=facts.pension_start)
        ok = False
    t.step(
        "working_age",
        f"法定劳动年龄：{old_enough_on} 至 {retires_on}（退休年龄类别 {category}）",
        f"working age: from {old_enough_on} until {retires_on} (retirement category {category})",
        SRC_WORKING_AGE,
        birth_date=facts.birth_date,
        retirement_category=category,
        working_age_from=old_enough_on,
        retirement_date=retires_on,
        within=ok,
    )
    return ok


def open_spell(facts: PersonFacts, on: date) -> Spell | None:
    """The insured job the person holds on ``on`` (the latest started, if several)."""
    current = [s for s in facts.spells if s.open_on(on)]
    return max(current, key=lambda s: s.start) if current else None


def last_separation(facts: PersonFacts, on: date) -> Spell | None:
    """The spell that ended last by ``on`` (ties: the later start)."""
    ended = [s for s in facts.spells if s.end is not None and s.end <= on]
    return max(ended, key=lambda s: (s.end or on, s.start)) if ended else None


def check_not_employed(t: Trace, facts: PersonFacts) -> bool:
    spell = open_spell(facts, t.as_of)
    if spell is not None:
        t.add("employed", employer=spell.employer, date=spell.start)
        return False
    return True


def has_insurance_history(facts: PersonFacts, on: date) -> bool:
    return any(m <= on for m, _ in facts.contributions) or any(s.start <= on for s in facts.spells)


def last_determination(facts: PersonFacts, on: date) -> Determination | None:
    earlier = [d for d in facts.determinations if d.determined_on <= on]
    return max(earlier, key=lambda d: d.determined_on) if earlier else None


def contribution_months(facts: PersonFacts, *, after: date | None, until: date) -> int:
    """Distinct months with contributions (any region) after the month of ``after``, up to ``until``.

    A month paid in two regions counts once; months of or before the last
    determination's month were used by it and are cleared.
    """
    last = month_of(until)
    first_excluded = month_of(after) if after is not None else None
    return len(
        {
            m
            for m, _ in facts.contributions
            if m <= last and (first_excluded is None or m > first_excluded)
        }
    )


def unemployment_registration(facts: PersonFacts, on: date) -> date | None:
    """Start of the unemployment registration open on ``on`` (the latest, if several)."""
    starts = [r.start for r in facts.registrations if r.kind == "unemployment" and r.open_on(on)]
    return max(starts) if starts else None


def separation_status(t: Trace, spell: Spell) -> SeparationStatus:
    """Involuntary or not, from the employer's reason as a presumption and any contest of it."""
    status: SeparationStatus
    contest = spell.contest
    if spell.involuntary is True:
        status = "involuntary"
    elif spell.involuntary is None:
        status = "missing"
        t.add("separation_reason_missing")
    elif contest is None:
        status = "voluntary"
        t.add("voluntary_separation", reason=spell.reason_code or "")
    elif contest.outcome == "pending":
        status = "contest_pending"
        t.add("contest_pending")
    elif contest.outcome == "upheld":
        status = "involuntary"
        t.add("contest_upheld")
    else:
        status = "voluntary"
        t.add("contest_rejected")
    t.step(
        "ui_benefit.involuntary",
        f"离职原因：{spell.reason_code or '未登记'}（{spell.employer}，{spell.end}停保）；"
        f"单位登记为{'非本人意愿' if spell.involuntary else '本人意愿' if spell.involuntary is False else '未知'}"
        f"{'；异议：' + contest.outcome if contest else ''} → {status}",
        f"separation reason: {spell.reason_code or 'not recorded'} ({spell.employer}, insurance "
        f"stopped {spell.end}); employer-recorded flag involuntary={spell.involuntary}"
        f"{'; contest: ' + contest.outcome if contest else ''} → {status}",
        SRC_INVOLUNTARY,
        employer=spell.employer,
        separation_date=spell.end,
        reason_code=spell.reason_code,
        employer_flag_involuntary=spell.involuntary,
        contest_outcome=contest.outcome if contest else None,
        contest_claimed_reason=contest.claimed_reason_code if contest else None,
        status=status,
    )
    return status


@dataclass(frozen=True, slots=True)
class Receipt:
    """Whether the person is receiving a monthly benefit on a day, and which."""

    ui_benefit: bool
    subsidy: bool


def receipt_on(facts: PersonFacts, on: date) -> Receipt:
    return Receipt(
        ui_benefit=facts.entitlement is not None and facts.entitlement.active_on(on),
        subsidy=facts.subsidy_entitlement is not None and facts.subsidy_entitlement.active_on(on),
    )
