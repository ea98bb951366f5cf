"""Which sites and accounts the agents' queue filter offers.

A large tenant has a thousand sites and hundreds of accounts: written into every queue page
they were most of its weight (156 KB of sites alone). Past ``FULL_LIST_UP_TO`` the site
filter offers the chosen account's sites, or the matches of a search (``site_q``, part of the
site's or its account's name), at most ``MATCHES_OFFERED``; the account filter alike
(``account_q``). The page asks ``portal:console-queue-filter-options`` for the matches as
the agent types (htmx); without scripts, the form's button shows them. A chosen value is
always offered, with its name. Everything comes from the tenant's cached reference data
(``servicedesk.selectors.staff_filter_choices``): no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

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
