"""The streets the enterprises are on: the choices of every page's street filter, kept until an enterprise changes.

A province's 135,000 enterprises were read for their few hundred streets on every ledger, visit list and oversight
page; kept (core/kept.py, the family "names", which an enterprise's street saved or changed touches:
organisation/kept.py), a page reads them in its one query of the versions (core/kept.py `reading`).
"""

from core import kept
from enterprises.models import Enterprise


def streets() -> list[str]:
    """Every street an enterprise is on, in order, without the empty one."""

    def count() -> list[str]:
        return list(
            Enterprise.objects.exclude(street="").values_list("street", flat=True).distinct().order_by("street")
        )

    return kept.remember("enterprises.streets", depends={"names": None}, count=count)


def street_choices(blank: bool = False) -> list[tuple[str, str]]:
    """The streets as a choice field's choices (`blank`: with the empty choice first)."""
    found = [(street, street) for street in streets()]
    return [("", "---------"), *found] if blank else found
