"""Which sites and accounts the staff's filters offer: the agents' queue and the managers'
dashboard.

A large tenant has a thousand sites and hundreds of accounts: written into every queue page
they were most of its weight (156 KB of sites alone), and 1,433 options of the dashboard's.
Past ``FULL_LIST_UP_TO`` the site filter offers the chosen account's sites, or the matches of
a search (``site_q``, part of the site's or its account's name), at most ``MATCHES_OFFERED``;
the account filter alike (``account_q``). Both pages ask ``portal:console-queue-filter-options``
(agents, managers and tenant administrators; their own tenant's) for the matches as the user
types (htmx); without scripts, the form's button shows them. A chosen value is always offered,
with its name. Everything comes from the tenant's cached reference data
(``servicedesk.selectors.staff_filter_choices``): no query. ``offer_accounts_and_sites`` sets
a form's four fields up so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.forms.widgets import set_flat_choices
from servicedesk.selectors import StaffFilterChoices

#: A tenant with at most this many sites (accounts) has them all offered, as a plain list.
FULL_LIST_UP_TO = 50
#: The most matches of a search offered.
MATCHES_OFFERED = 20
#: The most sites of one account offered before its name must be searched.
ACCOUNT_SITES_OFFERED = 100


@dataclass(frozen=True)
class Offered:
    #: the options after "All …", the chosen one first if no match
    choices: list[tuple[str, str]]
    #: a sentence on what is offered, for the status line under the list ("" when all are)
    status: str
    #: whether the tenant has so many that a search is offered
    searched: bool


def _pick(
    labels: list[tuple[str, str]], indexes: list[int], keys: list[str], query: str, limit: int
) -> tuple[list[tuple[str, str]], int]:
    folded = query.casefold()
    if folded:
        indexes = [i for i in indexes if folded in keys[i]]
    return [labels[i] for i in indexes[:limit]], len(indexes)


def _with_chosen(offered: list[tuple[str, str]], chosen: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    if chosen and chosen in labels and all(value != chosen for value, _label in offered):
        return [(chosen, labels[chosen]), *offered]
    return offered


def _matches(query: str, count: int, shown: int) -> str:
    if not count:
        return gettext("Nothing matches “%(query)s”.") % {"query": query}
    if shown < count:
        return gettext("The first %(shown)d of %(count)d matches: type more of the name.") % {
            "shown": shown,
            "count": count,
        }
    return ngettext("%(count)d match.", "%(count)d matches.", count) % {"count": count}


def offered_sites(choices: StaffFilterChoices, *, account: str, query: str, chosen: str) -> Offered:
    """The sites to offer: the chosen account's (narrowed by ``query`` if given), else the
    matches of ``query``, else all of a small tenant's; the chosen site in any case."""
    searched = len(choices.sites) > FULL_LIST_UP_TO
    query = query.strip() if searched else ""
    every = range(len(choices.sites))
    if account:
        indexes = [i for i in every if choices.site_accounts[i] == account]
        offered, count = _pick(
            choices.sites, indexes, choices.site_keys, query, MATCHES_OFFERED if query else ACCOUNT_SITES_OFFERED
        )
        if query:
            status = _matches(query, count, len(offered))
        elif len(offered) < count:
            status = gettext("The first %(shown)d of the account’s %(count)d sites: find one by its name.") % {
                "shown": len(offered),
                "count": count,
            }
        else:
            status = ngettext("%(count)d site of this account.", "%(count)d sites of this account.", count) % {
                "count": count
            }
    elif not searched:
        offered, status = list(choices.sites), ""
    elif query:
        offered, count = _pick(choices.sites, list(every), choices.site_keys, query, MATCHES_OFFERED)
        status = _matches(query, count, len(offered))
    else:
        offered = []
        status = gettext("Pick an account, or find a site by name.")
    return Offered(_with_chosen(offered, chosen, dict(choices.sites)) if chosen else offered, status, searched)


