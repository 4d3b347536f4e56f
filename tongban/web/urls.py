from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.web import finance_views, views

app_name = "web"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", views.office_home, name="office_home"),
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
]
