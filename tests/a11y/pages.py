"""The portal's pages, each with the demo roles that see it: the one list the accessibility checks walk.

Add a page here when you add a URL pattern that renders HTML. `test_page_list.py` fails while a pattern
(`get_resolver()`) is neither here nor in EXEMPT with the reason it is not a page of its own. The axe
run (`test_axe.py`), the Nu HTML checker (`test_html.py`) and the focus check (`test_focus.py`) take
their pages from here, in the demo district (`demo/seed.py`), for every role listed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from core.months import last_months, month_label
from issues.models import Issue, SystemicMatter
from issues.workflow import available_actions
from supervision.models import Inspection, Kind, Rectification, Target
from supervision.services import may_answer, may_check
from visits.models import Errand, Policy, Visit

# The demo logins that play each role (README's table). `anonymous` is a visitor who has not logged in.
PERSONAS = {
    "anonymous": "",
    "cadre": "ganbu001",
    "department": "bumen01",
    "leading_group": "lingdao01",
    "office": "bangongshi",  # the campaign office's clerk: admin access, not a superuser
    "admin": "admin",  # the superuser
}
# ganbu001 has reported no problem and runs no errand. The busy cadre has both (a problem awaiting the
# enterprise's feedback, so its page shows the feedback form): which demo cadre that is depends on the day
# the district was seeded (its dates follow today's), so it is looked up, `busy_cadre()`, when a page is drawn.
BUSY_CADRE = "<the busy cadre>"


def busy_cadre() -> str:
    """The demo's busy cadre (a problem awaiting the enterprise's feedback, an errand, an item due soon)."""
    from demo.supervision import busy_cadre as the_demos

    found = the_demos()
    assert found, "the demo district has no cadre with a problem awaiting feedback and an errand"
    return found.user.username


LOGGED_IN = ("cadre", "department", "leading_group", "office", "admin")
OVERSIGHT = ("leading_group", "office", "admin")
OFFICE = ("office", "admin")

LANGUAGES = ("zh-hans", "en")
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

Pick = Callable[[User], int | None]
Fill = Callable[[], str]


def _issue(user: User) -> int | None:
    """The problem on which the user has the most moves to make (so the page shows the most forms)."""
    candidates = Issue.objects.visible_to(user).order_by("pk")[:200]
    best = max(candidates, key=lambda issue: (len(available_actions(user, issue)), -issue.pk), default=None)
    return best.pk if best else None


def _first(rows) -> Pick:
    return lambda user: rows(user).order_by("pk").values_list("pk", flat=True).first()


_visit = _first(lambda user: Visit.objects.visible_to(user))
# A visit with photos and a PDF (demo/proof.py): its thumbnails, links and, for its cadre, the remove buttons.
_visit_with_files = _first(lambda user: Visit.objects.visible_to(user).filter(files__content_type="application/pdf"))
_errand = _first(lambda user: Errand.objects.visible_to(user))
_policy = _first(lambda user: Policy.objects.visible_to(user))
_matter = _first(lambda user: SystemicMatter.objects.all())


def _inspection(user: User) -> int | None:
    """An inspection with items; for an overseer an unannounced visit to an enterprise (its notes show)."""
    rows = Inspection.objects.visible_to(user).filter(items__isnull=False).distinct().order_by("pk")
    notes = rows.filter(kind=Kind.UNANNOUNCED, target=Target.ENTERPRISE).exclude(visits_confirmed="")
    return notes.values_list("pk", flat=True).first() or rows.values_list("pk", flat=True).first()


def _item(user: User) -> int | None:
    """An item on which the user has a form to fill (an answer to give, an answer to check), else the first."""
    items = list(Rectification.objects.visible_to(user).select_related("cadre", "inspection").order_by("pk")[:200])
    for item in items:
        if item.is_waiting_for_answer and may_answer(user, item):
            return item.pk
        if item.status == Rectification.Status.ANSWERED and may_check(user, item.inspection):
            return item.pk
    return items[0].pk if items else None


def _this_year() -> str:
    return str(timezone.localdate().year)


def _cadre(user: User) -> int | None:
    """The cadre whose assessment breakdown the user opens: their own, or for an overseer the first ranked."""
    from assessment import scores
    from organisation.models import Cadre

    own = Cadre.objects.filter(user=user).values_list("pk", flat=True).first()
    ranked = scores.for_year(timezone.localdate().year).cadres
    return own or (ranked[0].unit_id if ranked else None)


def _department(user: User) -> int | None:
    """The department whose breakdown the user opens: their own unit, or for an overseer the last ranked."""
    from assessment import scores
    from organisation.models import DepartmentStaff

    own = DepartmentStaff.objects.filter(user=user).values_list("department_id", flat=True).first()
    ranked = scores.for_year(timezone.localdate().year).departments
    return own or (ranked[-1].unit_id if ranked else None)


def _last_month() -> str:
    """Last month, YYYY-MM: over, and with the demo district's work in it (demo/seed.py starts two months back)."""
    return month_label(last_months(timezone.localdate(), 2)[0])


