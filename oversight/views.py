from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.roles import Role, roles_of
from oversight import panels


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show each of the user's roles what needs its attention now."""
    held = roles_of(request.user)
    today = panels.today()
    ctx: dict[str, object] = {"today": today}
    if Role.CADRE in held:
        ctx["cadre_panel"] = panels.cadre_panel(request.user, today)
        ctx["cadre_items"] = panels.items_panel(request.user, today, as_unit=False)
    if Role.DEPARTMENT_STAFF in held:
        ctx["department_panel"] = panels.department_panel(request.user, today)
        ctx["department_items"] = panels.items_panel(request.user, today, as_unit=True)
    if held & {Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE}:
        # The overseers' figures and the office's, kept as one answer (one query when kept).
        figures = panels.overseer_figures(request.user, today, office=Role.CAMPAIGN_OFFICE in held)
        ctx["oversight_panel"] = panels.oversight_panel(request.user, today, figures.oversight)
        ctx["supervision_panel"] = panels.supervision_panel(request.user, today)
        if figures.office is not None:
            ctx["office_panel"] = figures.office
    return render(request, "oversight/home.html", ctx)
