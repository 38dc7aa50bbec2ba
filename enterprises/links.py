"""The enterprise's own link (企业码): issuing, revoking, signing and reading its token. The rule's one home.

A link is an `EnterpriseLink` row; what the enterprise holds (in a QR code, on a visit card, in an SMS)
is a token signed with Django's signing (`TimestampSigner`, salt ``enterprise-link``, the project's
SECRET_KEY) that carries the row's id and its random `key`. Reading a token answers exactly one of:

- ``tampered``: the signature does not hold (a changed character, another site's token, garbage);
- ``expired``: signed more than `CAMPAIGN_ENTERPRISE_LINK_DAYS` days ago;
- ``revoked``: the row was revoked (by the office or the cadre), or replaced by a newer link;
- otherwise the live `EnterpriseLink`, whose enterprise is all the token may see or act for.

The key makes a token unguessable even for someone who knows the row ids; the signature makes it
unforgeable; the row makes it revocable at once.
"""

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PortalError
from enterprises.models import Enterprise, EnterpriseLink

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SALT = "enterprise-link"
TAMPERED = "tampered"
EXPIRED = "expired"
REVOKED = "revoked"


class LinkError(PortalError):
    """A token that opens nothing: `code` is tampered, expired or revoked."""


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.CAMPAIGN_ENTERPRISE_LINK_DAYS)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def token_for(link: EnterpriseLink) -> str:
    """Return a token for this link, signed now (each call gives a fresh expiry)."""
    return str(_signer().sign_object({"l": link.pk, "k": link.key}, compress=False))


def url_for(link: EnterpriseLink) -> str:
    """Return the absolute address the enterprise opens (PORTAL_BASE_URL + the link's page)."""
    path = reverse("voice:home", kwargs={"token": token_for(link)})
    base: str = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path


def link_read(token: str) -> EnterpriseLink:
    """Return the live link a token stands for, or raise `LinkError` saying why it opens nothing."""
    try:
        value = _signer().unsign_object(token, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkError(EXPIRED, _("This link has expired.")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError(TAMPERED, _("This link is not valid.")) from None
    if not isinstance(value, dict) or not isinstance(value.get("l"), int) or not isinstance(value.get("k"), str):
        raise LinkError(TAMPERED, _("This link is not valid."))
    link = EnterpriseLink.objects.select_related("enterprise").filter(pk=value["l"], key=value["k"]).first()
    if link is None or link.is_revoked or not link.enterprise.is_active:
        raise LinkError(REVOKED, _("This link has been withdrawn."))
    return link


@transaction.atomic
def link_issue(*, enterprise: Enterprise, actor: "User | None", now: datetime.datetime | None = None) -> EnterpriseLink:
    """Issue the enterprise a new link; the one it had (if any) is revoked in the same transaction."""
    now = now or timezone.now()
    # Lock the enterprise so two issues at once make one live link each in turn, never two.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    EnterpriseLink.objects.live().filter(enterprise=enterprise).update(revoked_at=now, revoked_by=actor)
    return EnterpriseLink.objects.create(
        enterprise=enterprise, key=secrets.token_hex(16), created_at=now, created_by=actor
    )


@transaction.atomic
def link_revoke(*, enterprise: Enterprise, actor: "User | None", now: datetime.datetime | None = None) -> int:
    """Revoke the enterprise's live link: every token of it opens nothing from now. Return how many were live."""
    now = now or timezone.now()
    return EnterpriseLink.objects.live().filter(enterprise=enterprise).update(revoked_at=now, revoked_by=actor)


def link_current(enterprise: Enterprise) -> EnterpriseLink | None:
    """Return the enterprise's live link, or None when it has none."""
    return EnterpriseLink.objects.live().filter(enterprise=enterprise).first()


def link_touch(link: EnterpriseLink, *, now: datetime.datetime | None = None) -> None:
    """Note that the link was used (shown to the office and the cadre; at most one write a minute)."""
    now = now or timezone.now()
    if link.last_used_at is None or now - link.last_used_at > datetime.timedelta(minutes=1):
        EnterpriseLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
