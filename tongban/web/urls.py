from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.web import (
    finance_views,
    findings,
    office,
    payments_views,
    portal,
    supervision_views,
    transfers_views,
    views,
)

app_name = "web"

urlpatterns = [
    # The claimant portal
    path("", portal.home, name="portal_home"),
    path("signin/", portal.signin, name="signin"),
    path("signin/return/", portal.signin_return, name="signin_return"),
    path("signout/", portal.signout, name="signout"),
    path("me/", portal.me, name="portal_me"),
    path("me/apply/<slug:what>/", portal.apply, name="portal_apply"),
    path("me/cases/<str:reference>/", portal.case, name="portal_case"),
    path("me/payments/", portal.payments, name="portal_payments"),
    path("me/new-job/", portal.reemployment, name="portal_reemployment"),
    # The office workbench
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", office.queue, name="office_home"),
    path("office/accept/", office.accept, name="office_accept"),
    path("office/cases/<str:reference>/", office.case, name="office_case"),
    path("office/findings/", findings.findings_list, name="office_findings"),
    path("office/transfers/", transfers_views.transfers_list, name="office_transfers"),
    path("office/findings/<str:reference>/", findings.finding_page, name="office_finding"),
    path("office/finance/", finance_views.overview, name="finance_overview"),
    path(
        "office/finance/trial-balance/",
        finance_views.trial_balance_page,
        name="finance_trial_balance",
    ),
    path(
        "office/finance/income-expenditure/",
        finance_views.income_expenditure_page,
        name="finance_income_expenditure",
    ),
    path(
        "office/finance/balance-sheet/",
        finance_views.balance_sheet_page,
        name="finance_balance_sheet",
    ),
    path("office/finance/coverage/", finance_views.coverage_page, name="finance_coverage"),
    path("office/finance/payments/", payments_views.payments_page, name="finance_payments"),
    # Supervision: the province's live view of service quality and of every fund
    path("office/supervision/", supervision_views.overview, name="supervision_overview"),
    path("office/supervision/volumes/", supervision_views.volumes, name="supervision_volumes"),
    path("office/supervision/matrix/", supervision_views.cross_region, name="supervision_matrix"),
    path("office/supervision/time/", supervision_views.time, name="supervision_time"),
    path(
        "office/supervision/outcomes/",
        supervision_views.outcome_page,
        name="supervision_outcomes",
    ),
    path("office/supervision/payments/", supervision_views.payments, name="supervision_payments"),
    path("office/supervision/funds/", supervision_views.funds, name="supervision_funds"),
    path(
        "office/supervision/anomalies/",
        supervision_views.anomalies,
        name="supervision_anomalies",
    ),
    path(
        "office/supervision/cases/<str:reference>/",
        supervision_views.case,
        name="supervision_case",
    ),
    path(
        "office/supervision/payment/<str:reference>/",
        supervision_views.payment,
        name="supervision_payment",
    ),
]