def offered_accounts(choices: StaffFilterChoices, *, query: str, chosen: str) -> Offered:
    """The accounts to offer: all of a small tenant's, else the matches of ``query``; the
    chosen account in any case."""
    searched = len(choices.accounts) > FULL_LIST_UP_TO
    if not searched:
        return Offered(list(choices.accounts), "", searched)
    query = query.strip()
    if query:
        offered, count = _pick(
            choices.accounts, list(range(len(choices.accounts))), choices.account_keys, query, MATCHES_OFFERED
        )
        status = _matches(query, count, len(offered))
    else:
        offered, status = [], "" if chosen else gettext("Find the account by name first.")
    return Offered(_with_chosen(offered, chosen, dict(choices.accounts)) if chosen else offered, status, searched)


# --- the form's side -----------------------------------------------------------------------------

#: As the user types: after a pause, or at once when the search field is emptied.
SEARCHING = "input changed delay:300ms, search"


class SearchInput(forms.TextInput):
    input_type = "search"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})


def search_field(label: Any) -> forms.CharField:
    """A search among the accounts or sites of a large tenant (only the matches are offered)."""
    return forms.CharField(label=label, required=False, max_length=None, widget=SearchInput)


def _asks(url: str, target: str, trigger: str) -> dict[str, str]:
    """htmx attributes: on ``trigger``, GET ``url`` with the form's values and put the options
    it answers into ``target`` (a select)."""
    return {
        "hx-get": url,
        "hx-trigger": trigger,
        "hx-target": target,
        "hx-swap": "innerHTML",
        "hx-include": "closest form",
        "hx-sync": "this:replace",
    }


def _status(element_id: str, text: str) -> str:
    """The line under a list that says what it offers, announced when the matches change."""
    return format_html('<span id="{}" role="status">{}</span>', element_id, text)


def offer_accounts_and_sites(form: forms.Form, choices: StaffFilterChoices) -> None:
    """Set up the form's ``account`` and ``site`` filters (``LongSelect``) and their searches
    ``account_q`` and ``site_q``: every account and site of the tenant is a valid value (a saved
    view or a link names any, another tenant's is an error next to its field); the page offers
    a few of a large tenant's, the chosen ones with their names, and asks for more as the user
    types or picks an account. A small tenant's lists are whole, without the searches."""
    fields = form.fields
    set_flat_choices(fields["account"], [("", _("All accounts")), *choices.accounts])
    set_flat_choices(fields["site"], [("", _("All sites")), *choices.sites])

    def raw(name: str) -> str:
        return str(form.data.get(name) or "").strip()[:100]

    account, site = raw("account"), raw("site")
    account = account if account.isdigit() and account in dict(choices.accounts) else ""
    offered_account = offered_accounts(choices, query=raw("account_q"), chosen=account)
    offered_site = offered_sites(choices, account=account, query=raw("site_q"), chosen=site)
    site_options = reverse("portal:console-queue-filter-options", args=["site"])
    fields["account"].widget._choices = [("", _("All accounts")), *offered_account.choices]
    # Another account offers its own sites: asked for when the account changes.
    fields["account"].widget.attrs.update(_asks(site_options, "#id_site", "change"))
    if offered_account.searched:
        fields["account"].help_text = _status("account-matches", offered_account.status)
        fields["account_q"].widget.attrs.update(
            _asks(reverse("portal:console-queue-filter-options", args=["account"]), "#id_account", SEARCHING),
            **{"aria-controls": "id_account"},
        )
    else:
        del fields["account_q"]
    fields["site"].widget._choices = [("", _("All sites")), *offered_site.choices]
    fields["site"].help_text = _status("site-matches", offered_site.status)
    if offered_site.searched:
        fields["site_q"].widget.attrs.update(_asks(site_options, "#id_site", SEARCHING), **{"aria-controls": "id_site"})
    else:
        del fields["site_q"]
