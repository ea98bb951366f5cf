"""Business calendars: weekly hours, the country's public holidays (previewed for a year),
closures (bridge days) and extra opening days. A change moves the running SLA clocks on the
calendar by the recompute rule (``tickets.services.sla.recompute_running_clocks``: from each
clock's start, pauses kept), in a task queued when the change commits."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from escalation.models import EscalationPolicy
from escalation.services.timers import look_again_at_priority
from portal.forms.desk_admin import CalendarForm, ClosureForm, ExtraDayForm, format_intervals, holiday_preview
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    page_of,
    render_form,
    saved_redirect,
    searched,
    submit,
)
from servicedesk import audit
from servicedesk.models import BusinessCalendar, CalendarClosure, CalendarExtraDay, Tenant
from servicedesk.tenancy import require_tenant_id
from tickets.models import SlaClock, SlaPolicy
from tickets.services.sla import queue_recompute


def _move_clocks(calendar: BusinessCalendar) -> None:
    """The calendar changed: the SLA clocks on it are recomputed in a task once the change
    commits, and the open escalation timers whose thresholds count on it are looked at by
    the next sweep."""
    now = timezone.now()
    queue_recompute(calendar_id=calendar.pk)
    priorities = EscalationPolicy.objects.filter(calendar=calendar).values_list("priority", flat=True).distinct()
    for priority in sorted(set(priorities)):
        look_again_at_priority(priority=priority, now=now)


def _edit_url(calendar: BusinessCalendar) -> str:
    return reverse("portal:desk-admin-calendar", args=[calendar.pk])


@admin_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars, query = searched(request, BusinessCalendar.objects.order_by("-is_active", "name"), ["name", "time_zone"])
    return render(request, "desk_admin/calendar_list.html", {"page": page_of(request, calendars), "query": query})


@admin_required
def calendar_new(request: HttpRequest) -> HttpResponse:
    tenant = Tenant.objects.get(pk=require_tenant_id())
    instance = BusinessCalendar(tenant_id=tenant.pk, time_zone=tenant.time_zone, country=tenant.country)
    if request.method == "POST":
        outcome = submit(request, CalendarForm(request.POST, instance=instance))
        if outcome.saved is not None:
            return saved_redirect(request, _edit_url(outcome.saved), _("Calendar created."))
    else:
        outcome = Outcome(CalendarForm(instance=instance))
    return render_form(request, "desk_admin/calendar_form.html", outcome, calendar=None)


def _in_use(calendar: BusinessCalendar) -> str | None:
    policies = SlaPolicy.objects.filter(calendar=calendar).count()
    thresholds = EscalationPolicy.objects.filter(calendar=calendar).count()
    clocks = SlaClock.objects.filter(calendar=calendar).exists()
    office = Tenant.objects.filter(pk=require_tenant_id(), business_calendar=calendar).exists()
    reasons = []
    if policies:
        reasons.append(ngettext("%(n)d SLA policy uses it.", "%(n)d SLA policies use it.", policies) % {"n": policies})
    if thresholds:
        reasons.append(
            ngettext("%(n)d escalation threshold uses it.", "%(n)d escalation thresholds use it.", thresholds)
            % {"n": thresholds}
        )
    if clocks:
        reasons.append(_("Tickets' SLA clocks count on it."))
    if office:
        reasons.append(_("It is the desk's office calendar."))
    return " ".join(reasons) or None


@admin_required
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    if request.method == "POST":
        outcome = submit(request, CalendarForm(request.POST, instance=calendar), after_save=_move_clocks)
        if outcome.saved is not None:
            return saved_redirect(
                request,
                _edit_url(calendar),
                _("Calendar saved; the recompute of the running SLA clocks on it is queued."),
            )
    else:
        outcome = Outcome(CalendarForm(instance=calendar))
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    return render_form(
        request,
        "desk_admin/calendar_form.html",
        outcome,
        calendar=calendar,
        closures=calendar.closures.all(),
        extra_days=[(day, format_intervals(day.intervals)) for day in calendar.extra_days.all()],
        closure_form=ClosureForm(prefix="closure"),
        extra_form=ExtraDayForm(prefix="extra"),
        year=year,
        holidays=holiday_preview(calendar, year),
    )


@admin_required
@require_POST
def calendar_status(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    in_use = _in_use(calendar) if request.POST.get("action") == "delete" else None
    return deactivate_or_delete(
        request, calendar, in_use=in_use, back=_edit_url(calendar), deleted=reverse("portal:desk-admin-calendars")
    )


@admin_required
@require_POST
def closure_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = ClosureForm(
        request.POST, prefix="closure", instance=CalendarClosure(tenant_id=calendar.tenant_id, calendar=calendar)
    )
    outcome = submit(request, form, after_save=lambda _closure: _move_clocks(calendar))
    if outcome.saved is not None:
        return saved_redirect(
            request, _edit_url(calendar), _("Closure added; the recompute of the running SLA clocks on it is queued.")
        )
    return render_form(
        request, "desk_admin/day_form.html", outcome, calendar=calendar, title=_("Add a closure"),
        action=reverse("portal:desk-admin-closure-add", args=[calendar.pk]),
    )  # fmt: skip


@admin_required
@require_POST
def extra_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = ExtraDayForm(
        request.POST, prefix="extra", instance=CalendarExtraDay(tenant_id=calendar.tenant_id, calendar=calendar)
    )
    outcome = submit(request, form, after_save=lambda _day: _move_clocks(calendar))
    if outcome.saved is not None:
        return saved_redirect(
            request,
            _edit_url(calendar),
            _("Extra opening day added; the recompute of the running SLA clocks is queued."),
        )
    return render_form(
        request, "desk_admin/day_form.html", outcome, calendar=calendar, title=_("Add an extra opening day"),
        action=reverse("portal:desk-admin-extra-day-add", args=[calendar.pk]),
    )  # fmt: skip


@admin_required
@require_POST
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(CalendarClosure.objects.select_related("calendar"), pk=pk)
    calendar = closure.calendar
    with transaction.atomic():
        audit.delete_or_refuse(instance=closure, actor=signed_in_user(request))
        _move_clocks(calendar)
    return saved_redirect(
        request, _edit_url(calendar), _("Closure removed; the recompute of the running SLA clocks on it is queued.")
    )


@admin_required
@require_POST
def extra_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarExtraDay.objects.select_related("calendar"), pk=pk)
    calendar = day.calendar
    with transaction.atomic():
        audit.delete_or_refuse(instance=day, actor=signed_in_user(request))
        _move_clocks(calendar)
    return saved_redirect(
        request, _edit_url(calendar), _("Extra opening day removed; the recompute of the running SLA clocks is queued.")
    )
