from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bangqiao_portal.spreadsheets import xlsx_response
from cadres.exports import visit_month_headers, visit_month_rows


@login_required
@require_GET
def visit_export(request: HttpRequest) -> HttpResponse:
    """Download the visits per enterprise per month of a year, limited to the visits the user may see."""
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= today.year + 1 else today.year
    return xlsx_response(
        _("visits-%(year)d.xlsx") % {"year": year},
        visit_month_headers(year),
        visit_month_rows(request.user, year, today),
        sheet_title=_("Visits per month"),
    )