def _link_token() -> str:
    """A live token of the busy cadre's enterprise (a problem awaiting its rating), issued if it has none."""
    from enterprises.links import link_current, link_issue, token_for
    from organisation.models import Pairing

    enterprise = Pairing.objects.active().get(cadre__user__username=busy_cadre()).enterprise
    return token_for(link_current(enterprise) or link_issue(enterprise=enterprise, actor=None))


def _link_problem() -> str:
    """The busy cadre's enterprise's problem awaiting its rating: the enterprise's page shows the rating form."""
    from organisation.models import Pairing

    enterprise = Pairing.objects.active().get(cadre__user__username=busy_cadre()).enterprise
    return str(Issue.objects.awaiting_feedback().filter(enterprise=enterprise).values_list("pk", flat=True).first())


def _paired_enterprise() -> str:
    """The enterprise ganbu001 serves, with a live link (issued if it has none): its link page and card."""
    from enterprises.links import link_current, link_issue
    from organisation.models import Pairing

    enterprise = Pairing.objects.active().get(cadre__user__username=PERSONAS["cadre"]).enterprise
    if link_current(enterprise) is None:
        link_issue(enterprise=enterprise, actor=None)
    return str(enterprise.pk)


@dataclass(frozen=True)
class Page:
    """A URL pattern as `get_resolver()` spells it, the roles that see it, and how its URL is filled in."""

    route: str
    roles: tuple[str, ...]
    query: str = ""
    pick: Pick | None = None  # the row an <int:pk> names, among those the viewer may see
    personas: tuple[tuple[str, str], ...] = ()  # a role played on this page by another demo login
    status: int = 200
    # Other arguments of the route and how to fill them: (("<str:month>", _last_month),) or a fixed value.
    fill: tuple[tuple[str, Fill | str], ...] = ()

    def username(self, role: str) -> str:
        name = dict(self.personas).get(role, PERSONAS[role])
        return busy_cadre() if name == BUSY_CADRE else name

    def url(self, user: User | None) -> str:
        """The concrete URL for this viewer; AssertionError when the demo district has no row to show them."""
        path = "/" + self.route
        if "<int:pk>" in path:
            assert self.pick is not None and user is not None, self.route
            pk = self.pick(user)
            assert pk is not None, f"the demo district gives {user.username} nothing to show at {self.route}"
            path = path.replace("<int:pk>", str(pk))
        for argument, value in self.fill:
            path = path.replace(argument, value if isinstance(value, str) else value())
        return path + self.query


