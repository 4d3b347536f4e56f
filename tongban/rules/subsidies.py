"""Unemployment subsidy (失业补助金), skill-upgrading subsidy (技能提升补贴), training subsidy."""

from __future__ import annotations

from datetime import date

from tongban.core.money import apply_rate
from tongban.core.months import add_months, month_of
from tongban.rules.common import (
    check_alive,
    check_not_employed,
    contribution_months,
    has_insurance_history,
    last_determination,
    open_spell,
    receipt_on,
    unemployment_registration,
)
from tongban.rules.facts import Certificate, Level, PersonFacts, with_unemployment_registration
from tongban.rules.result import Assessment, ReasonKind
from tongban.rules.trace import (
    SRC_AMOUNT,
    SRC_PAYING_REGION,
    SRC_SKILL,
    SRC_SUBSIDY,
    SRC_TRAINING,
    Trace,
)
from tongban.rules.ui_benefit import assess_ui_benefit, benefit_amount_fen

LEVEL_RANK = {"junior": 1, "intermediate": 2, "senior": 3}


def _paying_region(t: Trace, facts: PersonFacts) -> str | None:
    region = facts.insured_region_code
    if region is None:
        t.add("no_insured_region")
    t.step(
        "paying_region",
        f"支付地：参保地 {region or '未知'}",
        f"paying region: the insured region {region or 'unknown'}",
        SRC_PAYING_REGION,
        paying_region=region,
    )
    return region


def ui_standard_fen(t: Trace, region: str, on: date) -> int:
    """The region's monthly UI benefit standard on ``on``, with its parameters traced."""
    wage = t.fen("wages.minimum_wage", on=on, region=region)
    rate = t.rate("ui_benefit.rate", on=on, region=region)
    floor = t.fen("wages.minimum_living_standard", on=on, region=region)
    amount = benefit_amount_fen(wage, rate, floor)
    t.step(
        "ui_benefit.standard",
        f"{region} 失业保险金月标准：最低工资 {wage / 100:.2f} 元 × {rate}，不低于低保 "
        f"{floor / 100:.2f} 元 = {amount / 100:.2f} 元",
        f"UI benefit standard of {region}: minimum wage {wage / 100:.2f} yuan × {rate}, not "
        f"below the minimum living standard {floor / 100:.2f} = {amount / 100:.2f} yuan",
        SRC_AMOUNT,
        minimum_wage_fen=wage,
        rate=rate,
        minimum_living_standard_fen=floor,
        standard_fen=amount,
    )
    return amount


# -- unemployment subsidy ------------------------------------------------------------------
def assess_unemployment_subsidy(t: Trace, facts: PersonFacts) -> Assessment:
    as_of = t.as_of
    check_alive(t, facts)
    window = t.find("unemployment_subsidy.available", on=as_of)
    in_window = window is not None and window.value is True
    if not in_window:
        t.add("subsidy_outside_window", date=as_of)
    t.step(
        "unemployment_subsidy.window",
        f"政策执行期：{as_of} {'在' if in_window else '不在'}执行期内",
        f"policy window: {as_of} is {'inside' if in_window else 'outside'} the window",
        SRC_SUBSIDY,
        in_window=in_window,
    )
    region = _paying_region(t, facts)
    if not in_window:
        return t.assessment(paying_region=region)
    if not has_insurance_history(facts, as_of):
        t.add("no_insurance_history")
        return t.assessment(paying_region=region)
    check_not_employed(t, facts)
    if facts.pension_start is not None and facts.pension_start <= as_of:
        t.add("pension_started", date=facts.pension_start)
    receipt = receipt_on(facts, as_of)
    if receipt.subsidy and facts.subsidy_entitlement is not None:
        t.add("already_receiving_subsidy", date=facts.subsidy_entitlement.start_month)
    if receipt.ui_benefit and facts.entitlement is not None:
        t.add(
            "already_receiving",
            date=facts.entitlement.start_month,
            months=facts.entitlement.months,
        )
    limit = t.integer("unemployment_subsidy.max_months", on=as_of)
    used = facts.unemployment_subsidy_months_received
    remaining = max(0, limit - used)
    if remaining == 0:
        t.add("subsidy_months_used", months=used, limit=limit)
    t.step(
        "unemployment_subsidy.months",
        f"期限：最长 {limit} 个月，已领 {used} 个月，可领 {remaining} 个月",
        f"duration: at most {limit} months, {used} received, {remaining} left",
        SRC_SUBSIDY,
        limit=limit,
        received=used,
        months=remaining,
    )
    # Exclusive with UI benefit: someone who would qualify for it (once registered) claims that.
    if not receipt.ui_benefit:
        ui_trace = Trace(t.params, as_of, "ui_benefit")
        ui = assess_ui_benefit(ui_trace, with_unemployment_registration(facts, on=as_of))
        t.files |= ui_trace.files
        last = last_determination(facts, as_of)
        ran_out = last is not None and last.unclaimed_months == 0 and not receipt.ui_benefit
        if ui.eligible:
            t.add("qualifies_for_ui_benefit")
        elif ui.pending:
            t.add("ui_benefit_decision_pending")
        elif ran_out:
            t.add("ui_benefit_ran_out")
        t.step(
            "unemployment_subsidy.exclusive",
            "与失业保险金不能同时享受：失业保险金评估结果 "
            + ("符合" if ui.eligible else "待定" if ui.pending else "不符合")
            + f"（{', '.join(ui.reason_codes) or '—'}）",
            "exclusive with UI benefit: the UI-benefit assessment is "
            + ("eligible" if ui.eligible else "pending" if ui.pending else "not eligible")
            + f" ({', '.join(ui.reason_codes) or '—'})",
            SRC_SUBSIDY,
            ui_benefit_eligible=ui.eligible,
            ui_benefit_reasons=", ".join(ui.reason_codes),
            ui_benefit_ran_out=ran_out,
        )
    if region is None:
        return t.assessment()
    standard = ui_standard_fen(t, region, as_of)
    rate = t.rate("unemployment_subsidy.rate", on=as_of, region=region)
    amount = apply_rate(standard, rate)
    t.step(
        "unemployment_subsidy.amount",
        f"月标准：失业保险金标准 {standard / 100:.2f} 元 × {rate} = {amount / 100:.2f} 元",
        f"monthly amount: UI benefit standard {standard / 100:.2f} yuan × {rate} = "
        f"{amount / 100:.2f} yuan",
        SRC_SUBSIDY,
        standard_fen=standard,
        rate=rate,
        monthly_amount_fen=amount,
    )
    if t.refused:
        return t.assessment(paying_region=region)
    return t.assessment(
        months=remaining,
        monthly_amount_fen=amount,
        start=month_of(as_of),
        paying_region=region,
    )


