from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.web import views

app_name = "web"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("accounts/login/", views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", views.office_home, name="office_home"),
]
