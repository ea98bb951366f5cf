"""Escalation thresholds per priority: the ticket age each level is reached at, in wall-clock
or business time, and the level an SLA breach reaches. A change is used by the next sweep:
every open timer of that priority is due at once (``look_again_at_priority``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from escalation.models import EscalationMatrix, EscalationPolicy
from escalation.services.timers import look_again_at_priority
from portal.forms.desk_admin import ThresholdForm
from portal.views.desk_admin.common import Outcome, admin_required, render_form, saved_redirect, submit


@admin_required
def thresholds(request: HttpRequest) -> HttpResponse:
    matrices = EscalationMatrix.objects.select_related("account").order_by("account__name", "name")
    policies = EscalationPolicy.objects.select_related("calendar").order_by("priority")
    by_matrix: dict[int, list[EscalationPolicy]] = {}
    for policy in policies:
        by_matrix.setdefault(policy.matrix_id, []).append(policy)
    rows = [(matrix, by_matrix.get(matrix.pk, [])) for matrix in matrices]
    return render(request, "desk_admin/thresholds.html", {"rows": rows})


@admin_required
def threshold_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(EscalationPolicy.objects.select_related("matrix", "calendar"), pk=pk)

    def take_effect(saved: EscalationPolicy) -> None:
        look_again_at_priority(priority=saved.priority, now=timezone.now())

    if request.method == "POST":
        outcome = submit(
            request,
            ThresholdForm(request.POST, instance=policy),
            after_save=take_effect,
            object_name=f"{policy.matrix.name} · {policy.priority}",
        )
        if outcome.saved is not None:
            return saved_redirect(
                request,
                reverse("portal:desk-admin-thresholds"),
                _("Thresholds for %(priority)s saved: the next sweep uses them.") % {"priority": policy.priority},
            )
    else:
        outcome = Outcome(ThresholdForm(instance=policy))
    return render_form(request, "desk_admin/threshold_form.html", outcome, policy=policy)