# -- skill-upgrading subsidy ---------------------------------------------------------------
def assess_skill_subsidy(t: Trace, facts: PersonFacts) -> Assessment:
    as_of = t.as_of
    check_alive(t, facts)
    region = _paying_region(t, facts)
    employee = open_spell(facts, as_of) is not None
    receiving = receipt_on(facts, as_of).ui_benefit
    recipients = t.flag("skill_subsidy.ui_recipients_eligible", on=as_of)
    if not employee:
        if receiving and not recipients:
            t.add("receiving_ui_not_covered")
        elif not receiving:
            t.add("not_insured_employee")
    required = t.integer("skill_subsidy.contribution_months", on=as_of)
    total = contribution_months(facts, after=None, until=as_of)
    if total < required:
        t.add("skill_contribution_short", required=required, months=total)
    t.step(
        "skill_subsidy.insured",
        f"在职参保：{'是' if employee else '否'}；累计缴费 {total} 个月，门槛 {required} 个月",
        f"insured employee: {'yes' if employee else 'no'}; {total} contribution months in "
        f"total, {required} required",
        SRC_SKILL,
        employee=employee,
        receiving_ui_benefit=receiving,
        contribution_months=total,
        required_months=required,
    )
    window = t.integer("skill_subsidy.application_window_months", on=as_of)
    caps = {
        level: t.fen(f"skill_subsidy.cap_{level}", on=as_of, region=region) for level in LEVEL_RANK
    }
    per_year = t.integer("skill_subsidy.max_per_year", on=as_of)
    no_lower = t.flag("skill_subsidy.no_lower_after_higher", on=as_of)
    t.step(
        "skill_subsidy.rules",
        f"申请期限：取证后 {window} 个月内；标准：初级 {caps['junior'] / 100:.0f}、中级 "
        f"{caps['intermediate'] / 100:.0f}、高级 {caps['senior'] / 100:.0f} 元；每年最多 "
        f"{per_year or '不限'} 次；同一职业同一等级一次"
        + ("；已领高等级后不领低等级" if no_lower else ""),
        f"apply within {window} months of issue; junior {caps['junior'] / 100:.0f}, "
        f"intermediate {caps['intermediate'] / 100:.0f}, senior {caps['senior'] / 100:.0f} "
        f"yuan; at most {per_year or 'any number of'} a year; once per occupation and level"
        + ("; no lower level after a higher one" if no_lower else ""),
        SRC_SKILL,
        window_months=window,
        max_per_year=per_year,
        no_lower_after_higher=no_lower,
    )
    certificates = sorted(
        (c for c in facts.certificates if c.issued_on <= as_of), key=lambda c: c.issued_on
    )
    if not certificates:
        t.add("no_certificate")
        return t.assessment(paying_region=region)
    paid = {(p.occupation, p.level) for p in facts.skill_subsidies_paid}
    this_year = sum(1 for p in facts.skill_subsidies_paid if p.paid_on.year == as_of.year)
    payable: list[Certificate] = []
    problems: list[tuple[str, ReasonKind, dict[str, object]]] = []
    for cert in certificates:
        code = _certificate_problem(cert, paid, payable, no_lower, window, as_of)
        if code is None and per_year and this_year + len(payable) >= per_year:
            code = "yearly_limit_reached"
        values: dict[str, object] = {"occupation": cert.occupation, "level": cert.level}
        if code == "certificate_window_passed":
            values |= {
                "date": cert.issued_on,
                "window": window,
                "deadline": add_months(cert.issued_on, window),
            }
        if code == "yearly_limit_reached":
            values |= {"year": as_of.year, "count": this_year + len(payable), "limit": per_year}
        if code is None:
            payable.append(cert)
        else:
            kind: ReasonKind = "pending" if code == "certificate_not_verified" else "refusal"
            problems.append((code, kind, values))
        t.step(
            "skill_subsidy.certificate",
            f"证书 {cert.occupation}（{cert.level}），{cert.issued_on} 取证，申请截止 "
            f"{add_months(cert.issued_on, window)}，核验 {cert.verified} → {code or '可补贴'}",
            f"certificate {cert.occupation} ({cert.level}), issued {cert.issued_on}, claim by "
            f"{add_months(cert.issued_on, window)}, verified {cert.verified} → "
            f"{code or 'payable'}",
            SRC_SKILL,
            occupation=cert.occupation,
            level=cert.level,
            issued_on=cert.issued_on,
            deadline=add_months(cert.issued_on, window),
            verified=cert.verified,
            outcome=code or "payable",
        )
    for code, kind, values in problems:
        t.add(code, as_kind="note" if payable else kind, **values)
    components = tuple((f"{c.occupation}:{c.level}", caps[c.level]) for c in payable)
    amount = sum(fen for _, fen in components)
    if not payable or t.refused or t.pending:
        return t.assessment(paying_region=region, components=components)
    return t.assessment(amount_fen=amount, paying_region=region, components=components)


