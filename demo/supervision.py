"""The demo district's supervision: inspections of every kind and rectification items in every state.

Spread over the demo's campaign span (from `campaign_start`, two months back, up to yesterday: the
pairings exist only from then), and made through `supervision.services` with past `now=` values, so
every row is what the real services write: two concentrated inspections (a department, a street),
three open and four unannounced visits to enterprises, two follow-ups, every rating, and items in
every state (open, due soon, answered, sent back, accepted on time and late, overdue).
docs/supervision-demo-and-reminders.md lists the rows, which pages and tests rely on.
"""

import datetime
import random
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demo import data
from issues.models import Issue
from organisation.models import Cadre, Department, Pairing
from supervision.models import Confirmation, Inspection, Kind, Rating, Rectification, Target
from supervision.services import InspectionData, inspection_record, item_answer, item_check, item_raise
from visits.models import Errand


def png(width: int = 96, height: int = 64) -> bytes:
    """A small PNG (a green field under a blue sky), written with the standard library alone."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    sky, field = bytes((120, 170, 220)), bytes((90, 150, 70))
    rows = b"".join(b"\x00" + (sky if y < height // 2 else field) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def busy_cadre() -> Cadre | None:
    """The first demo cadre with a problem awaiting the enterprise's feedback and an errand (the a11y tests' too)."""
    awaiting = Issue.objects.awaiting_feedback().values("enterprise__pairings__cadre__user")
    with_errand = Errand.objects.values("pairing__cadre__user")
    username = (
        User.objects.filter(
            username__startswith="ganbu",
            pk__in=awaiting.filter(enterprise__pairings__ended_on__isnull=True),
        )
        .filter(pk__in=with_errand)
        .order_by("username")
        .values_list("username", flat=True)
        .first()
    )
    return Cadre.objects.filter(user__username=username).first() if username else None


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass(frozen=True)
class People:
    """Who takes part: the inspectors (lingdao01…05, bangongshi), the units and their staff, the cadres."""

    leaders: Sequence[User]  # lingdao01 … lingdao05
    clerk: User  # bangongshi
    department: Department  # bumen01's
    department_staff: User
    street: Department  # jiedao01's
    street_staff: User
    first_pairing: Pairing  # ganbu001's


class _Supervision:
    def __init__(self, today: datetime.date, start: datetime.date, people: People) -> None:
        self.today = today
        self.start = start
        self.span = (today - start).days  # at least 59: two whole months and a day
        self.people = people
        # Its own generator, so the rest of the district draws what it drew before supervision existed.
        self.rng = random.Random(20260619)  # nosec B311 # a repeatable demo, not security
        self.inspections: dict[str, Inspection] = {}
        self.items = 0

    def on(self, share: float) -> datetime.date:
        """The day `share` of the way through the span (0 its first day, 1 today)."""
        return self.start + datetime.timedelta(days=round(share * self.span))

    def record(self, key: str, share: float, kind: Kind, rating: Rating, inspectors: Sequence[User], **what) -> None:
        target: Target = what.pop("target")
        day = self.on(share)
        pairing: Pairing | None = what.pop("pairing", None)
        if pairing is not None:
            day = max(day, pairing.started_on)  # an enterprise's inspection counts for the cadre serving it then
            what["enterprise"] = pairing.enterprise
        method, findings = data.INSPECTION_TEXTS[key]
        if kind == Kind.UNANNOUNCED:
            what["said_of_cadre"], what["said_of_departments"] = data.UNANNOUNCED_SAID[key]
        self.inspections[key] = inspection_record(
            actor=inspectors[0],
            data=InspectionData(
                kind=kind,
                inspected_on=day,
                inspectors=inspectors,
                target=target,
                method=method,
                findings=findings,
                rating=rating,
                **what,
            ),
            now=_at(day, self.rng.randint(15, 18)),
        )

    def raise_item(self, key: str, on: str, deadline: datetime.date, **responsible) -> Rectification:
        inspection = self.inspections[on]
        self.items += 1
        return item_raise(
            actor=inspection.created_by,
            inspection=inspection,
            requirement=data.RECTIFICATION_TEXTS[key],
            deadline=deadline,
            now=_at(inspection.inspected_on, 19),
            **responsible,
        )

    def answer(self, item: Rectification, key: str, by: User, day: datetime.date, evidence: bool = False) -> None:
        files = [SimpleUploadedFile("整改现场照片.png", png(), content_type="image/png")] if evidence else []
        item_answer(actor=by, item_id=item.pk, text=data.RECTIFICATION_ANSWERS[key], files=files, now=_at(day, 15))

    def check(self, item: Rectification, key: str, day: datetime.date, accept: bool) -> None:
        item_check(
            actor=item.inspection.created_by,
            item_id=item.pk,
            accept=accept,
            note=data.RECTIFICATION_CHECKS[key],
            now=_at(day, 11),
        )

    def seed(self, pairings: Sequence[Pairing]) -> None:
        p, days = self.people, datetime.timedelta
        l1, l2, l3, l4, l5 = p.leaders
        busy = busy_cadre()
        mine = next((pairing for pairing in pairings if busy is not None and pairing.cadre_id == busy.pk), None)
        # Pairings served by one cadre since the start (not the two swapped), not ganbu001's.
        others = [x for x in pairings if x.started_on == self.start and x != p.first_pairing]
        # Drawn before the busy cadre is left out, so the same cadres are drawn whoever that is (it varies by day).
        good, average, confirmed, partly, denied = [x for x in self.rng.sample(others, 6) if x != mine][:5]
        mine = mine or next(x for x in others if x not in (good, average, confirmed, partly, denied))

        # Concentrated inspections, a department and a street, the department's followed up later.
        photo = SimpleUploadedFile("检查现场.png", png(), content_type="image/png")
        self.record(
            "department",
            0.15,
            Kind.CONCENTRATED,
            Rating.AVERAGE,
            [p.clerk, l1, l2],
            target=Target.DEPARTMENT,
            department=p.department,
            files=[photo],
        )
        overdue = self.inspections["department"].inspected_on + days(14)
        self.raise_item("department_overdue", "department", overdue, department=p.department)
        self.record(
            "street", 0.3, Kind.CONCENTRATED, Rating.FAIRLY_GOOD, [l2, l3], target=Target.STREET, department=p.street
        )
        day = self.inspections["street"].inspected_on
        item = self.raise_item("street_on_time", "street", day + days(20), department=p.street)
        self.answer(item, "street_on_time", p.street_staff, day + days(10))
        self.check(item, "street_on_time", day + days(12), accept=True)

        # Open visits to enterprises.
        self.record(
            "open_first",
            0.45,
            Kind.OPEN_VISIT,
            Rating.FAIRLY_GOOD,
            [l1],
            target=Target.ENTERPRISE,
            pairing=p.first_pairing,
        )
        day = self.inspections["open_first"].inspected_on
        item = self.raise_item("cadre_sent_back", "open_first", self.today + days(10), cadre=p.first_pairing.cadre)
        self.answer(item, "cadre_sent_back", p.first_pairing.cadre.user, day + days(5))
        self.check(item, "cadre_sent_back", day + days(7), accept=False)
        self.record(
            "open_good", 0.55, Kind.OPEN_VISIT, Rating.GOOD, [l3, p.clerk], target=Target.ENTERPRISE, pairing=good
        )
        self.record(
            "open_average", 0.8, Kind.OPEN_VISIT, Rating.AVERAGE, [l1, l4], target=Target.ENTERPRISE, pairing=average
        )
        item = self.raise_item("cadre_answered", "open_average", self.today + days(7), cadre=average.cadre)
        self.answer(item, "cadre_answered", average.cadre.user, self.today - days(2), evidence=True)

        # Unannounced visits: what the enterprise said of its cadre's visits, one of each answer.
        unannounced = (
            ("unannounced_denied", 0.1, Rating.POOR, denied, Confirmation.DENIED, [l4, p.clerk]),
            ("unannounced_confirmed", 0.2, Rating.GOOD, confirmed, Confirmation.CONFIRMED, [l4, l5]),
            ("unannounced_partly", 0.35, Rating.FAIRLY_GOOD, partly, Confirmation.PARTLY, [l2, p.clerk]),
            ("unannounced_unsure", 0.6, Rating.AVERAGE, mine, Confirmation.UNSURE, [l3]),
        )
        for key, share, rating, pairing, said, inspectors in unannounced:
            self.record(
                key,
                share,
                Kind.UNANNOUNCED,
                rating,
                inspectors,
                target=Target.ENTERPRISE,
                pairing=pairing,
                visits_confirmed=said,
            )
        day = self.inspections["unannounced_denied"].inspected_on
        item = self.raise_item("cadre_late", "unannounced_denied", day + days(7), cadre=denied.cadre)
        self.answer(item, "cadre_late", denied.cadre.user, day + days(10))
        self.check(item, "cadre_late", day + days(12), accept=True)
        day = self.inspections["unannounced_partly"].inspected_on
        self.raise_item("cadre_overdue", "unannounced_partly", day + days(10), cadre=partly.cadre)
        self.raise_item("cadre_due_soon", "unannounced_unsure", self.today + days(2), cadre=mine.cadre)

        # Follow-ups of the department's inspection (still not done: a new item) and of the denied visit.
        self.record(
            "follow_department",
            0.7,
            Kind.FOLLOW_UP,
            Rating.POOR,
            [l1, l2],
            target=Target.DEPARTMENT,
            department=p.department,
            follows=self.inspections["department"],
        )
        self.raise_item("department_open", "follow_department", self.today + days(14), department=p.department)
        self.record(
            "follow_denied",
            0.9,
            Kind.FOLLOW_UP,
            Rating.FAIRLY_GOOD,
            [l4],
            target=Target.ENTERPRISE,
            pairing=denied,
            follows=self.inspections["unannounced_denied"],
        )


def seed_supervision(
    today: datetime.date, start: datetime.date, people: People, pairings: Sequence[Pairing]
) -> tuple[int, int]:
    """Inspections and their items over the campaign span, once: (inspections, items) made, or (0, 0)."""
    if Inspection.objects.exists():
        return 0, 0
    supervision = _Supervision(today, start, people)
    supervision.seed(pairings)
    return len(supervision.inspections), supervision.items
