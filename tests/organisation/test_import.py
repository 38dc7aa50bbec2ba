import datetime
import io
import zipfile

import pytest
from django.utils.translation import gettext
from openpyxl.xml import DEFUSEDXML

from enterprises.importers import HEADERS, ORIGIN_VALUES, SECTOR_VALUES, allowed_values, read_table, sniff_kind
from enterprises.models import Enterprise, Kind, Origin, Sector
from organisation.imports import enterprise_import
from organisation.models import Cadre, Pairing
from tests import factories
from tests.organisation.helpers import HEADER, excel_xlsx, fixture, xlsx_bytes

pytestmark = pytest.mark.django_db

USCC = ["91610111MA6U000014", "91610111MA6U000027", "91610111MA6U00003A", "91610111MA6U00004D"]


def _counts():
    return (Enterprise.objects.count(), Cadre.objects.count(), Pairing.objects.count())


def _refusals(report) -> list[tuple[int, str, str]]:
    """Each error as (row, field, code): what the tests compare, whatever the wording."""
    return [(e.row, e.field, e.code) for e in report.errors]


def test_it_finds_the_header_below_a_title_row_and_normalises_harmless_defects():
    report = enterprise_import(data=fixture("title_row.xlsx"), dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (3, 0, 0)
    first = Enterprise.objects.get(uscc=USCC[0])
    # Full-width space trimmed, full-width digits made ASCII, the code upper-cased.
    assert first.name == "西安灞河精工机械有限公司"
    assert first.phone == "13912345678"
    assert (first.kind, first.origin, first.sector) == (Kind.ENTERPRISE, Origin.CITY, Sector.INDUSTRY)
    tourism = Enterprise.objects.get(uscc=USCC[1])
    assert tourism.sector == Sector.TOURISM
    project = Enterprise.objects.get(name="灞桥生态湿地二期项目")
    assert project.kind == Kind.PROJECT and project.uscc is None
    pairing = Pairing.objects.active().get(enterprise=project)
    assert (pairing.cadre.name, pairing.cadre.title, pairing.started_on) == (
        "赵丽华",
        "副区长",
        datetime.date(2026, 6, 17),
    )


def test_it_reads_the_excel_row_numbers_past_the_title_and_blank_rows():
    table = read_table(fixture("title_row.xlsx"))
    assert table.header_row == 3
    assert table.row_numbers == [4, 5, 6]


def test_it_reads_a_gbk_csv_with_other_header_words():
    report = enterprise_import(data=fixture("district_gbk.csv"), dry_run=False, filename="district_gbk.csv")
    assert report.ok, report.errors
    assert report.new == 2
    enterprise = Enterprise.objects.get(name="西安洪庆建筑工程有限公司")
    assert (enterprise.origin, enterprise.sector) == (Origin.DISTRICT, Sector.CONSTRUCTION)
    assert Pairing.objects.active().get(enterprise=enterprise).cadre.title == "区住房和城乡建设局副局长"


def test_it_reads_a_utf8_csv_with_a_byte_order_mark_and_english_codes():
    report = enterprise_import(data=fixture("utf8_bom.csv"), dry_run=False, filename="utf8_bom.csv")
    assert report.ok, report.errors
    assert Enterprise.objects.get().sector == Sector.TECHNOLOGY


def test_importing_the_same_file_again_changes_nothing():
    enterprise_import(data=fixture("title_row.xlsx"), dry_run=False)
    before = (_counts(), list(Pairing.objects.values_list("pk", "ended_on")))
    again = enterprise_import(data=fixture("title_row.xlsx"), dry_run=False)
    assert again.ok
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert (_counts(), list(Pairing.objects.values_list("pk", "ended_on"))) == before


def test_a_bad_row_anywhere_means_nothing_is_written_and_each_reason_names_its_row_and_column():
    report = enterprise_import(data=fixture("bad_values.xlsx"), dry_run=False)
    assert not report.ok
    assert _counts() == (0, 0, 0)  # row 2 is valid, yet not written
    assert _refusals(report) == [
        (3, "sector", "invalid_choice"),
        (4, "origin", "invalid_choice"),
        (5, "name", "blank"),
        (6, "kind", "blank"),  # a blank kind is refused, never defaulted to 企业
        (7, "uscc", "uscc_check"),
        (8, "uscc", "uscc_required"),
        (9, "paired_on", "invalid"),
    ]
    by_row = {e.row: e.message for e in report.errors}
    # Each message starts with the column's header and quotes the cell, and a refused word comes
    # with the words allowed (the list's own words, not the sentence around them).
    assert all(e.message.startswith(HEADERS[e.field][0]) for e in report.errors)
    assert "农业" in by_row[3] and "、".join(allowed_values(SECTOR_VALUES)) in by_row[3]
    assert "省级" in by_row[4] and "、".join(allowed_values(ORIGIN_VALUES)) in by_row[4]
    assert "六月十七" in by_row[9]
    first = report.errors[0]
    assert str(first) == gettext("Row %(row)d: %(message)s") % {"row": 3, "message": first.message}


def test_a_list_pairing_one_cadre_with_two_enterprises_is_refused_naming_both_rows():
    report = enterprise_import(data=fixture("cadre_twice.xlsx"), dry_run=False)
    assert _refusals(report) == [(4, "cadre", "cadre_twice")]
    assert "2" in report.errors[0].message and "4" in report.errors[0].message
    assert "王建国" in report.errors[0].message
    assert _counts() == (0, 0, 0)


def test_the_same_enterprise_twice_in_a_list_is_refused():
    report = enterprise_import(data=fixture("duplicate_enterprise.csv"), dry_run=False)
    assert _refusals(report) == [(3, "uscc", "duplicate_enterprise")]
    assert Enterprise.objects.count() == 0


def test_a_dry_run_counts_like_the_import_and_writes_nothing():
    preview = enterprise_import(data=fixture("title_row.xlsx"), dry_run=True)
    assert preview.ok and not preview.written
    assert _counts() == (0, 0, 0)
    done = enterprise_import(data=fixture("title_row.xlsx"), dry_run=False)
    assert (done.new, done.updated, done.unchanged) == (preview.new, preview.updated, preview.unchanged)


def test_rows_match_by_code_first_then_by_exact_name_and_count_as_updated():
    by_code = factories.EnterpriseFactory(name="旧名称有限公司", uscc=USCC[0], sector=Sector.COMMERCE)
    by_name = factories.EnterpriseFactory(name="西安甲有限公司", uscc=None, kind=Kind.PROJECT)
    data = xlsx_bytes(
        [
            HEADER,
            ["新名称有限公司", USCC[0], "企业", "市级确定", "商贸", "纺织城街道", "", "", ""],
            ["西安甲有限公司", USCC[1], "企业", "市级确定", "工业", "纺织城街道", "", "", ""],
        ]
    )
    report = enterprise_import(data=data, dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 2, 0)
    by_code.refresh_from_db()
    by_name.refresh_from_db()
    assert by_code.name == "新名称有限公司"
    assert (by_name.uscc, by_name.kind) == (USCC[1], Kind.ENTERPRISE)


def test_a_name_registered_under_another_code_is_refused_not_overwritten():
    factories.EnterpriseFactory(name="西安甲有限公司", uscc=USCC[0])
    data = xlsx_bytes([HEADER, ["西安甲有限公司", USCC[1], "企业", "市级确定", "工业", "", "", "", ""]])
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "uscc", "uscc_conflict")]
    assert USCC[0] in report.errors[0].message and USCC[1] in report.errors[0].message
    assert Enterprise.objects.get().uscc == USCC[0]