PAGES: tuple[Page, ...] = (
    Page("accounts/login/", ("anonymous",)),
    Page("", LOGGED_IN),
    Page("accounts/password/", LOGGED_IN),
    Page("issues/", LOGGED_IN),
    Page("issues/<int:pk>/", LOGGED_IN, pick=_issue, personas=(("cadre", BUSY_CADRE),)),
    Page("issues/report/", ("cadre",)),
    Page("issues/inbox/", ("department",)),
    Page("issues/inbox/", ("department",), query="?tab=history"),
    Page("issues/review/", OVERSIGHT),
    Page("issues/matters/<int:pk>/", OVERSIGHT, pick=_matter),
    Page("cadres/mine/", ("cadre",)),
    Page("cadres/mine/", ("cadre",), personas=(("cadre", BUSY_CADRE),)),
    Page("", ("cadre",), personas=(("cadre", BUSY_CADRE),)),
    Page("cadres/visits/", LOGGED_IN),
    Page("cadres/visits/new/", ("cadre",)),
    Page("cadres/visits/<int:pk>/", ("cadre", "leading_group"), pick=_visit),
    Page("cadres/visits/<int:pk>/", ("cadre", "leading_group"), pick=_visit_with_files),
    Page("cadres/visits/<int:pk>/edit/", ("cadre",), pick=_visit),
    Page("cadres/errands/", LOGGED_IN),
    Page("cadres/errands/new/", ("cadre",)),
    Page("cadres/errands/<int:pk>/", ("cadre", "leading_group"), pick=_errand, personas=(("cadre", BUSY_CADRE),)),
    Page("cadres/compliance/", OVERSIGHT),
    Page("oversight/", OVERSIGHT),
    Page("cadres/policies/", LOGGED_IN),
    Page("cadres/policies/<int:pk>/", LOGGED_IN, pick=_policy),
    Page("enterprises/import/", OFFICE),
    Page("enterprises/exports/", LOGGED_IN),
    Page("exports/", LOGGED_IN),
    Page("notifications/", LOGGED_IN),
    Page("oversight/report/<str:month>/", OVERSIGHT, fill=(("<str:month>", _last_month),)),
    Page("oversight/departments/", OVERSIGHT),
    *(
        Page("oversight/rollups/<slug:dimension>/", OVERSIGHT, fill=(("<slug:dimension>", dimension),))
        for dimension in ("department", "cadre", "street", "sector")
    ),
    Page("supervision/", LOGGED_IN),
    Page("supervision/", OVERSIGHT, query="?status=open&kind=unannounced"),
    Page("supervision/new/", OVERSIGHT),
    Page("supervision/<int:pk>/", ("cadre", "department", *OVERSIGHT), pick=_inspection),
    Page("supervision/<int:pk>/items/new/", OVERSIGHT, pick=_inspection),
    Page("supervision/items/", LOGGED_IN),
    Page("supervision/items/<int:pk>/", LOGGED_IN, pick=_item),
    # A cadre's or a unit's own breakdown this year (the menu's entry); an overseer is sent to the year.
    Page("assessment/", ("cadre", "department")),
    Page("assessment/<int:year>/", OVERSIGHT, fill=(("<int:year>", _this_year),)),
    Page(
        "assessment/<int:year>/cadre/<int:pk>/",
        ("cadre", "leading_group"),
        pick=_cadre,
        fill=(("<int:year>", _this_year),),
    ),
    Page(
        "assessment/<int:year>/department/<int:pk>/",
        ("department", "office"),
        pick=_department,
        fill=(("<int:year>", _this_year),),
    ),
    Page("assessment/<int:year>/compare/", OVERSIGHT, fill=(("<int:year>", _this_year),)),
    # The enterprise's pages through its link (no login), and the staff's page for that link.
    Page("e/<str:token>/", ("anonymous",), fill=(("<str:token>", _link_token),)),
    Page(
        "e/<str:token>/problems/<int:issue_id>/",
        ("anonymous",),
        fill=(("<str:token>", _link_token), ("<int:issue_id>", _link_problem)),
    ),
    Page("e/<str:token>/request/", ("anonymous",), fill=(("<str:token>", _link_token),)),
    Page("e/<str:token>/", ("anonymous",), status=404, fill=(("<str:token>", "not-a-token"),)),
    Page(
        "voice/enterprises/<int:enterprise_id>/",
        ("cadre", "leading_group", "office"),
        fill=(("<int:enterprise_id>", _paired_enterprise),),
    ),
    Page(
        "voice/enterprises/<int:enterprise_id>/card/",
        ("cadre", "office"),
        fill=(("<int:enterprise_id>", _paired_enterprise),),
    ),
    # The error pages (templates/404.html and its kin) share one layout: one of them, logged in and not.
    Page("no-such-page/", ("anonymous", "cadre"), status=404),
)

