"""What a change request or a simple service request is for: a service, a site, or both,
each looked up inside the actor's walls (one not visible does not exist)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from orders.models import Service
from orders.selectors import services_visible_to
from servicedesk.models import Site, User
from servicedesk.selectors import sites_visible_to


def service_and_site(
    *, actor: User, service_id: str | None, site_id: int | None, errors: dict[str, list[str]], unnamed: str
) -> tuple[Service | None, Site | None]:
    """The service and the site named (the site defaults to the service's). Adds to
    ``errors`` what is wrong: an unknown service or site, a service at another site, or
    neither named (``unnamed``, the error on the site field)."""
    service = None
    if service_id:
        service = services_visible_to(actor=actor).filter(service_id=service_id).first()
        if service is None:
            errors["service"] = [_("There is no service %(id)s.") % {"id": service_id}]
    site: Site | None = None
    if site_id is not None:
        site = sites_visible_to(actor=actor).filter(pk=site_id).first()
        if site is None:
            errors["site"] = [_("There is no such site.")]
        elif service is not None and service.site_id != site.pk:
            errors["site"] = [_("The service is at another site.")]
    elif service is not None:
        site = service.site
    elif "service" not in errors:
        errors["site"] = [unnamed]
    return service, site
