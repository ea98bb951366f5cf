"""The tenant administrators' forms: Django ModelForms over the domain models (their own
validation runs: ``clean()`` and the unique constraints), behind the tenant wall.

``AdminForm`` is the base of each: every foreign key becomes a choice among the current
tenant's rows the form names in ``choices()`` (a form that forgets one fails loudly rather than
offer another tenant's rows), the tenant is part of the uniqueness checks, the editor's view of
the object travels signed in ``seen`` (for the stale-save refusal), and ``error_summary``
lists the errors for the summary at the top.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, ClassVar

import holidays
from django import forms
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from escalation.models import EscalationContact, EscalationLevel, EscalationMatrix, EscalationPolicy
from mailroom.models import Mailbox
from mailroom.secrets import encrypt_secret
from orders.models import CatalogueItem, Contract, LeadTime, Service, ServiceType, Supplier
from orders.models.requests import MIN_SSR_LEAD_HOURS, MIN_WEEKEND_NOTICE_DAYS
from servicedesk import audit
from servicedesk.models import (
    BusinessCalendar,
    CalendarClosure,
    CalendarExtraDay,
    CustomerAccount,
    MailTemplate,
    ProductArea,
    Site,
    Team,
    Tenant,
    User,
)
from servicedesk.validators import contrast_ratio, validate_time_zone
from tickets.models import CannedResponse, Impact, Priority, QuestionnaireField, SlaPolicy, Ticket, Urgency
from tickets.questionnaires import YES_NO

LANGUAGES = (("en", _("English")), ("de", _("German")), ("es", _("Spanish")))


def _walled_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.ForeignKey):
        # No queryset yet: the form's choices() gives the current tenant's rows.
        return forms.ModelChoiceField(
            queryset=None,
            required=not db_field.blank,
            label=capfirst(db_field.verbose_name),
            help_text=db_field.help_text,
        )
    return db_field.formfield(**kwargs)


class AdminForm(forms.ModelForm):
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    #: Model fields the form computes from fields of its own (audited all the same).
    computed_fields: ClassVar[tuple[str, ...]] = ()
    #: Fields the page sets, not the form, that unique constraints include besides the tenant
    #: (the calendar of a closure, the account of a site): validated all the same.
    fixed_fields: ClassVar[tuple[str, ...]] = ()
    #: Keyword arguments the form was made with, to make it again (a stale save's form).
    init_kwargs: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_kwargs = getattr(self, "init_kwargs", {})
        querysets = self.choices()
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                if name not in querysets:
                    raise ImproperlyConfigured(f"{type(self).__name__} gives no choices for {name}")
                field.queryset = querysets[name]
        if self.instance.pk is not None and not self.is_bound:
            self.fields["seen"].initial = audit.sign_snapshot(audit.snapshot(self.instance, self.audited_fields()))

    def choices(self) -> dict[str, QuerySet[Any]]:
        """The current tenant's rows each foreign key may point to."""
        return {}

    def audited_fields(self) -> list[str]:
        return [name for name in self._meta.fields or () if name != "seen"]

    def seen_snapshot(self) -> audit.Snapshot | None:
        token = self.cleaned_data.get("seen") or ""
        if not token or self.instance.pk is None:
            return None
        return audit.read_snapshot(token)

    def clean_seen(self) -> str:
        token: str = self.cleaned_data.get("seen") or ""
        if token:
            try:
                audit.read_snapshot(token)
            except signing.BadSignature:
                raise forms.ValidationError(_("The form was tampered with; reload the page.")) from None
        return token

    def _get_validation_exclusions(self) -> set[str]:
        # The tenant is never a form field, yet every unique constraint starts with it.
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        exclusions.discard("tenant")
        exclusions.difference_update(self.fixed_fields)
        return exclusions

    @property
    def error_summary(self) -> list[dict[str, str]]:
        summary = []
        for name in self.fields:
            if self.errors.get(name):
                bound = self[name]
                summary.append(
                    {"id": bound.id_for_label, "label": str(bound.label), "message": str(self.errors[name][0])}
                )
        return summary


