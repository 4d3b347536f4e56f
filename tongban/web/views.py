"""Server-rendered pages. Views are thin: read through selectors, write through one service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.catalogue.selectors import items_list
from tongban.regions.selectors import regions_list, staff_for_user


class StaffLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def portal_home(request: HttpRequest) -> HttpResponse:
    """The claimant portal's front page: what can be done, anywhere in the province."""
    return render(
        request,
        "portal/home.html",
        {"items": items_list(), "regions": regions_list()},
    )


@login_required
def office_home(request: HttpRequest) -> HttpResponse:
    """The workbench home: who you are, which office, which region and fund, which roles."""
    staff = staff_for_user(user=request.user)
    return render(request, "office/home.html", {"staff": staff}, status=200 if staff else 403)