def _certificate_problem(
    cert: Certificate,
    paid: set[tuple[str, Level]],
    selected: list[Certificate],
    no_lower: bool,
    window: int,
    as_of: date,
) -> str | None:
    chosen = paid | {(c.occupation, c.level) for c in selected}
    if (cert.occupation, cert.level) in chosen:
        return "already_paid_same_level"
    if no_lower and any(
        occupation == cert.occupation and LEVEL_RANK[level] > LEVEL_RANK[cert.level]
        for occupation, level in chosen
    ):
        return "lower_level_after_higher"
    if as_of > add_months(cert.issued_on, window):
        return "certificate_window_passed"
    if cert.verified is False:
        return "certificate_not_found"
    if cert.verified is None:
        return "certificate_not_verified"
    return None


# -- vocational training subsidy -----------------------------------------------------------
def assess_training_subsidy(t: Trace, facts: PersonFacts) -> Assessment:
    as_of = t.as_of
    check_alive(t, facts)
    region = _paying_region(t, facts)
    if not has_insurance_history(facts, as_of):
        t.add("no_insurance_history")
        return t.assessment(paying_region=region)
    cap = t.fen("training_subsidy.cap", on=as_of, region=region)
    window = t.integer("training_subsidy.application_window_months", on=as_of)
    t.step(
        "training_subsidy.rules",
        f"每项合格培训按实际费用补贴，最多 {cap / 100:.2f} 元；结业后 {window} 个月内申请",
        f"each passed course is subsidised at its cost, at most {cap / 100:.2f} yuan; claim "
        f"within {window} months of completion",
        SRC_TRAINING,
        cap_fen=cap,
        window_months=window,
    )
    records = sorted(
        (r for r in facts.training if r.completed_on <= as_of), key=lambda r: r.completed_on
    )
    components: list[tuple[str, int]] = []
    problems: list[tuple[str, dict[str, object]]] = []
    for record in records:
        deadline = add_months(record.completed_on, window)
        covered = (
            unemployment_registration(facts, record.completed_on) is not None
            or open_spell(facts, record.completed_on) is not None
            or receipt_on(facts, record.completed_on).ui_benefit
        )
        code: str | None = None
        values: dict[str, object] = {"course": record.course}
        if record.subsidy_paid:
            code = "training_already_paid"
        elif not record.passed:
            code = "training_not_passed"
        elif as_of > deadline:
            code = "training_window_passed"
            values |= {"date": record.completed_on, "window": window, "deadline": deadline}
        elif not covered:
            code = "training_not_covered"
        subsidy = min(record.cost_fen, cap)
        if code is None:
            components.append((record.course, subsidy))
        else:
            problems.append((code, values))
        t.step(
            "training_subsidy.course",
            f"培训“{record.course}”：{record.completed_on} 结业，费用 {record.cost_fen / 100:.2f} 元 → "
            f"{code or f'补贴 {subsidy / 100:.2f} 元'}",
            f'course "{record.course}": completed {record.completed_on}, cost '
            f"{record.cost_fen / 100:.2f} yuan → {code or f'subsidy {subsidy / 100:.2f} yuan'}",
            SRC_TRAINING,
            course=record.course,
            completed_on=record.completed_on,
            cost_fen=record.cost_fen,
            subsidy_fen=subsidy if code is None else 0,
            outcome=code or "payable",
        )
    if not records:
        t.add("no_training_record")
    for code, values in problems:
        t.add(code, as_kind="note" if components else None, **values)
    if not components or t.refused:
        return t.assessment(paying_region=region)
    return t.assessment(
        amount_fen=sum(fen for _, fen in components),
        paying_region=region,
        components=tuple(components),
    )
