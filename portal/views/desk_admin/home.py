"""The tenant administrators' pages: the desk's product areas, teams, staff and accounts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.views.access import signed_in_user
from portal.views.desk_admin.common import admin_required
from servicedesk.models import ProductArea, Team
from servicedesk.selectors import accounts_visible_to, staff_of_tenant


@admin_required
def desk_admin_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "desk_admin/home.html",
        {
            "product_areas": ProductArea.objects.order_by("name"),
            "teams": Team.objects.select_related("product_area").order_by("name"),
            "staff": staff_of_tenant(actor=user).order_by("full_name"),
            "accounts": accounts_visible_to(actor=user),
        },
    )
