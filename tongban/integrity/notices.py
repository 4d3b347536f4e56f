"""The notices a finding sends (告知书), in Chinese and English: held, ended, lifted, family.

Sent through ``core.notices`` (the outbox, then the configured notifier). A notice names
what was found, what happens to the money, who decides, and how to be heard.
"""

from __future__ import annotations

from typing import Any

from tongban.core.notices import Notice

SOURCE_TEXT = {
    "hire": ("用人单位为您办理了参保登记", "an employer registered you for insurance (a new job)"),
    "reemployment_report": ("您报告了再就业", "you reported a new job"),
    "contribution": (
        "有单位为您缴纳了失业保险费",
        "contributions were paid for you by an employer",
    ),
    "death": ("民政部门的死亡登记信息", "a civil-affairs death record"),
    "pension_start": ("您已开始领取基本养老金", "a basic pension has started for you"),
    "imprisonment": ("司法部门的服刑信息", "a record of imprisonment"),
    "new_hire": ("全国就业登记信息显示您已就业", "national records show you in a new job"),
    "other_province_benefit": (
        "其他省份正在向您发放失业保险金",
        "another province pays you unemployment-insurance benefit",
    ),
}


def _source(finding: Any) -> tuple[str, str]:
    return SOURCE_TEXT.get(finding.source, (finding.source, finding.source))


def held(*, finding: Any, person: Any, agency: Any) -> Notice:
    zh, en = _source(finding)
    month = finding.suspended_from or finding.event_date
    return Notice(
        key=f"finding:{finding.reference}:held",
        person_id=finding.person_id,
        recipient="person",
        phone=person.phone,
        template="benefit_held",
        text_zh=(
            f"【失业保险】我们收到信息：{zh}（{finding.event_date}）。自 {month:%Y年%m月} 起您的失业保险金"
            f"暂停发放，由{agency.name_zh}核实，核实前不会终止待遇。如信息有误，请联系{agency.name_zh}"
            f"说明情况。编号 {finding.reference}。"
        ),
        text_en=(
            f"[Unemployment insurance] We received information that {en} ({finding.event_date}). "
            f"Your benefit is held from {month:%Y-%m} while the {agency.name_en} checks it; it is not "
            f"ended before a person decides. If the information is wrong, tell the "
            f"{agency.name_en}. Reference {finding.reference}."
        ),
    )


def ended(*, finding: Any, agency: Any, reasons: list[str]) -> Notice:
    zh, en = _source(finding)
    owed = finding.overpayment_fen
    return Notice(
        key=f"finding:{finding.reference}:ended",
        person_id=finding.person_id,
        recipient="family" if finding.source == "death" else "person",
        phone=finding.person.phone,
        template="benefit_ended",
        text_zh=(
            f"【失业保险】经{agency.name_zh}核实（{zh}），您的失业保险待遇自 {finding.event_date} 起停止。"
            f"理由：{'；'.join(reasons)}。"
            + (f"多发的 {owed / 100:.2f} 元需退回，可分期或从以后的待遇中抵扣。" if owed else "")
            + f"如不服，可依法申请行政复议或提起行政诉讼。编号 {finding.reference}。"
        ),
        text_en=(
            f"[Unemployment insurance] After checking ({en}) the {agency.name_en} decided that your "
            f"benefit stops from {finding.event_date}. Reasons: {'; '.join(reasons)}."
            + (
                f" {owed / 100:.2f} yuan paid for later months is to be repaid, in instalments or "
                f"against later benefit."
                if owed
                else ""
            )
            + f" You may ask for an administrative review or go to court. Reference {finding.reference}."
        ),
    )


def lifted(*, finding: Any, agency: Any, still_held: bool) -> Notice:
    return Notice(
        key=f"finding:{finding.reference}:lifted",
        person_id=finding.person_id,
        recipient="person",
        phone=finding.person.phone,
        template="benefit_resumed",
        text_zh=(
            f"【失业保险】{agency.name_zh}已核实编号 {finding.reference} 的信息，不影响您的待遇。"
            + (
                "另有信息仍在核实中，待遇暂不恢复。"
                if still_held
                else "您的失业保险金恢复发放，暂停期间的待遇将在下一次发放时补发。"
            )
        ),
        text_en=(
            f"[Unemployment insurance] The {agency.name_en} checked the information of reference "
            f"{finding.reference}: it does not affect your benefit. "
            + (
                "Other information is still being checked, so payments stay held for now."
                if still_held
                else "Your benefit resumes; the months held are paid in the next payment run."
            )
        ),
    )


def family_invitation(*, finding: Any, agency: Any) -> Notice:
    return Notice(
        key=f"finding:{finding.reference}:family",
        person_id=finding.person_id,
        recipient="family",
        phone=finding.person.phone,
        template="funeral_survivor_invitation",
        text_zh=(
            f"【失业保险】{finding.person.name}的家属：我们对您的亲人去世深表哀悼。按照规定，家属可申领"
            f"丧葬补助金和抚恤金，只需携带身份证到任一经办窗口或在线申请。{agency.name_zh}将与您联系。"
        ),
        text_en=(
            f"[Unemployment insurance] To the family of {finding.person.name}: we are sorry for your "
            f"loss. The family may claim the funeral grant and survivor pension with an ID card at "
            f"any office or online. The {agency.name_en} will contact you."
        ),
    )