# URL patterns that are not pages of their own, each with the reason. A prefix ending in "/" covers
# every pattern under it.
EXEMPT: dict[str, str] = {
    "admin/": "Django's admin, with its own templates and styles (templates/admin/ only brands it)",
    "i18n/": "the language switch: POST-only, answers with a redirect",
    "health/": "JSON for the load balancer and monitoring",
    "accounts/logout/": "POST-only, answers with a redirect",
    "issues/export.xlsx": "a spreadsheet download",
    "issues/<int:pk>/<slug:action>/": "POST-only: a move; a refusal re-renders issues/<int:pk>/, listed",
    "issues/matters/new/": "POST-only: a refusal re-renders issues/review/, listed",
    "issues/matters/<int:pk>/decide/": "POST-only: a refusal re-renders issues/matters/<int:pk>/, listed",
    "cadres/policies/<int:pk>/attachment/": "a file download",
    "cadres/exports/visits.xlsx": "a spreadsheet download",
    "cadres/visits/<int:pk>/files/": "POST-only: adding files redirects to cadres/visits/<int:pk>/, listed",
    "cadres/visits/files/<int:pk>/": "a file download (a visit's photo or PDF)",
    "cadres/visits/files/<int:pk>/thumbnail/": "an image (a photo's thumbnail) inside cadres/visits/<int:pk>/",
    "cadres/visits/files/<int:pk>/remove/": "POST-only: redirects to cadres/visits/<int:pk>/, listed",
    "enterprises/import/confirm/": "POST-only: the import's confirmation, answers with a redirect",
    "enterprises/import/template.xlsx": "a spreadsheet download",
    "enterprises/exports/enterprises.xlsx": "a spreadsheet download",
    "exports/<int:pk>/download/": "a spreadsheet download (one's own export; 410 once expired, core/exports.py)",
    "assessment/<int:year>/freeze/": "POST-only: freezing a year answers with a redirect to assessment/<int:year>/",
    "assessment/<int:year>/unfreeze/": "POST-only: unfreezing answers with a redirect to assessment/<int:year>/",
    "notifications/bell/": "an htmx fragment: the bell, checked inside every page's header",
    "notifications/read-all/": "POST-only, answers with a redirect",
    "notifications/<int:pk>/read/": "POST-only, answers with a redirect",
    "supervision/items/<int:pk>/answer/": "POST-only: a refusal re-renders supervision/items/<int:pk>/, listed",
    "supervision/items/<int:pk>/check/": "POST-only: a refusal re-renders supervision/items/<int:pk>/, listed",
    "supervision/files/<int:pk>/": "a file download",
    "pick/<str:kind>/": "an htmx fragment: a search picker's <option>s (core/pickers.py), inside the forms listed",
    "e/<str:token>/visits/<int:visit_id>/": "POST-only: a refusal re-renders e/<str:token>/, listed",
    "e/<str:token>/problems/<int:issue_id>/rate/": "POST-only: a refusal re-renders the problem's page, listed",
    "voice/enterprises/<int:enterprise_id>/new/": "POST-only: issuing a link answers with a redirect",
    "voice/enterprises/<int:enterprise_id>/revoke/": "POST-only: revoking answers with a redirect",
}


def routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL pattern of the portal, as a route string (`issues/<int:pk>/`)."""
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += routes(entry, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def exemption(route: str) -> str | None:
    """The reason a route is not in PAGES, or None."""
    if route in EXEMPT:
        return EXEMPT[route]
    return next(
        (why for prefix, why in EXEMPT.items() if prefix.endswith("/") and route.startswith(prefix)),
        None,
    )


@dataclass(frozen=True)
class Viewing:
    """One page as one role sees it: who, where, and what status the page answers with."""

    role: str
    username: str
    page: Page

    @property
    def label(self) -> str:
        return f"{self.role}({self.username}) /{self.page.route}{self.page.query}"


def viewings() -> list[Viewing]:
    """Every (role, page) pair, in the list's order."""
    return [Viewing(role, page.username(role), page) for page in PAGES for role in page.roles]
