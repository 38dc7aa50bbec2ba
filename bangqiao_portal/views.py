from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bangqiao_portal import dashboards
from bangqiao_portal.roles import Role, roles_of


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show each of the user's roles what needs its attention now."""
    held = roles_of(request.user)
    today = dashboards.today()
    ctx = {"today": today}
    if Role.CADRE in held:
        ctx["cadre_panel"] = dashboards.cadre_panel(request.user, today)
    if Role.DEPARTMENT_STAFF in held:
        ctx["department_panel"] = dashboards.department_panel(request.user, today)
    if held & {Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE}:
        ctx["oversight_panel"] = dashboards.oversight_panel(request.user, today)
    if Role.CAMPAIGN_OFFICE in held:
        ctx["office_panel"] = dashboards.office_panel(request.user, today)
    return render(request, "home.html", ctx)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers; for the load balancer and the process manager."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
