"""The time left until a target, as the pages write it and countdown.js keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from portal.templatetags.ticket_tags import duration_words, remaining

NOW = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 minutes"),
        (59, "0 minutes"),
        (60, "1 minute"),
        (2 * 3600 + 5 * 60 + 59, "2 hours, 5 minutes"),
        (3 * 86400 + 4 * 3600 + 7 * 60, "3 days, 4 hours"),  # the two largest units only
        (86400 + 7 * 60, "1 day, 7 minutes"),  # a zero unit is skipped, not shown
        (-90 * 60, "1 hour, 30 minutes"),
    ],
)
def test_a_span_is_its_two_largest_units_that_are_not_zero(seconds, words):
    with translation.override("en"):
        assert duration_words(seconds) == words


def test_the_time_left_and_the_time_overdue_in_three_languages():
    ahead = NOW + dt.timedelta(hours=2, minutes=5)
    behind = NOW - dt.timedelta(minutes=45)
    expected = {
        "en": ("in 2 hours, 5 minutes", "45 minutes overdue"),
        "de": ("in 2 Stunden, 5 Minuten", "45 Minuten überfällig"),
        "es": ("dentro de 2 horas, 5 minutos", "45 minutos de retraso"),
    }
    for language, (future, past) in expected.items():
        with translation.override(language):
            assert f">{future}</time>" in remaining(ahead, NOW)
            assert f">{past}</time>" in remaining(behind, NOW)


def test_the_element_carries_the_instant_and_both_sentences_for_the_browser():
    with translation.override("de"):
        html = remaining(NOW - dt.timedelta(minutes=1), NOW)
    assert html.startswith('<time class="countdown overdue" datetime="2026-03-29T00:29:00+00:00"')
    assert 'data-future="in {}"' in html
    assert 'data-past="{} überfällig"' in html
    assert remaining(None, NOW) == ""
