"""The managers' pages: the dashboard with the tenant's accounts, sites, staff and teams."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.views.access import role_required, signed_in_user
from servicedesk.models import Team, User
from servicedesk.selectors import accounts_visible_to, sites_visible_to, staff_of_tenant


@role_required(User.Role.MANAGER)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "dashboards/home.html",
        {
            "account_count": accounts_visible_to(actor=user).count(),
            "site_count": sites_visible_to(actor=user).count(),
            "staff_count": staff_of_tenant(actor=user).count(),
            "teams": Team.objects.select_related("product_area").order_by("name"),
        },
    )
