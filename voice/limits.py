"""How often the link's pages may be asked: per client address and per link, GET and POST counted apart.

The rates are `CAMPAIGN_ENTERPRISE_LINK_RATE` (pages) and `CAMPAIGN_ENTERPRISE_LINK_POST_RATE` (forms),
django-ratelimit's "count/period", counted in the default cache (Redis in production, shared by every
worker). The address is asked first, before the token is read, so a flood of made-up tokens costs no
query; the link is asked once its token has been read, so one leaked link cannot be hammered from many
addresses. The address is `core.lockout.client_address`'s, which believes only TRUSTED_PROXIES.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from core.lockout import client_address
from enterprises.models import EnterpriseLink


def _rate(request: HttpRequest) -> tuple[str, str]:
    if request.method == "POST":
        return "post", settings.CAMPAIGN_ENTERPRISE_LINK_POST_RATE
    return "get", settings.CAMPAIGN_ENTERPRISE_LINK_RATE


def address_limited(request: HttpRequest) -> bool:
    """Count this request against its client address; return whether it is over the rate."""
    kind, rate = _rate(request)
    address = client_address(request) or "unknown"
    return bool(
        is_ratelimited(
            request, group=f"voice:address:{kind}", key=lambda _group, _request: address, rate=rate, increment=True
        )
    )


def link_limited(request: HttpRequest, link: EnterpriseLink) -> bool:
    """Count this request against the link it opened; return whether it is over the rate."""
    kind, rate = _rate(request)
    return bool(
        is_ratelimited(
            request, group=f"voice:link:{kind}", key=lambda _group, _request: str(link.pk), rate=rate, increment=True
        )
    )
