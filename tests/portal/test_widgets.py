"""The long select writes the markup Django's select writes, escaped the same way."""

import re

from django import forms

from portal.forms.widgets import LongSelect

CHOICES = [("", "All accounts"), ("7", 'Acme "Logistics" <GmbH> & Co'), ("12", "Globex"), ("3", "Initech")]


def _parts(html: str) -> tuple[set[str], str]:
    """The select's attributes (in any order) and its options, without the whitespace between tags."""
    tight = re.sub(r">\s+<", "><", html.strip())
    opening, rest = tight.split(">", 1)
    return set(re.findall(r'[\w-]+(?:="[^"]*")?', opening.removeprefix("<select"))), rest


def test_the_long_select_writes_what_djangos_select_writes():
    for value in ("", "12", "7", None, "nope"):
        attrs = {"id": "id_account", "aria-describedby": "id_account_helptext", "required": False}
        ours = LongSelect(choices=CHOICES).render("account", value, attrs=attrs)
        djangos = forms.Select(choices=CHOICES).render("account", value, attrs=attrs)
        assert _parts(ours) == _parts(djangos), value


def test_the_chosen_option_is_marked_and_text_is_escaped():
    html = LongSelect(choices=CHOICES).render("account", "7")
    assert '<option value="7" selected>Acme &quot;Logistics&quot; &lt;GmbH&gt; &amp; Co</option>' in html
    assert html.count(" selected") == 1