# --- Escalation thresholds --------------------------------------------------------------------


class MinutesListField(forms.CharField):
    """'30, 60, 120' ↔ [30, 60, 120]."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value)
        if isinstance(text, list):
            return text
        parts = [p for p in re.split(r"[,;\s]+", text or "") if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("Give whole minutes separated by commas, e.g. 30, 60, 120.")) from None


class ThresholdForm(AdminForm):
    fixed_fields = ("matrix", "priority")

    level_minutes = MinutesListField(
        label=_("Age per level (minutes)"),
        help_text=_("Level 1 first, separated by commas, e.g. 30, 60, 120: each later than the one before."),
    )

    class Meta:
        model = EscalationPolicy
        fields = ["level_minutes", "calendar", "breach_level"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].empty_label = _("Wall-clock time")  # type: ignore[attr-defined]

    def choices(self) -> dict[str, QuerySet[Any]]:
        return {"calendar": active_calendars(self.instance.calendar_id)}


def active_calendars(keep: int | None = None) -> QuerySet[BusinessCalendar]:
    """The tenant's active calendars, and the one already chosen (even if inactive)."""
    return BusinessCalendar.objects.filter(models.Q(is_active=True) | models.Q(pk=keep)).order_by("name")


# --- Service levels -----------------------------------------------------------------------------


class SlaPolicyForm(AdminForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name", "contract_tier", "ticket_kind", "calendar", "respond_minutes", "callback_minutes",
            "restore_minutes_p1", "restore_minutes_p2", "restore_minutes_p3", "restore_minutes_p4",
            "warning_percent", "defer_outside_hours",
        ]  # fmt: skip
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tier = self.fields["contract_tier"]
        tier.widget = forms.Select(choices=[("", _("Any tier")), *Contract.Tier.choices])
        kind = self.fields["ticket_kind"]
        kind.widget = forms.Select(choices=[("", _("Any kind")), *Ticket.Kind.choices])
        self.fields["calendar"].label = _("Business calendar")
        self.fields["warning_percent"].help_text = _(
            "The warning lead time: queues show the ticket as breaching soon from this share of the budget on."
        )

    def choices(self) -> dict[str, QuerySet[Any]]:
        return {"calendar": active_calendars(self.instance.calendar_id if self.instance.pk else None)}

    def clean_warning_percent(self) -> int:
        value: int = self.cleaned_data["warning_percent"]
        if not 0 < value < 100:
            raise forms.ValidationError(_("Give a share between 1 and 99 per cent."))
        return value


class PriorityMatrixForm(forms.Form):
    """The impact × urgency matrix: one priority per cell."""

    def __init__(self, *args: Any, cells: dict[tuple[str, str], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for impact, impact_label in Impact.choices:
            for urgency, urgency_label in Urgency.choices:
                self.fields[f"{impact}__{urgency}"] = forms.ChoiceField(
                    label=_("%(impact)s, urgency %(urgency)s") % {"impact": impact_label, "urgency": urgency_label},
                    choices=Priority.choices,
                    initial=cells.get((impact, urgency), ""),
                )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(label), [self[f"{impact}__{urgency}"] for urgency, _u in Urgency.choices])
            for impact, label in Impact.choices
        ]

    def cells(self) -> dict[tuple[str, str], str]:
        return {tuple(name.split("__")): value for name, value in self.cleaned_data.items()}  # type: ignore[misc]


# --- Business calendars -------------------------------------------------------------------------

WEEKDAYS = (
    _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"),
)  # fmt: skip
_INTERVAL = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)\s*[-–]\s*([01]?\d|2[0-4]):([0-5]\d)$")


