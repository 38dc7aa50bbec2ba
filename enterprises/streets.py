"""The streets the enterprises are on: the choices of every page's street filter, kept until an enterprise changes.

A province's 135,000 enterprises were read for their few hundred streets on every ledger, visit list and oversight
page; kept (core/kept.py, the family "names", which an enterprise's street saved or changed touches:
organisation/kept.py), a page reads them in the one query of the versions.
"""

from core import kept
from enterprises.models import Enterprise


def streets(keep: bool = True) -> list[str]:
    """Every street an enterprise is on, in order, without the empty one.

    `keep=False` reads them at once (one query, never two): for a page already at its query budget whose own
    figures are kept (the oversight pages, the grid), where a second read of versions would be one too many.
    """

    def count() -> list[str]:
        return list(
            Enterprise.objects.exclude(street="").values_list("street", flat=True).distinct().order_by("street")
        )

    return kept.remember("enterprises.streets", depends={"names": None}, count=count) if keep else count()


def street_choices(blank: bool = False, keep: bool = True) -> list[tuple[str, str]]:
    """The streets as a choice field's choices (`blank`: with the empty choice first)."""
    found = [(street, street) for street in streets(keep)]
    return [("", "---------"), *found] if blank else found
