"""Pages shared by the workbench and the portal: the staff sign-in."""

from __future__ import annotations

from django.contrib.auth.views import LoginView


class StaffLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
