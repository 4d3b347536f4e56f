from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.web import office, portal, views

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
]
