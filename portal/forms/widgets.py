"""Widgets the pages need beyond Django's own."""

from __future__ import annotations

import html
from typing import Any, cast

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString


class LongSelect(forms.Select):
    """A flat ``<select>`` written in Python instead of a template per option: a tenant's filter
    of customer accounts or staff offers hundreds of options on every queue page (400 options
    cost about 18 ms through the templates, under 1 ms here). Same markup as ``forms.Select``."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        options = self.options_html(*(str(v) for v in self.format_value(value)))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)

    def options_html(self, *chosen: str) -> SafeString:
        """The ``<option>`` elements alone, ``chosen`` selected (what the queue's filter asks
        for as the agent searches)."""
        picked = set(chosen)
        return SafeString(
            "".join(
                f'<option value="{html.escape(str(option_value))}"{" selected" if str(option_value) in picked else ""}>'
                f"{html.escape(str(label))}</option>"
                for option_value, label in self.choices
            )
        )


def set_flat_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    """Give a choice field flat ``(value, label)`` pairs as they are. Django's ``choices``
    setters (the field's, then the select's) normalise every choice on every form: a filter of a
    thousand sites cost about 4 ms of CPU per page, for rows already in that form. Groups,
    callables and enums still go through the setters."""
    choice_field = cast(forms.ChoiceField, field)
    # The field's and the select's setters both normalise: set what each holds.
    choice_field._choices = choices  # type: ignore[attr-defined]
    choice_field.widget._choices = choices


#: Django's input widgets' templates, each of which only includes ``input.html``.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "search", "number", "date", "datetime", "time", "email", "url", "tel", "hidden")
)


class PythonInputsRenderer(DjangoTemplates):
    """Django's form renderer, but writing ``<input>`` elements in Python: the same markup as
    ``input.html`` and ``attrs.html`` (every value escaped), which the template engine took
    about 0.2 ms to write per input, most of it looping over the attributes (the queue's filter
    has eight inputs, two of them with six htmx attributes). Every other template as Django's."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name not in _INPUT_TEMPLATES:
            return super().render(template_name, context, request)
        widget = context["widget"]
        value = widget["value"]
        out = [f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"']
        if value is not None:
            out.append(f' value="{_text(value)}"')
        for name, attr in widget["attrs"].items():
            if attr is True:
                out.append(f" {_text(name)}")
            elif attr is not False:
                out.append(f' {_text(name)}="{_text(attr)}"')
        out.append(">")
        return "".join(out)


def _text(value: Any) -> str:
    """As the template writes a value: escaped unless marked safe."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


python_inputs = PythonInputsRenderer()