def test_a_new_cadre_gets_an_account_without_a_usable_password_in_the_cadre_group():
    data = xlsx_bytes(
        [HEADER, ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "", "孙浩然", "区长", "2026-06-17"]]
    )
    assert enterprise_import(data=data, dry_run=False).ok
    cadre = Cadre.objects.get()
    assert cadre.user.username == "cadre-0001"
    assert not cadre.user.has_usable_password()
    assert list(cadre.user.groups.values_list("name", flat=True)) == ["cadre"]


def test_an_existing_cadre_is_found_by_name_and_title():
    cadre = factories.CadreFactory(name="孙浩然", title="区长")
    factories.CadreFactory(name="孙浩然", title="副区长")
    data = xlsx_bytes(
        [HEADER, ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "", "孙浩然", "区长", "2026-06-17"]]
    )
    assert enterprise_import(data=data, dry_run=False).ok
    assert Pairing.objects.get().cadre == cadre
    assert Cadre.objects.count() == 2


def test_a_cadre_name_shared_by_two_people_needs_the_title():
    factories.CadreFactory(name="孙浩然", title="区长")
    factories.CadreFactory(name="孙浩然", title="副区长")
    data = xlsx_bytes([HEADER, ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "", "孙浩然", "", "2026-06-17"]])
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "cadre_title", "cadre_ambiguous")]
    assert "区长" in report.errors[0].message and "副区长" in report.errors[0].message
    assert Enterprise.objects.count() == 0


def test_re_pairing_ends_both_old_pairings_and_keeps_history(enterprise, cadre, other_enterprise, other_cadre):
    # The list pairs alice's enterprise with bob; bob's old enterprise is not in the list.
    data = xlsx_bytes(
        [HEADER, [enterprise.name, enterprise.uscc, "企业", "市级确定", "工业", "", "李志强", "副局长", "2026-09-01"]]
    )
    report = enterprise_import(data=data, dry_run=False)
    assert report.ok, report.errors
    assert report.updated == 1
    ended = Pairing.objects.filter(ended_on=datetime.date(2026, 8, 31))
    assert {(p.cadre.name, p.enterprise.name) for p in ended} == {
        ("王建国", enterprise.name),
        ("李志强", other_enterprise.name),
    }
    assert Pairing.objects.active().get(enterprise=enterprise).cadre == other_cadre
    assert Pairing.objects.count() == 3


