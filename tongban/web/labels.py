"""Words for the workflow's codes (status, stage, outcome, channel, role), in the visitor's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STATUS = {
    "initial_review": _("in initial review"),
    "re_review": _("in re-review"),
    "returned": _("returned for correction"),
    "approved": _("approved"),
    "completed": _("completed"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn"),
}
STAGE = {
    "submission": _("Submission"),
    "initial_review": _("Initial review"),
    "re_review": _("Re-review"),
    "finding_review": _("Finding review"),
    "family_invitation": _("Invite the family to claim"),
}
OUTCOME = {
    "submit": pgettext_lazy("outcome", "submitted"),
    "approve": pgettext_lazy("outcome", "approved"),
    "reject": pgettext_lazy("outcome", "rejected"),
    "return": pgettext_lazy("outcome", "returned"),
    "resubmit": pgettext_lazy("outcome", "resubmitted"),
    "withdraw": pgettext_lazy("outcome", "withdrawn"),
}
CHANNEL = {
    "window": _("office window"),
    "portal": _("claimant portal"),
    "alipay": _("Alipay mini-program"),
    "gov_site": _("government services site"),
    "online_hall": _("online hall"),
    "employer_api": _("employer"),
    "automatic": _("automatic"),
}
ROLE = {
    "acceptor": _("acceptor (initial review)"),
    "reviewer": _("reviewer (re-review)"),
    "finance": _("finance"),
    "supervisor": _("supervisor"),
    "head": _("office head"),
    "admin": _("administrator"),
}
ENTITLEMENT_STATUS = {
    "active": _("active"),
    "suspended": _("suspended"),
    "ended": _("ended"),
}
# A payment's status as the person it pays would say it (the API's codes stay the contract's).
PAYMENT_STATUS = {
    "scheduled": pgettext_lazy("payment", "to be paid"),
    "sent": pgettext_lazy("payment", "paid to your bank"),
    "settled": pgettext_lazy("payment", "in your account"),
    "returned": pgettext_lazy("payment", "returned by the bank"),
    "held": pgettext_lazy("payment", "on hold"),
    "cancelled": pgettext_lazy("payment", "cancelled"),
}
# The bank's reason codes of a return file (benefits.returns.RETURN_REASONS).
RETURN_REASON = {
    "wrong_name_or_number": _("the account name or number is wrong"),
    "account_closed": _("the account is closed"),
    "account_frozen": _("the account is frozen"),
    "card_not_activated": _("the social security card's bank function is not activated"),
    "other": _("another reason given by the bank"),
}
HOLD_REASON = {
    "suspended": _(
        "Held while information about you is being checked; the months held are paid once "
        "the check is done."
    ),
    "no_bank_account": _(
        "We have no bank account for you. Give your own account at any office window; the "
        "money is paid with the next monthly payment run."
    ),
}


FINDING_SOURCE = {
    "hire": _("An employer reported a hire"),
    "reemployment_report": _("The person reported a new job"),
    "contribution": _("Contributions paid during the benefit"),
    "death": _("Death record (civil affairs)"),
    "pension_start": _("Basic pension started"),
    "imprisonment": _("Imprisonment"),
    "new_hire": _("Employed elsewhere in the country (national comparison)"),
    "other_province_benefit": _("UI benefit from another province (national comparison)"),
}

FINDING_STATUS = {
    "open": _("open: under review"),
    "confirmed": _("confirmed: the benefit ended"),
    "lifted": _("lifted: the benefit runs again"),
    "superseded": _("settled otherwise"),
}

# The three-way reconciliation's differences (benefits.reconciliation.DIFFERENCES).
RECONCILIATION_DIFFERENCE = {
    "not_with_bank": _("sent to the bank, but now held, scheduled or cancelled"),
    "not_in_run": _("sent, but not by one of the fund's runs of that day"),
    "other_fund": _("paid by one fund for an entitlement or run of another"),
    "not_in_bank_file": _("a payment of the run missing from its bank file"),
    "not_a_payment": _("a line of the bank file that is no payment of the run"),
    "bank_amount": _("the bank file pays another amount"),
    "bank_file_missing": _("the run's bank file is missing"),
    "bank_file_changed": _("the bank file is not the one the run wrote"),
    "run_total": _("the run's recorded totals differ from its payments"),
    "not_booked": _("payments not booked in the fund's books"),
    "booked_without_payment": _("booked in the fund's books without payments behind it"),
    "booked_amount": _("booked with another amount"),
    "booked_account": _("booked against another account"),
}
