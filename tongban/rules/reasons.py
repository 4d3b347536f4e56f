"""The reason catalogue: stable codes with what a caseworker would tell the person (zh, en).

Codes are part of the API contract (``reasons: [{code, message}]``); messages may be
reworded, codes may not. Placeholders are filled by :func:`reason`: dates, levels and
region codes are written the way each language writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from tongban.rules.params import Region
from tongban.rules.result import Reason, ReasonKind

LEVELS: Final[Mapping[str, tuple[str, str]]] = {
    "junior": ("初级", "junior (初级)"),
    "intermediate": ("中级", "intermediate (中级)"),
    "senior": ("高级", "senior (高级)"),
}
SCHEMES: Final[Mapping[str, tuple[str, str]]] = {
    "pension": ("基本养老保险", "basic pension insurance"),
    "work_injury": ("工伤保险", "work-injury insurance"),
}
# The separation reasons employers record (停保原因), as in the registry's
# separation_reasons.yaml (a test keeps the two in step); used to quote the reason.
SEPARATION_REASONS: Final[Mapping[str, tuple[str, str]]] = {
    "contract_expired": ("劳动合同期满终止且未续订", "Contract expired and was not renewed"),
    "employer_proposed_agreed": (
        "用人单位提出协商一致解除劳动合同",
        "Ended by agreement on the employer's proposal",
    ),
    "dismissed": ("被用人单位开除、除名或辞退", "Dismissed, removed or expelled by the employer"),
    "employer_rescinded": ("用人单位依法解除劳动合同", "The employer rescinded the contract"),
    "worker_rescinded_employer_fault": (
        "劳动者因用人单位过错解除劳动合同（劳动合同法第三十八条）",
        "The worker rescinded for the employer's fault (Labour Contract Law art. 38)",
    ),
    "employer_closed": (
        "用人单位破产、关闭、撤销或提前解散",
        "The employer went bankrupt, closed or was dissolved",
    ),
    "other_legal": ("法律、行政法规规定的其他情形", "Other cases provided by law or regulation"),
    "voluntary_resignation": ("本人自愿离职", "Resigned voluntarily"),
    "worker_proposed_agreed": (
        "劳动者提出协商一致解除劳动合同",
        "Ended by agreement on the worker's proposal",
    ),
    "retired": ("达到法定退休年龄或开始领取养老金", "Retired or started a basic pension"),
    "died": ("死亡", "Died"),
    "transferred_out": ("调动或转出本单位", "Transferred to another employer"),
}

# code: (kind, zh, en)
CATALOGUE: Final[Mapping[str, tuple[ReasonKind, str, str]]] = {
    # -- who the person is ---------------------------------------------------------------
    "deceased": (
        "refusal",
        "系统记录该人员已于{date}死亡。",
        "Our records show that this person died on {date}.",
    ),
    "under_working_age": (
        "refusal",
        "您未满{years}周岁，还不到法定劳动年龄。",
        "You are under {years}, the minimum working age.",
    ),
    "over_retirement_age": (
        "refusal",
        "您已于{date}达到法定退休年龄。",
        "You reached the statutory retirement age on {date}.",
    ),
    "pension_started": (
        "refusal",
        "您已于{date}开始领取基本养老金。",
        "You have been receiving a basic pension since {date}.",
    ),
    "no_insurance_history": (
        "refusal",
        "没有查到您参加失业保险的记录。如有疑问，请带身份证到任一经办窗口核对。",
        "We found no unemployment insurance record for you. If you think this is wrong, "
        "bring your ID card to any office and we will check.",
    ),
    "no_insured_region": (
        "refusal",
        "暂时无法确定您的参保地（由哪个统筹区支付），请到经办窗口核实参保关系。",
        "We cannot tell which region holds your insurance (and so who pays); "
        "please ask at an office to check your insurance record.",
    ),
    "employed": (
        "refusal",
        "系统显示您目前在{employer}参保在职（自{date}起），在职期间不能办理。",
        "Our records show you are currently employed and insured with {employer} "
        "(since {date}), so this cannot be done while you are in work.",
    ),
    # -- registrations -------------------------------------------------------------------
    "already_registered_unemployed": (
        "refusal",
        "您已于{date}办理失业登记，无需重复办理。",
        "You registered as unemployed on {date}; there is no need to register again.",
    ),
    "already_registered_employed": (
        "refusal",
        "您已于{date}办理就业登记，无需重复办理。",
        "You registered your employment on {date}; there is no need to register again.",
    ),
    "no_insured_job_found": (
        "note",
        "没有查到您的在职参保记录；灵活就业或单位尚未参保的，办理时请说明就业情况。",
        "We found no insured job for you; if you are self-employed or your employer has "
        "not insured you yet, tell us about your work when you register.",
    ),
    "not_registered_unemployed": (
        "refusal",
        "您还没有办理失业登记。办理失业登记后即可申领，失业保险金从登记当月起计发；"
        "两项可以一起申请。",
        "You have not registered as unemployed yet. Once you register you can claim, and "
        "benefit is paid from the month you register; you can apply for both together.",
    ),
    # -- UI benefit ----------------------------------------------------------------------
    "contribution_under_one_year": (
        "refusal",
        "领取失业保险金需要累计缴费满1年。您{since}累计缴费{months}个月，还差{missing}个月。",
        "UI benefit needs at least one year of contributions. You have {months} months "
        "{since}, {missing} short of 12.",
    ),
    "voluntary_separation": (
        "refusal",
        "您的单位登记的离职原因是“{reason}”，属于本人意愿中断就业，不能领取失业保险金。"
        "如果离职并非您本人的意愿，可以提出异议，我们会重新核实。",
        'Your employer recorded the reason for leaving as "{reason}", which counts as '
        "leaving of your own will, so UI benefit cannot be paid. If you did not leave of "
        "your own will, you can contest this and we will re-verify it.",
    ),
    "contest_pending": (
        "pending",
        "您对离职原因提出的异议正在核实中，核实结果出来后即可确定能否领取失业保险金。",
        "Your contest of the reason for leaving is being re-verified; we can decide on "
        "UI benefit as soon as that is done.",
    ),
    "contest_upheld": (
        "note",
        "经核实，您属于非因本人意愿中断就业，单位登记的离职原因已更正。",
        "After re-verification, your job ended involuntarily; the employer's reason has "
        "been corrected.",
    ),
    "contest_rejected": (
        "refusal",
        "经核实，维持单位登记的离职原因（本人意愿离职），不能领取失业保险金。"
        "对核实结果有异议的，可以依法申请行政复议或提起行政诉讼。",
        "After re-verification, the employer's reason (leaving of your own will) stands, "
        "so UI benefit cannot be paid. You may ask for an administrative review or go to "
        "court if you disagree.",
    ),
    "separation_reason_missing": (
        "pending",
        "单位还没有登记您的离职原因，我们需要向单位核实后才能确定。",
        "Your employer has not recorded why your job ended; we need to check with them "
        "before we can decide.",
    ),
    "already_receiving": (
        "refusal",
        "您正在领取失业保险金（自{date}起共{months}个月），不能重复申领。",
        "You are already receiving UI benefit ({months} months from {date}); it cannot be "
        "claimed twice.",
    ),
    "receiving_subsidy": (
        "refusal",
        "您正在领取失业补助金，领取期间不能同时领取失业保险金。",
        "You are receiving the unemployment subsidy; UI benefit cannot be paid at the same time.",
    ),
    "unclaimed_months_reclaimed": (
        "note",
        "您重新就业后缴费不满1年，可以继续领取上次核定后还没有领取的{months}个月失业保险金。",
        "You worked less than a year after your last claim, so you can take up the "
        "{months} months of benefit left unclaimed from it.",
    ),
    "carry_over_added": (
        "note",
        "本次核定{new}个月，加上次还没有领取的{carried}个月，合并计算。",
        "This determination gives {new} months; the {carried} months left unclaimed last "
        "time are added.",
    ),
    "carry_over_capped": (
        "note",
        "本次核定{new}个月与上次未领的{carried}个月合计超过{cap}个月，按{cap}个月计。",
        "The {new} new months and the {carried} months left unclaimed come to more than "
        "{cap}; the limit is {cap} months.",
    ),
    "minimum_living_standard_floor": (
        "note",
        "按比例计算的金额低于当地城市低保标准，按低保标准{amount}元发放。",
        "The calculated amount is below the local minimum living standard, so the "
        "standard of {amount} yuan is paid.",
    ),
    # -- unemployment subsidy ------------------------------------------------------------
    "subsidy_outside_window": (
        "refusal",
        "失业补助金是阶段性政策，{date}不在政策执行期内。",
        "The unemployment subsidy is a temporary policy and is not in force on {date}.",
    ),
    "qualifies_for_ui_benefit": (
        "refusal",
        "您符合领取失业保险金的条件，请申领失业保险金；两者不能同时领取。",
        "You qualify for UI benefit, so please claim that instead; the two cannot be "
        "paid together.",
    ),
    "ui_benefit_decision_pending": (
        "pending",
        "您能否领取失业保险金还在核实中，核实后再确定失业补助金。",
        "Whether you can get UI benefit is still being checked; the subsidy is decided after that.",
    ),
    "already_receiving_subsidy": (
        "refusal",
        "您正在领取失业补助金（自{date}起），不能重复申领。",
        "You are already receiving the unemployment subsidy (since {date}).",
    ),
    "subsidy_months_used": (
        "refusal",
        "您已领取失业补助金{months}个月，已达到最长{limit}个月。",
        "You have received the unemployment subsidy for {months} months, the most "
        "allowed is {limit}.",
    ),
    "ui_benefit_ran_out": (
        "note",
        "您的失业保险金已经领完，可以申领失业补助金。",
        "Your UI benefit has run out, so you can claim the unemployment subsidy.",
    ),
    # -- skill-upgrading subsidy ---------------------------------------------------------
    "not_insured_employee": (
        "refusal",
        "技能提升补贴面向在职参保职工，系统显示您目前没有在职参保。",
        "The skill-upgrading subsidy is for insured employees, and our records show you "
        "are not in insured work now.",
    ),
    "receiving_ui_not_covered": (
        "refusal",
        "您正在领取失业保险金；本省目前没有把领取失业保险金人员纳入技能提升补贴范围。",
        "You are receiving UI benefit; in this province benefit recipients are not "
        "covered by the skill-upgrading subsidy.",
    ),
    "skill_contribution_short": (
        "refusal",
        "申领技能提升补贴需累计缴纳失业保险费满{required}个月，您目前累计{months}个月。",
        "The skill-upgrading subsidy needs {required} months of unemployment insurance "
        "contributions; you have {months}.",
    ),
    "no_certificate": (
        "refusal",
        "没有查到您的职业资格证书或职业技能等级证书。",
        "We found no vocational qualification or skill-level certificate for you.",
    ),
    "certificate_not_verified": (
        "pending",
        "{occupation}（{level}）证书正在全国证书查询系统中核验，核验后即可确定。",
        "Your {occupation} certificate ({level}) is being checked in the national "
        "certificate registry; we can decide once that is done.",
    ),
    "certificate_not_found": (
        "refusal",
        "{occupation}（{level}）证书在全国证书查询系统中查不到，请核对证书编号，或联系发证机构。",
        "Your {occupation} certificate ({level}) could not be found in the national "
        "certificate registry; please check the number or ask the issuing body.",
    ),
    "certificate_window_passed": (
        "refusal",
        "{occupation}（{level}）证书于{date}取得，应在取证之日起{window}个月内（{deadline}前）"
        "申请，现已超过申请期限。",
        "Your {occupation} certificate ({level}) was issued on {date}; it had to be "
        "claimed within {window} months (by {deadline}), and that time has passed.",
    ),
    "already_paid_same_level": (
        "refusal",
        "{occupation}（{level}）的技能提升补贴已经领取过，同一职业同一等级只能领取一次。",
        "You have already received the subsidy for {occupation} at {level} level; it "
        "is paid once per occupation and level.",
    ),
    "lower_level_after_higher": (
        "refusal",
        "您已领取{occupation}更高等级的补贴，不能再领取{level}的补贴。",
        "You have already received the subsidy for a higher level of {occupation}, so "
        "the {level} level cannot be paid.",
    ),
    "yearly_limit_reached": (
        "refusal",
        "{occupation}（{level}）：您{year}年已领取或本次申领{count}次技能提升补贴，每人每年最多{limit}次。",
        "{occupation} ({level}): you already have {count} skill-upgrading subsidies "
        "in {year}; at most {limit} a year are paid.",
    ),
    # -- funeral grant and survivor pension ----------------------------------------------
    "not_deceased": (
        "refusal",
        "没有查到该人员的死亡记录，请提供死亡信息后再申请。",
        "We have no record of this person's death; please give us the details of the death.",
    ),
    "death_not_during_receipt": (
        "refusal",
        "该人员{date}死亡时没有在领取失业保险金，失业保险不支付丧葬补助金和抚恤金。",
        "This person was not receiving UI benefit when they died on {date}, so the "
        "unemployment insurance fund pays no funeral grant or survivor pension.",
    ),
    "funeral_already_paid": (
        "refusal",
        "该人员的丧葬补助金和抚恤金已经核定，不能重复申领。",
        "The funeral grant and survivor pension for this person have already been granted.",
    ),
    "death_during_subsidy": (
        "note",
        "领取失业补助金期间死亡的，不享受丧葬补助金和抚恤金。",
        "A person who dies while receiving the unemployment subsidy does not give rise "
        "to a funeral grant or survivor pension.",
    ),
    "funeral_grant_elsewhere": (
        "note",
        "家属领取{scheme}的丧葬补助金，丧葬补助金只能领取一份，失业保险只支付抚恤金。",
        "The family takes the funeral grant from {scheme}; only one funeral grant is "
        "paid, so the unemployment insurance fund pays the survivor pension only.",
    ),
    # -- transfer and re-employment ------------------------------------------------------
    "transfer_automatic": (
        "note",
        "省内失业保险关系转移无需申请，系统自动办理。",
        "Inside the province the unemployment insurance relationship moves "
        "automatically; there is nothing to apply for.",
    ),
    "transfer_will_happen": (
        "note",
        "您的失业保险关系将从{from_region}转到{to_region}，系统自动办理，剩余待遇随之转移。",
        "Your unemployment insurance will move from {from_region} to {to_region} "
        "automatically, with the rest of your entitlement.",
    ),
    "not_receiving_benefit": (
        "refusal",
        "您目前没有在领取失业保险金或失业补助金，不需要报告再就业。",
        "You are not receiving UI benefit or the unemployment subsidy, so there is no "
        "re-employment to report.",
    ),
    # -- training subsidy ----------------------------------------------------------------
    "no_training_record": (
        "refusal",
        "没有查到您培训合格、尚未领取补贴的记录。",
        "We found no completed training course of yours that has not been subsidised yet.",
    ),
    "training_not_passed": (
        "refusal",
        "“{course}”培训考核未合格，不能领取培训补贴。",
        'You did not pass the assessment for "{course}", so no training subsidy is paid.',
    ),
    "training_window_passed": (
        "refusal",
        "“{course}”于{date}结业，应在{window}个月内（{deadline}前）申请，现已超过期限。",
        '"{course}" ended on {date}; it had to be claimed within {window} months (by '
        "{deadline}), and that time has passed.",
    ),
    "training_not_covered": (
        "refusal",
        "“{course}”结业时您既没有办理失业登记，也没有在职参保，不属于补贴范围。",
        'When "{course}" ended you were neither registered as unemployed nor in insured '
        "work, so it is not covered.",
    ),
    "training_already_paid": (
        "refusal",
        "“{course}”的培训补贴已经领取过。",
        'The subsidy for "{course}" has already been paid.',
    ),
    # -- rural contract workers ----------------------------------------------------------
    "not_rural_contract_worker": (
        "refusal",
        "您最近一段参保不是以农民合同制工人身份参保。",
        "Your last insured job was not as a rural contract worker.",
    ),
    "rural_under_one_year": (
        "refusal",
        "一次性生活补助要求在本单位连续工作满1年，您在{employer}工作不满1年。",
        "The one-off allowance needs a full year with the same employer; you worked for "
        "{employer} for less than a year.",
    ),
    "rural_no_contributions": (
        "refusal",
        "单位没有为您在{employer}工作期间缴纳失业保险费。",
        "Your employer paid no unemployment insurance contributions for your time at {employer}.",
    ),
    "rural_already_paid": (
        "refusal",
        "您在{employer}这段工作的一次性生活补助已经领取过。",
        "The one-off allowance for your work at {employer} has already been paid.",
    ),
    # -- certificates ---------------------------------------------------------------------
    "certificate_shows_history": (
        "note",
        "凭证列明您的参保缴费和待遇记录。",
        "The certificate lists your contributions and benefits.",
    ),
}


def reason(code: str, regions: Mapping[str, Region] | None = None, **values: object) -> Reason:
    """The reason ``code`` with its placeholders filled in for each language."""
    kind, zh, en = CATALOGUE[code]
    zh_values: dict[str, object] = {}
    en_values: dict[str, object] = {}
    for key, value in values.items():
        zh_values[key], en_values[key] = _localise(key, value, regions or {})
    return Reason(code=code, kind=kind, zh=zh.format(**zh_values), en=en.format(**en_values))


def _localise(key: str, value: object, regions: Mapping[str, Region]) -> tuple[object, object]:
    if key == "since":
        if isinstance(value, date):
            return (
                f"自上次核定（{value.year}年{value.month}月{value.day}日）以来",
                f"since your last determination ({value.isoformat()})",
            )
        return "", "in total"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日", value.isoformat()
    if key == "reason" and isinstance(value, str):
        return SEPARATION_REASONS.get(value, (value, value))
    if key == "level" and isinstance(value, str) and value in LEVELS:
        return LEVELS[value]
    if key == "scheme" and isinstance(value, str) and value in SCHEMES:
        return SCHEMES[value]
    if key.endswith("region") and isinstance(value, str) and value in regions:
        region = regions[value]
        return region.zh, region.en
    return value, value
