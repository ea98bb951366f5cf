"""The order timeline's values as the reader reads them."""

import pytest
from django.utils import translation

from portal.templatetags.order_tags import status_word


@pytest.mark.parametrize(
    ("language", "value", "words"),
    [
        ("en", "customer_coordination", "Customer coordination"),
        ("en", "2027-01-12", "12/01/2027"),
        ("de", "2027-01-12", "12.01.2027"),
        ("es", "2027-01-12", "12/01/2027"),
        ("en", "Dedicated Internet Access 500 Mbit/s", "Dedicated Internet Access 500 Mbit/s"),
    ],
)
def test_a_status_is_words_and_a_day_is_the_locales_date(language, value, words):
    with translation.override(language):
        assert status_word(value, "order") == words