def parse_intervals(text: str) -> list[list[str]]:
    """'08:30-12:00, 13:00-17:00' → [["08:30", "12:00"], ["13:00", "17:00"]] (rising, not
    overlapping); raises ValidationError."""
    intervals: list[list[str]] = []
    for part in [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]:
        match = _INTERVAL.match(part)
        if not match:
            raise forms.ValidationError(_("Write opening hours like 08:30-17:00, several separated by commas."))
        start = f"{int(match[1]):02d}:{match[2]}"
        end = f"{int(match[3]):02d}:{match[4]}"
        if end > "24:00" or start >= end or (intervals and start < intervals[-1][1]):
            raise forms.ValidationError(_("Each interval must end after it starts and after the one before."))
        intervals.append([start, end])
    return intervals


def format_intervals(intervals: Any) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals or [])


class CalendarForm(AdminForm):
    computed_fields = ("weekly_hours",)

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "always_open", "country", "subdivision", "weekly_hours"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["weekly_hours"]
        self.fields["time_zone"].validators = [validate_time_zone]
        self.fields["country"].help_text = _("Two letters, e.g. DE: its public holidays close the desk.")
        hours = self.instance.weekly_hours or {}
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                initial=format_intervals(hours.get(str(day), [])),
                help_text=_("e.g. 08:30-17:00; empty: closed all day.") if day == 0 else "",
            )
        self.order_fields(["name", "time_zone", "always_open", "country", "subdivision"])

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            try:
                hours[str(day)] = parse_intervals(data.get(f"day_{day}", ""))
            except forms.ValidationError as error:
                self.add_error(f"day_{day}", error)
        self.instance.weekly_hours = hours
        country = (data.get("country") or "").upper()
        subdivision = (data.get("subdivision") or "").upper()
        data["country"], data["subdivision"] = country, subdivision
        self.instance.country, self.instance.subdivision = country, subdivision
        if country:
            if country not in holidays.list_supported_countries():
                self.add_error("country", _("The holidays package knows no country with this code."))
            elif subdivision and subdivision not in holidays.country_holidays(country).subdivisions:
                self.add_error("subdivision", _("This country has no subdivision with this code."))
        elif subdivision:
            self.add_error("subdivision", _("Give the country first."))
        return data