def test_a_new_pairing_needs_a_date_and_no_default_is_filled():
    data = xlsx_bytes([HEADER, ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "", "孙浩然", "区长", ""]])
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "paired_on", "pairing_date_missing")]
    assert _counts() == (0, 0, 0)


def test_a_pairing_date_not_after_the_start_of_the_pairing_it_replaces_is_refused(enterprise, cadre):
    # alice was paired on 2026-06-17; a newcomer cannot take over from a date before that.
    data = xlsx_bytes(
        [HEADER, [enterprise.name, enterprise.uscc, "企业", "市级确定", "工业", "", "孙浩然", "区长", "2026-06-01"]]
    )
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "paired_on", "pairing_date_too_early")]
    assert Pairing.objects.active().get(enterprise=enterprise).cadre == cadre


def test_a_title_or_date_without_a_cadre_is_refused():
    data = xlsx_bytes([HEADER, ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "", "", "区长", "2026-06-17"]])
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "cadre", "cadre_missing")]
    assert _counts() == (0, 0, 0)


def test_formulas_are_kept_as_text():
    report = enterprise_import(data=fixture("formulas.xlsx"), dry_run=False)
    assert report.ok, report.errors
    hostile = Enterprise.objects.get(uscc=USCC[0])
    assert hostile.name.startswith("=HYPERLINK(")
    assert hostile.contact_person == "@SUM(1)"
    assert Enterprise.objects.get(uscc=USCC[1]).phone == "=1+1"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("no_header.xlsx", "no_header"),
        ("text_named.xlsx", "suffix_mismatch"),
        ("image_named.csv", "not_text"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused_as_a_whole(name, code):
    report = enterprise_import(data=fixture(name), dry_run=False, filename=name)
    assert _refusals(report) == [(0, "", code)]
    assert report.errors[0].message  # something to show the user


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.CAMPAIGN_IMPORT_MAX_BYTES = 1000
    report = enterprise_import(data=fixture("title_row.xlsx"), dry_run=False)
    assert _refusals(report) == [(0, "", "too_large")]
    assert Enterprise.objects.count() == 0


def test_an_old_xls_file_is_refused_with_advice():
    report = enterprise_import(data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), dry_run=False)
    assert _refusals(report) == [(0, "", "xls_not_accepted")]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.CAMPAIGN_IMPORT_MAX_BYTES = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", "a" * 1_000_000)
    report = enterprise_import(data=buffer.getvalue(), dry_run=False)
    assert _refusals(report) == [(0, "", "zip_bomb")]


def test_a_list_saved_as_excel_saves_it_with_its_text_in_a_shared_strings_table_imports():
    data = excel_xlsx(
        [
            ["灞桥区亲商助企企业名单"],
            HEADER,
            ["西安灞河精工机械有限公司", USCC[0], "企业", "市级确定", "工业", "", "赵丽华", "副区长", "2026-06-17"],
        ]
    )
    report = enterprise_import(data=data, dry_run=False, filename="名单.xlsx")
    assert report.ok, report.errors
    assert Pairing.objects.active().get(enterprise__uscc=USCC[0]).cadre.name == "赵丽华"


def test_xml_is_parsed_with_defusedxml():
    assert DEFUSEDXML


def test_content_decides_the_kind_not_the_name():
    assert sniff_kind(fixture("title_row.xlsx")) == "xlsx"
    assert sniff_kind(fixture("district_gbk.csv")) == "csv"


@pytest.mark.parametrize("paired_on", ["9999-12-31", "1999-12-31"])
def test_a_pairing_date_outside_the_window_is_refused_and_the_current_pairing_stands(enterprise, cadre, paired_on):
    data = xlsx_bytes(
        [HEADER, [enterprise.name, enterprise.uscc, "企业", "市级确定", "工业", "", "孙浩然", "区长", paired_on]]
    )
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "paired_on", "date_out_of_range")]
    assert Pairing.objects.active().get(enterprise=enterprise).cadre == cadre
    assert not Pairing.objects.filter(ended_on__isnull=False).exists()


def test_an_enterprise_name_of_invisible_characters_is_refused():
    data = xlsx_bytes([HEADER, ["\u200b\u200c\u200d\ufeff", USCC[0], "企业", "市级确定", "工业", "", "", "", ""]])
    report = enterprise_import(data=data, dry_run=False)
    assert _refusals(report) == [(2, "name", "blank")]
    assert _counts() == (0, 0, 0)
