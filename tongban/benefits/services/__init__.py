"""Writing benefits: entitlements, stops and overpayments, suspensions and holds, moves.

Payment runs are in ``tongban.benefits.payrun``; bank returns in ``tongban.benefits.returns``.
"""

from tongban.benefits.services.granting import ENTITLEMENT_CREATED, entitlement_create
from tongban.benefits.services.holding import (
    ENTITLEMENT_SUSPENDED,
    SUSPENDED,
    Suspension,
    entitlement_holds_cancel,
    entitlement_holds_release,
    entitlement_resume,
    entitlements_suspend,
)
from tongban.benefits.services.moving import ENTITLEMENT_MOVED, EntitlementMove, entitlement_move
from tongban.benefits.services.stopping import (
    ENTITLEMENT_STOPPED,
    STOP_KINDS,
    StopResult,
    entitlement_stop,
    overpayment_repay,
)

__all__ = [
    "ENTITLEMENT_CREATED",
    "ENTITLEMENT_MOVED",
    "ENTITLEMENT_STOPPED",
    "ENTITLEMENT_SUSPENDED",
    "STOP_KINDS",
    "SUSPENDED",
    "EntitlementMove",
    "StopResult",
    "Suspension",
    "entitlement_create",
    "entitlement_holds_cancel",
    "entitlement_holds_release",
    "entitlement_move",
    "entitlement_resume",
    "entitlement_stop",
    "entitlements_suspend",
    "overpayment_repay",
]