class ClosureForm(AdminForm):
    fixed_fields = ("calendar",)

    class Meta:
        model = CalendarClosure
        fields = ["date", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        formfield_callback = _walled_formfield


class ExtraDayForm(AdminForm):
    fixed_fields = ("calendar",)

    hours = forms.CharField(label=_("Opening hours"), help_text=_("e.g. 09:00-13:00"))

    class Meta:
        model = CalendarExtraDay
        fields = ["date"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        formfield_callback = _walled_formfield

    def clean_hours(self) -> str:
        hours: str = self.cleaned_data["hours"]
        intervals = parse_intervals(hours)
        if not intervals:
            raise forms.ValidationError(_("Give the opening hours of that day."))
        self.instance.intervals = intervals
        return hours


def holiday_preview(calendar: BusinessCalendar, year: int) -> list[tuple[dt.date, str]]:
    """The public holidays the calendar closes on in ``year``, from the holidays package."""
    if not calendar.country:
        return []
    try:
        found = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None, years=year)
    except (NotImplementedError, KeyError):
        return []
    return sorted(found.items())


# --- People -------------------------------------------------------------------------------------


class UserForm(AdminForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "role", "customer_account", "phone", "language", "time_zone"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, tenant_id: int, **kwargs: Any) -> None:
        self.tenant_id = tenant_id
        self.init_kwargs = {"tenant_id": tenant_id}
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = User.Role.choices  # type: ignore[attr-defined]
        self.fields["customer_account"].help_text = _("Customer users only.")

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.customer_account_id
        return {
            "customer_account": CustomerAccount.objects.filter(models.Q(is_active=True) | models.Q(pk=keep)),
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        if taken:
            # The directory spans every tenant: say only that the address cannot be used.
            raise forms.ValidationError(_("This e-mail address cannot be used."))
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, account = data.get("role"), data.get("customer_account")
        if role == User.Role.CUSTOMER and account is None:
            self.add_error("customer_account", _("A customer user belongs to a customer account."))
        if role and role != User.Role.CUSTOMER and account is not None:
            self.add_error("customer_account", _("Only customer users belong to a customer account."))
        self.instance.tenant_id = self.tenant_id
        return data

    def _get_validation_exclusions(self) -> set[str]:
        exclusions = super()._get_validation_exclusions()
        exclusions.add("tenant")  # the user's own (unique by e-mail across tenants, checked above)
        return exclusions


# --- Intake questionnaires ----------------------------------------------------------------------


def _answers_of(question: QuestionnaireField | None) -> list[str] | None:
    """The values a choice or yes/no question can be answered with (None: free text)."""
    if question is None:
        return None
    if question.field_type == QuestionnaireField.FieldType.CHOICE:
        return [str(c.get("value")) for c in question.choices or []]
    if question.field_type == QuestionnaireField.FieldType.YES_NO:
        return list(YES_NO)
    return None


class QuestionForm(AdminForm):
    fixed_fields = ("service_type",)

    computed_fields = ("labels", "choices", "shown_when")

    label_en = forms.CharField(label=_("Question in English"), max_length=200)
    label_de = forms.CharField(label=_("Question in German"), max_length=200)
    label_es = forms.CharField(label=_("Question in Spanish"), max_length=200)
    choice_lines = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice question: one per line, value | English | German | Spanish."),
    )
    condition_field = forms.ChoiceField(label=_("Ask only when the question"), required=False)
    condition_values = forms.CharField(
        label=_("has one of the answers"),
        required=False,
        help_text=_("Values separated by commas, e.g. slowness, packet_loss."),
    )

    class Meta:
        model = QuestionnaireField
        fields = ["name", "field_type", "required", "position", "labels", "choices", "shown_when"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, siblings: list[QuestionnaireField], **kwargs: Any) -> None:
        self.init_kwargs = {"siblings": siblings}
        super().__init__(*args, **kwargs)
        for name in ("labels", "choices", "shown_when"):
            del self.fields[name]
        question = self.instance
        others = [q for q in siblings if q.pk != question.pk]
        asked_after = self.fields["condition_field"]
        language = translation.get_language() or "en"
        self.others = {q.name: q for q in others}
        asked_after.choices = [  # type: ignore[attr-defined]
            ("", _("(always ask)")),
            *[(q.name, f"{q.label(language)} ({q.name})") for q in others],
        ]
        if not self.is_bound:
            for code, _name in LANGUAGES:
                self.fields[f"label_{code}"].initial = (question.labels or {}).get(code, "")
            self.fields["choice_lines"].initial = "\n".join(
                " | ".join([c.get("value", ""), *[c.get("labels", {}).get(code, "") for code, _n in LANGUAGES]])
                for c in question.choices or []
            )
            condition = question.shown_when or {}
            self.fields["condition_field"].initial = condition.get("field", "")
            self.fields["condition_values"].initial = ", ".join(condition.get("in", []))
        self.order_fields(["name", "label_en", "label_de", "label_es", "field_type", "required", "choice_lines"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        question = self.instance
        question.labels = {code: data.get(f"label_{code}", "") for code, _name in LANGUAGES}
        choices = []
        for line in (data.get("choice_lines") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if not re.fullmatch(r"[a-z0-9_]{1,40}", parts[0]):
                self.add_error("choice_lines", _("Each choice starts with a value of small letters, digits and _."))
                break
            labels = parts[1:4] + [""] * (3 - len(parts[1:4]))
            choices.append(
                {"value": parts[0], "labels": {code: labels[i] or parts[0] for i, (code, _n) in enumerate(LANGUAGES)}}
            )
        if data.get("field_type") == QuestionnaireField.FieldType.CHOICE and not choices:
            self.add_error("choice_lines", _("A choice question needs at least one choice."))
        question.choices = choices
        field, values = (
            data.get("condition_field"),
            [v for v in re.split(r"[,\s]+", data.get("condition_values") or "") if v],
        )
        if field and not values:
            self.add_error("condition_values", _("Name the answers that make this question appear."))
        known = _answers_of(self.others.get(field)) if field else None
        if known is not None and any(v not in known for v in values):
            self.add_error(
                "condition_values", _("That question's answers are: %(values)s.") % {"values": ", ".join(known)}
            )
        question.shown_when = {"field": field, "in": values} if field else None
        return data


# --- Teams and product areas --------------------------------------------------------------------


class CannedResponseForm(AdminForm):
    """A reply agents insert in the ticket workspace, in one language (a title is unique per
    language)."""

    class Meta:
        model = CannedResponse
        fields = ["language", "title", "body"]
        formfield_callback = _walled_formfield
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Markdown, as in a reply; at most %(max)d characters.") % {
            "max": CannedResponse.MAX_BODY
        }


class MailTemplateForm(AdminForm):
    """The desk's opening and closing around one kind of notification mail in one language."""

    class Meta:
        model = MailTemplate
        fields = ["kind", "language", "opening", "closing"]
        formfield_callback = _walled_formfield
        widgets = {"opening": forms.Textarea(attrs={"rows": 4}), "closing": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opening"].help_text = _("Before the desk's message, e.g. a greeting. Plain text.")
        self.fields["closing"].help_text = _("After the desk's message, e.g. a signature or the hotline. Plain text.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("opening") or "").strip() and not (cleaned.get("closing") or "").strip():
            self.add_error("opening", _("Write an opening, a closing or both."))
        return cleaned


class ProductAreaForm(AdminForm):
    class Meta:
        model = ProductArea
        fields = ["name", "slug"]
        formfield_callback = _walled_formfield


class TeamForm(AdminForm):
    computed_fields = ("members",)

    members: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Team
        fields = ["name", "product_area"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        self.init_kwargs = {"staff": staff}
        self.staff = staff
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["members"].initial = [m.user_id for m in self.instance.memberships.all()]

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.product_area_id
        return {
            "product_area": ProductArea.objects.filter(models.Q(is_active=True) | models.Q(pk=keep)),
            "members": self.staff,
        }


# --- Customers ----------------------------------------------------------------------------------


class AccountForm(AdminForm):
    class Meta:
        model = CustomerAccount
        fields = ["name", "reference"]
        formfield_callback = _walled_formfield


class SiteForm(AdminForm):
    fixed_fields = ("account",)

    class Meta:
        model = Site
        fields = ["name", "street", "postcode", "city", "country", "subdivision", "time_zone"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = _("e.g. Europe/Berlin")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = (data.get("country") or "").upper()
        subdivision = (data.get("subdivision") or "").upper()
        data["country"], data["subdivision"] = country, subdivision
        self.instance.country, self.instance.subdivision = country, subdivision
        if country and "country" not in self.errors:
            if country not in holidays.list_supported_countries():
                self.add_error("country", _("The holidays package knows no country with this code."))
            elif subdivision and subdivision not in holidays.country_holidays(country).subdivisions:
                self.add_error("subdivision", _("This country has no subdivision with this code."))
        return data


class SiteRestrictionForm(forms.Form):
    """The sites of the account a customer user is limited to (none: all of them)."""

    sites: forms.ModelMultipleChoiceField[Site] = forms.ModelMultipleChoiceField(
        label=_("Limited to these sites"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the user sees every site of the account."),
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites  # type: ignore[attr-defined]


# --- Escalation matrices ------------------------------------------------------------------------


class MatrixForm(AdminForm):
    class Meta:
        model = EscalationMatrix
        fields = ["name", "account"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].empty_label = _("default for every account")  # type: ignore[attr-defined]

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.account_id
        return {"account": CustomerAccount.objects.filter(models.Q(is_active=True) | models.Q(pk=keep))}


class LevelForm(AdminForm):
    fixed_fields = ("matrix",)

    class Meta:
        model = EscalationLevel
        fields = ["number", "title", "product_area"]
        formfield_callback = _walled_formfield

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.product_area_id
        return {"product_area": ProductArea.objects.filter(models.Q(is_active=True) | models.Q(pk=keep))}


class ContactForm(AdminForm):
    fixed_fields = ("matrix",)

    class Meta:
        model = EscalationContact
        fields = ["level", "user", "name", "role", "phone", "email", "language", "position"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        self.init_kwargs = {"staff": staff}
        self.staff = staff
        super().__init__(*args, **kwargs)
        self.fields["level"].empty_label = _("Escalation manager (any level)")  # type: ignore[attr-defined]
        self.fields["user"].empty_label = _("An external person")  # type: ignore[attr-defined]
        self.fields["user"].help_text = _("A person of the desk, or leave empty and give an external person's details.")

    def choices(self) -> dict[str, QuerySet[Any]]:
        return {
            "level": EscalationLevel.objects.filter(matrix_id=self.instance.matrix_id).order_by("number", "pk"),
            "user": self.staff,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is None and not data.get("name"):
            self.add_error("name", _("Name the external person, or choose a person of the desk."))
        return data


# --- Catalogue and delivery ---------------------------------------------------------------------


class CatalogueItemForm(AdminForm):
    class Meta:
        model = CatalogueItem
        fields = [
            "code", "name", "description", "name_de", "description_de", "name_en", "description_en",
            "name_es", "description_es", "price", "currency", "lead_time_hours", "weekend_notice_days", "position",
        ]  # fmt: skip
        formfield_callback = _walled_formfield
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("description_de", "description_en", "description_es")
        }

    def clean_lead_time_hours(self) -> int:
        hours: int = self.cleaned_data["lead_time_hours"]
        if hours < MIN_SSR_LEAD_HOURS:
            raise forms.ValidationError(_("At least %(hours)d business hours ahead.") % {"hours": MIN_SSR_LEAD_HOURS})
        return hours

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty: the rule's 5 days.
        self.fields["weekend_notice_days"].required = False

    def clean_weekend_notice_days(self) -> int:
        days: int | None = self.cleaned_data.get("weekend_notice_days")
        if days is None:
            return MIN_WEEKEND_NOTICE_DAYS
        if days < MIN_WEEKEND_NOTICE_DAYS:
            raise forms.ValidationError(_("At least %(days)d days ahead.") % {"days": MIN_WEEKEND_NOTICE_DAYS})
        return days


class SupplierForm(AdminForm):
    class Meta:
        model = Supplier
        fields = ["name"]
        formfield_callback = _walled_formfield


class LeadTimeForm(AdminForm):
    class Meta:
        model = LeadTime
        fields = ["country", "supplier", "min_mbps", "max_mbps", "business_days"]
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].empty_label = _("Any supplier")  # type: ignore[attr-defined]
        self.fields["supplier"].label = _("Supplier")

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.supplier_id
        return {"supplier": Supplier.objects.filter(models.Q(is_active=True) | models.Q(pk=keep)).order_by("name")}

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).upper()


# --- The desk itself ----------------------------------------------------------------------------


class DeskSettingsForm(AdminForm):
    class Meta:
        model = Tenant
        fields = ["name", "default_language", "time_zone", "reopen_window_days", "breaching_soon_minutes",
                  "business_calendar", "accent_colour"]  # fmt: skip
        formfield_callback = _walled_formfield

    #: The agents' "breaching soon" window: at least a minute, at most a day.
    BREACHING_SOON_LIMITS = (1, 24 * 60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["breaching_soon_minutes"].widget.attrs.update(
            {"min": self.BREACHING_SOON_LIMITS[0], "max": self.BREACHING_SOON_LIMITS[1]}
        )
        self.fields["business_calendar"].label = _("Office hours")
        self.fields["business_calendar"].help_text = _(
            "The desk's own hours: reason-for-outage deadlines, and faults that affect no service raised "
            "outside them start their clocks at the next opening."
        )
        self.fields["time_zone"].validators = [validate_time_zone]

    def choices(self) -> dict[str, QuerySet[Any]]:
        return {"business_calendar": active_calendars(self.instance.business_calendar_id)}

    #: What the accent colour must stand out against: the page's ground (links) and the white
    #: of button labels and cards.
    ACCENT_BACKGROUNDS = ("#f5f7fa", "#ffffff")

    def clean_breaching_soon_minutes(self) -> int:
        minutes = int(self.cleaned_data["breaching_soon_minutes"])
        low, high = self.BREACHING_SOON_LIMITS
        if not low <= minutes <= high:
            raise forms.ValidationError(
                _("Give between %(low)d and %(high)d minutes (a day).") % {"low": low, "high": high}
            )
        return minutes

    def clean_accent_colour(self) -> str:
        colour = str(self.cleaned_data.get("accent_colour") or "").strip().lower()
        if not colour:
            return ""
        if not re.fullmatch(r"#[0-9a-f]{6}", colour):
            raise forms.ValidationError(_("Give the colour as # and six hexadecimal digits, e.g. #0b5cad."))
        worst = min(contrast_ratio(colour, background) for background in self.ACCENT_BACKGROUNDS)
        if worst < 4.5:
            raise forms.ValidationError(
                _("Too light: its contrast with white is %(ratio).1f:1, and WCAG AA needs at least 4.5:1.")
                % {"ratio": worst}
            )
        return colour


class ServiceForm(AdminForm):
    fixed_fields = ("account",)

    class Meta:
        model = Service
        fields = ["service_id", "service_type", "product", "product_area", "site", "circuit_id", "serial_number",
                  "bandwidth", "status"]  # fmt: skip
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_area"].label = _("Product area")

    def choices(self) -> dict[str, QuerySet[Any]]:
        keep = self.instance.product_area_id
        return {
            "service_type": ServiceType.objects.order_by("name"),
            "product_area": ProductArea.objects.filter(models.Q(is_active=True) | models.Q(pk=keep)),
            # Only the sites of the service's own account.
            "site": Site.objects.filter(account_id=self.instance.account_id).order_by("name"),
        }


class ContractForm(AdminForm):
    fixed_fields = ("service",)

    class Meta:
        model = Contract
        fields = ["kind", "tier", "reference", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }
        formfield_callback = _walled_formfield


# --- The desk's mailbox -----------------------------------------------------------------------


class MailboxForm(AdminForm):
    """Where the desk reads its mail: the desk's address (a setting of the tenant), the
    transport, the IMAP server and log-in, and whether unknown senders get the note. The
    password is write-only: the page says whether one is stored, never what it is; it is
    stored encrypted (``mailroom.secrets``) and the audit log says only "set" or "not set"."""

    desk_address = forms.EmailField(
        label=_("Desk address"),
        required=False,
        max_length=254,
        help_text=_("Where customers write to the desk; the Reply-To of every mail it sends. Empty: no mail is read."),
    )
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    forget_password = forms.BooleanField(label=_("Remove the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = ["transport", "imap_host", "imap_port", "imap_security", "imap_username", "imap_folder",
                  "answer_unknown_senders"]  # fmt: skip
        formfield_callback = _walled_formfield

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        self.init_kwargs = {"tenant": tenant}
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        self.fields["desk_address"].initial = tenant.desk_address
        self.fields["imap_port"].validators += [MinValueValidator(1), MaxValueValidator(65535)]
        self.fields["imap_port"].widget.attrs.update(min=1, max=65535)
        self.fields["answer_unknown_senders"].help_text = _(
            "Off by default: a sender the desk does not know is often a forged one, and the note would go to "
            "someone who never wrote. On: at most one note a day per address."
        )
        self.fields["imap_password"].help_text = (
            _("A password is stored (encrypted). Empty: keep it.")
            if self.password_is_set
            else _("No password is stored.")
        )
        if self.instance.pk is not None and not self.is_bound:
            # The address the editor saw travels with the rest of what they saw (stale saves).
            seen = audit.snapshot(self.instance, self.audited_fields())
            seen["desk_address"] = (json.dumps(tenant.desk_address), tenant.desk_address)
            self.fields["seen"].initial = audit.sign_snapshot(seen)

    @property
    def password_is_set(self) -> bool:
        return bool(self.instance.imap_password_encrypted)

    def clean_desk_address(self) -> str:
        return str(self.cleaned_data.get("desk_address") or "").strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transport") == Mailbox.Transport.IMAP:
            for name in ("imap_host", "imap_username", "imap_folder"):
                if not str(data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("Needed to read the mailbox over IMAP."))
            keeps = self.password_is_set and not data.get("forget_password")
            if not data.get("imap_password") and not keeps:
                self.add_error("imap_password", _("Needed to read the mailbox over IMAP."))
            if not data.get("desk_address") and "desk_address" not in self.errors:
                self.add_error("desk_address", _("Give the address the mailbox receives."))
        if data.get("imap_host") and not re.fullmatch(r"[A-Za-z0-9.-]{1,200}", str(data["imap_host"])):
            self.add_error("imap_host", _("Give a host name or address, e.g. imap.example.com."))
        return data

    def save_with_address(self, mailbox: Mailbox) -> Mailbox:
        """Save the mailbox, its password and the desk's address (inside ``audit.save_changes``'
        transaction, under the mailbox's lock); a desk address changed since the editor loaded
        the page refuses the save (``audit.StaleEdit``)."""
        tenant = Tenant.objects.select_for_update().get(pk=self.tenant.pk)
        seen = self.seen_snapshot() or {}
        if "desk_address" in seen and json.loads(seen["desk_address"][0]) != tenant.desk_address:
            raise audit.StaleEdit(
                [{"label": str(_("Desk address")), "seen": seen["desk_address"][1], "now": tenant.desk_address}]
            )
        before_address = tenant.desk_address
        before_password = bool(Mailbox.objects.filter(pk=mailbox.pk).exclude(imap_password_encrypted="").exists())
        if self.cleaned_data.get("imap_password"):
            mailbox.imap_password_encrypted = encrypt_secret(self.cleaned_data["imap_password"])
        elif self.cleaned_data.get("forget_password"):
            mailbox.imap_password_encrypted = ""
        mailbox.tenant = tenant
        mailbox.save()
        address = self.cleaned_data.get("desk_address") or ""
        if address != tenant.desk_address:
            tenant.desk_address = address
            tenant.save(update_fields=["desk_address"])
        changes = []
        if address != before_address:
            changes.append(audit.Change("desk_address", str(_("Desk address")), before_address, address))
        after_password = bool(mailbox.imap_password_encrypted)
        typed = bool(self.cleaned_data.get("imap_password"))
        if typed or after_password != before_password:
            words = {True: str(_("set")), False: str(_("not set"))}
            after = str(_("set (new)")) if typed and before_password else words[after_password]
            changes.append(audit.Change("imap_password", str(_("IMAP password")), words[before_password], after))
        self.outside_changes = changes
        return mailbox

    def extra_changes(self, mailbox: Mailbox) -> list[audit.Change]:
        return list(getattr(self, "outside_changes", []))
