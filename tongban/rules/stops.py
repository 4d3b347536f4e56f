"""Stop events (停止领取): what a re-employment, conscription, emigration, pension, imprisonment
or refusal of suitable work does to a running entitlement (Regulation art. 15; SIL art. 51);
also a death, and UI benefit paid by another province for the same months, found by the
national comparison (issue 7).
"""

from __future__ import annotations

from tongban.core.months import add_months, month_of, months_between
from tongban.rules.facts import Entitlement, StopEvent
from tongban.rules.params import ParameterSet
from tongban.rules.result import StopOutcome
from tongban.rules.trace import SRC_STOPS, Trace

# Months left after a stop stay "unclaimed" and may be claimed after a later unemployment
# (Regulation art. 17(2)) only when the person stopped because they found work again.
PRESERVES_UNCLAIMED = frozenset({"reemployment"})

EVENT_NAMES = {
    "reemployment": ("重新就业", "re-employment"),
    "conscription": ("应征服兵役", "conscription"),
    "emigration": ("移居境外", "emigration"),
    "pension_start": ("享受基本养老保险待遇", "start of a basic pension"),
    "imprisonment": ("被判刑收监执行", "imprisonment"),
    "refusal": (
        "无正当理由拒不接受介绍的适当工作或培训",
        "refusal without good reason of suitable work or training",
    ),
    # Not in art. 15's list, but benefit ends with them: a death (art. 20 then pays the family)
    # and UI benefit paid for the same months by another province (one benefit at a time).
    "death": ("死亡", "death"),
    "other_province_benefit": ("在外省领取失业保险金", "UI benefit paid by another province"),
}


def stop_consequences(
    entitlement: Entitlement, event: StopEvent, params: ParameterSet
) -> StopOutcome:
    """The effective stop date, the last payable month, months cancelled, and overpaid months.

    The effective date is the event's date. Which month is the last one paid is the
    parameter ``stops.last_payable_month``; months already paid after it are overpaid
    and recoverable (Handling Regulation art. 46).
    """
    t = Trace(params, event.on, "stop")
    rule = t.choice("stops.last_payable_month", on=event.on)
    event_month = month_of(event.on)
    last_month = event_month if rule == "event_month" else add_months(event_month, -1)
    start = entitlement.start_month
    payable = max(0, min(entitlement.months, months_between(start, last_month) + 1))
    cancelled = entitlement.months - payable
    overpaid = tuple(
        add_months(start, i) for i in range(payable, max(payable, entitlement.months_paid))
    )
    preserved = cancelled if event.kind in PRESERVES_UNCLAIMED else 0
    amount = entitlement.monthly_amount_fen
    premium = entitlement.medical_premium_fen
    zh_event, en_event = EVENT_NAMES[event.kind]
    last_payable = add_months(start, payable - 1) if payable else None
    t.step(
        "stops.effect",
        f"{zh_event}（{event.on}）：自该日起停止领取；按“{rule}”规则，最后一个发放月为 "
        f"{last_payable or '无'}；共 {entitlement.months} 个月中可发 {payable} 个月，取消 "
        f"{cancelled} 个月"
        + ("（保留为应领未领，可与以后再次失业合并计算）" if preserved else "")
        + (f"；已发 {len(overpaid)} 个月属多发，应追回" if overpaid else ""),
        f"{en_event} on {event.on}: benefit stops from that day; under the '{rule}' rule the "
        f"last payable month is {last_payable or 'none'}; of {entitlement.months} months "
        f"{payable} are payable and {cancelled} cancelled"
        + (" (kept as unclaimed for a later unemployment)" if preserved else "")
        + (f"; {len(overpaid)} month(s) already paid are an overpayment" if overpaid else ""),
        SRC_STOPS,
        event=event.kind,
        effective_on=event.on,
        last_payable_month=last_payable,
        months_payable=payable,
        months_cancelled=cancelled,
        months_preserved=preserved,
        overpaid_months=len(overpaid),
    )
    return StopOutcome(
        event=event.kind,
        effective_on=event.on,
        last_payable_month=last_payable,
        months_payable=payable,
        months_cancelled=cancelled,
        months_preserved=preserved,
        overpaid_months=overpaid,
        overpayment_fen=amount * len(overpaid) if amount is not None else None,
        medical_premium_overpaid_fen=premium * len(overpaid) if premium is not None else None,
        explanation=tuple(t.steps),
        parameter_set_version=params.version,
        parameter_versions=t.parameter_versions(),
    )
