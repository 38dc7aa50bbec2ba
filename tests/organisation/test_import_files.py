"""An uploaded workbook that would unpack too far is refused before openpyxl opens it (issue 11): a zip
of 384 KB held 157 MB of shared strings, which took a minute and 918 MB to parse, twice."""

import pytest

from enterprises import importers
from enterprises.models import Enterprise
from organisation.pending import PENDING_KEY
from tests.organisation.helpers import (
    excel_xlsx,
    forbid_parsing,
    form_refusal,
    kept_files,
    upload,
    xlsx_bytes,
    zip_bomb_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """Issue 11's file: some 380 KB holding 150 MiB of shared strings (built once, in about a second)."""
    return zip_bomb_xlsx(150 * 1024 * 1024)


def test_the_zip_bomb_of_issue_11_is_refused_on_the_form_before_openpyxl_opens_it(
    office_client, settings, zip_bomb, monkeypatch
):
    forbid_parsing(monkeypatch)
    assert len(zip_bomb) < 400 * 1024

    response = upload(office_client, "名单.xlsx", zip_bomb)

    assert response.status_code == 400
    assert form_refusal(response) == "zip_bomb"
    assert kept_files(settings) == []
    assert PENDING_KEY not in office_client.session
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("caps", "code"),
    [
        # Were bombs not told by their packing, the cap on what a workbook unpacks to refuses this one,
        ({"MAX_PART_RATIO": 10_000}, "unpacked_too_large"),
        # and with that cap raised, the cap on the text table that openpyxl holds whole in memory.
        ({"MAX_PART_RATIO": 10_000, "CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES": 1024**3}, "text_too_large"),
    ],
)
def test_each_cap_alone_refuses_the_zip_bomb(office_client, settings, zip_bomb, monkeypatch, caps, code):
    forbid_parsing(monkeypatch)
    for name, value in caps.items():
        if name.startswith("CAMPAIGN_"):
            setattr(settings, name, value)
        else:
            monkeypatch.setattr(importers, name, value)
    response = upload(office_client, "名单.xlsx", zip_bomb)
    assert response.status_code == 400
    assert form_refusal(response) == code
    assert kept_files(settings) == []


def _city_row(i: int) -> list:
    enterprise = [f"西安市灞桥区第{i:05d}号精密机械制造有限责任公司", f"91610111{i:09d}X", "企业", "市级确定", "工业"]
    contact = ["纺织城街道", f"联系人{i:05d}", f"029-8{i:07d}"]
    cadre = [f"干部{i:05d}", "区发展和改革委员会副主任", f"139{i:08d}", "2026-06-17"]
    return [i + 1, *enterprise, *contact, *cadre]


def city_list(rows: int = 13_900) -> list[list]:
    """The export's columns, every one filled, on as many rows as a city's list has."""
    return [["序号", *(words[0] for words in importers.HEADERS.values())], *(_city_row(i) for i in range(rows))]


@pytest.mark.slow
@pytest.mark.parametrize("saved_by", ["openpyxl", "Excel"])
def test_a_citys_list_of_13900_rows_passes_the_caps_with_room_to_spare(settings, saved_by):
    rows = city_list()
    # openpyxl writes text into the sheet; Excel and WPS into the shared strings table.
    data = xlsx_bytes(rows) if saved_by == "openpyxl" else excel_xlsx(rows)
    # A list twice as long would still pass: the caps refuse bombs, not big lists.
    settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES //= 2
    settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES //= 2
    assert importers.check_kind(data, "名单.xlsx") == "xlsx"
