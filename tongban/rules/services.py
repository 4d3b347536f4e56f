"""Items that pay no money: registrations, transfer, re-employment report, certificates."""

from __future__ import annotations

from tongban.rules.common import (
    check_alive,
    check_not_employed,
    check_working_age,
    contribution_months,
    has_insurance_history,
    open_spell,
    receipt_on,
)
from tongban.rules.facts import PersonFacts
from tongban.rules.result import Assessment
from tongban.rules.trace import (
    SRC_CERTIFICATE,
    SRC_HANDLING,
    SRC_REGISTRATION,
    SRC_STOPS,
    SRC_TRANSFER,
    Trace,
)


def _open_registration_start(facts: PersonFacts, kind: str, t: Trace) -> None:
    for registration in facts.registrations:
        if registration.kind == kind and registration.open_on(t.as_of):
            t.add(
                f"already_registered_{'unemployed' if kind == 'unemployment' else 'employed'}",
                date=registration.start,
            )
            return


def assess_employment_registration(t: Trace, facts: PersonFacts) -> Assessment:
    check_alive(t, facts)
    check_working_age(t, facts)
    _open_registration_start(facts, "employment", t)
    job = open_spell(facts, t.as_of)
    if job is None:
        t.add("no_insured_job_found")
    t.step(
        "employment_registration",
        f"就业登记：法定劳动年龄内；在职参保记录：{job.employer if job else '无'}",
        f"employment registration: within working age; insured job: "
        f"{job.employer if job else 'none'}",
        SRC_REGISTRATION,
        insured_job=job.employer if job else None,
    )
    return t.assessment()


def assess_unemployment_registration(t: Trace, facts: PersonFacts) -> Assessment:
    check_alive(t, facts)
    check_working_age(t, facts)
    employed = not check_not_employed(t, facts)
    _open_registration_start(facts, "unemployment", t)
    t.step(
        "unemployment_registration",
        f"失业登记：法定劳动年龄内、没有在职参保记录即可办理；在职：{'是' if employed else '否'}",
        "unemployment registration: anyone of working age without insured work may register; "
        f"employed: {employed}",
        SRC_REGISTRATION,
        employed=employed,
    )
    return t.assessment()


def assess_ui_transfer(t: Trace, facts: PersonFacts) -> Assessment:
    """Automatic inside the province (免申即办): never applied for; says whether a move is due."""
    t.add("transfer_automatic")
    entitlement = facts.entitlement
    source = entitlement.paying_region if entitlement and entitlement.active_on(t.as_of) else None
    target = facts.insured_region_code
    needed = source is not None and target is not None and source != target
    if needed:
        t.add("transfer_will_happen", from_region=source, to_region=target)
    t.step(
        "ui_transfer",
        "省内关系转移无需申请；"
        + (
            f"剩余待遇从 {source} 基金转入 {target} 基金（转移支出/转移收入）"
            if needed
            else "目前无需转移待遇"
        ),
        "inside the province the relationship moves without an application; "
        + (
            f"the remaining entitlement moves from the {source} fund to the {target} fund "
            "(transfer-out / transfer-in)"
            if needed
            else "no entitlement needs to move now"
        ),
        SRC_TRANSFER,
        transfer_needed=needed,
        from_region=source,
        to_region=target,
    )
    return t.assessment(
        eligible=False,
        paying_region=target,
        details=(("transfer_needed", needed), ("from_region", source), ("to_region", target)),
    )


def assess_reemployment_report(t: Trace, facts: PersonFacts) -> Assessment:
    receipt = receipt_on(facts, t.as_of)
    receiving = receipt.ui_benefit or receipt.subsidy
    if not receiving:
        t.add("not_receiving_benefit")
    entitlement = facts.entitlement if receipt.ui_benefit else facts.subsidy_entitlement
    t.step(
        "reemployment_report",
        "领取待遇期间重新就业的，应在20个工作日内报告，待遇停发；"
        + ("正在领取" if receiving else "目前未领取待遇"),
        "a recipient who finds work reports it within 20 working days and the benefit stops; "
        + ("receiving now" if receiving else "not receiving any benefit now"),
        SRC_STOPS,
        receiving_ui_benefit=receipt.ui_benefit,
        receiving_subsidy=receipt.subsidy,
    )
    return t.assessment(paying_region=entitlement.paying_region if entitlement else None)


def assess_employment_certificate(t: Trace, facts: PersonFacts) -> Assessment:
    check_alive(t, facts)
    check_working_age(t, facts)
    t.step(
        "employment_certificate",
        "就业创业证：法定劳动年龄内的劳动者均可申领",
        "employment and entrepreneurship certificate: any worker of working age may have one",
        SRC_CERTIFICATE,
    )
    return t.assessment()


def assess_ui_certificate(t: Trace, facts: PersonFacts) -> Assessment:
    history = has_insurance_history(facts, t.as_of) or bool(facts.determinations)
    if not history:
        t.add("no_insurance_history")
    months = contribution_months(facts, after=None, until=t.as_of)
    t.step(
        "ui_certificate",
        f"参保缴费凭证/待遇证明：有参保记录即可出具；累计缴费 {months} 个月，核定 "
        f"{len(facts.determinations)} 次",
        f"certificate of contributions or benefits: issued to anyone with an insurance record; "
        f"{months} contribution months, {len(facts.determinations)} determinations",
        SRC_HANDLING,
        contribution_months=months,
        determinations=len(facts.determinations),
    )
    if history:
        t.add("certificate_shows_history")
    return t.assessment(
        paying_region=facts.insured_region_code,
        details=(("contribution_months", months), ("determinations", len(facts.determinations))),
    )
