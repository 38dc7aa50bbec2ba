"""Who sees which cadres and pairings: `visible_to(user)` on their QuerySets, persona by persona."""

import pytest

from organisation.models import Cadre, Pairing
from tests.visibility import expected, seen_by

pytestmark = pytest.mark.django_db


def test_each_persona_sees_exactly_the_cadres_its_role_allows(everyone, cadre, other_cadre, successor):
    seen = seen_by(everyone, lambda user: Cadre.objects.visible_to(user).values_list("name", flat=True))

    assert seen == expected(
        {"王建国", "李志强", "陈思远"},
        cadre={"王建国"},
        other_cadre={"李志强"},
        successor={"陈思远"},
        staff=(),
        other_staff=(),
    )


def test_each_persona_sees_exactly_the_pairings_its_role_allows(
    everyone, cadre, other_cadre, successor, enterprise, other_enterprise, former_enterprise
):
    seen = seen_by(
        everyone, lambda user: Pairing.objects.visible_to(user).values_list("cadre__name", "enterprise__name")
    )

    alice_now, alice_before = ("王建国", enterprise.name), ("王建国", former_enterprise.name)
    bob, ivan = ("李志强", other_enterprise.name), ("陈思远", former_enterprise.name)
    assert seen == expected(
        {alice_now, alice_before, bob, ivan},
        # A cadre keeps sight of a pairing that has ended; the successor sees only their own.
        cadre={alice_now, alice_before},
        other_cadre={bob},
        successor={ivan},
        staff=(),
        other_staff=(),
    )
