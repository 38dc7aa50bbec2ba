"""The Chinese of strings not yet in the compiled catalogue, from locale/pending/*.tsv, for tests in Chinese.

A branch adds its Chinese to locale/pending/<branch>.tsv (msgid TAB Chinese); the catalogue takes them in
when the branch is merged and the file goes. Until then a test that reads a page in Chinese lends the
catalogue those lines; once the catalogue has a msgid, the catalogue's own Chinese is what the test reads.
"""

import contextlib
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.utils.translation import trans_real

PENDING = Path(settings.BASE_DIR) / "locale" / "pending"


def pending_chinese() -> dict[str, str]:
    """Return each pending msgid's Chinese."""
    found: dict[str, str] = {}
    for tsv in sorted(PENDING.glob("*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            msgid, tab, chinese = line.partition("\t")
            if tab and msgid and chinese:
                found[msgid] = chinese
    return found


@contextlib.contextmanager
def with_pending_chinese():
    """Lend the Chinese catalogue the pending lines it does not hold yet (a plural by its singular msgid)."""
    catalog = trans_real.translation("zh-hans")._catalog
    lent = {}
    for msgid, chinese in pending_chinese().items():
        if msgid not in catalog and (msgid, 0) not in catalog:
            lent[msgid] = chinese
            lent[(msgid, 0)] = chinese  # ngettext looks a plural up by (singular msgid, form); Chinese has one
    with mock.patch.dict(catalog._catalogs[0], lent):
        yield
