from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.context_processors import Bell
from notifications.models import Notification
from notifications.services import notification_mark_read

PAGE_SIZE = 20


def _get_notification_for_user(request: HttpRequest, pk: int) -> Notification:
    """Return the user's own notification, else 404: the one lookup every view uses."""
    return get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notification centre: the user's notifications, newest first; `?unread=1` for unread only."""
    rows = Notification.objects.visible_to(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.unread()
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = "unread=1" if only_unread else ""
    return render(request, "notifications/list.html", {"page": page, "only_unread": only_unread, "query": query})


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for htmx to refresh the count without reloading the page."""
    return render(request, "notifications/_bell.html", {"bell": Bell(request.user)})


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with `open`, go on to the item it is about."""
    notification = _get_notification_for_user(request, pk)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    link = notification.link
    if "open" in request.POST and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect(_back(request))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the user read."""
    count = notification_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # A path on this site only: a bare word would be taken for a URL name, and a name that is none is a 500.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:list"
