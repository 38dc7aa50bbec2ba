"""Which cadre a list row names: by the mobile (干部手机) first, else by name and title."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.models import Enterprise
from organisation.imports import enterprise_import
from organisation.models import Cadre, Pairing
from organisation.services import cadre_create
from tests import factories
from tests.organisation.helpers import fixture, xlsx_bytes

pytestmark = pytest.mark.django_db

USCC = ["91610111MA6U000014", "91610111MA6U000027", "91610111MA6U00003A", "91610111MA6U00004D"]
HEADER = ["企业名称", "统一社会信用代码", "类型", "来源", "行业", "包抓领导", "职务", "干部手机", "结对日期"]


def _row(n: int, cadre: str, title: str, mobile: str = "", paired_on: str = "2026-06-17") -> list[str]:
    return [f"西安{'甲乙丙丁'[n]}有限公司", USCC[n], "企业", "市级确定", "工业", cadre, title, mobile, paired_on]


def _import(*rows: list[str], dry_run: bool = False):
    return enterprise_import(data=xlsx_bytes([HEADER, *rows]), dry_run=dry_run)


def _codes(items) -> list[tuple]:
    """Each error as (row, field, code), each warning as (rows, field, code): what the tests compare."""
    return [(getattr(i, "rows", None) or i.row, i.field, i.code) for i in items]


# --- The key ---


def test_a_new_cadre_keeps_the_lists_mobile_as_its_eleven_digits():
    report = _import(_row(0, "孙浩然", "区长", "+86 139-1234-５６７８"))
    assert report.ok, report.errors
    assert Cadre.objects.get().mobile == "13912345678"


def test_a_new_title_for_a_known_mobile_updates_the_cadre_not_a_second_person():
    assert _import(_row(0, "孙浩然", "副区长", "13912345678")).ok
    cadre = Cadre.objects.get()

    report = _import(_row(0, "孙浩然", "区长", "13912345678", paired_on=""))

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    assert Cadre.objects.get() == cadre
    cadre.refresh_from_db()
    assert cadre.title == "区长"
    assert list(cadre.history.values_list("title", flat=True)) == ["区长", "副区长"]  # newest first
    assert Pairing.objects.get().cadre == cadre  # the same pairing, never ended


def test_a_keyed_list_imported_again_changes_nothing():
    rows = [_row(0, "孙浩然", "区长", "13912345678"), _row(1, "孙浩然", "副区长", "13912345679")]
    assert _import(*rows).ok
    before = list(Cadre.objects.values_list("pk", "name", "title", "mobile"))
    again = _import(*rows)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Cadre.objects.values_list("pk", "name", "title", "mobile")) == before


def test_one_name_with_two_mobiles_is_two_people_and_no_warning():
    report = _import(_row(0, "孙浩然", "区长", "13912345678"), _row(1, "孙浩然", "区长", "13912345679"))
    assert report.ok and report.warnings == []
    assert Cadre.objects.filter(name="孙浩然").count() == 2


def test_a_cadre_registered_before_keys_takes_the_mobile_the_list_gives(cadre, enterprise):
    data = [enterprise.name, enterprise.uscc, "企业", "市级确定", "工业", "王建国", cadre.title, "13912345678", ""]
    report = _import(data)
    assert report.ok, report.errors
    assert report.updated == 1  # the row gave the pairing's cadre a key
    cadre.refresh_from_db()
    assert cadre.mobile == "13912345678"
    assert Cadre.objects.filter(name="王建国").count() == 1


def test_a_mobile_that_belongs_to_another_name_is_refused(cadre):
    cadre.mobile = "13912345678"
    cadre.save()
    report = _import(_row(0, "孙浩然", "区长", "13912345678"))
    assert _codes(report.errors) == [(2, "cadre_mobile", "cadre_mobile_conflict")]
    assert "王建国" in report.errors[0].message and "孙浩然" in report.errors[0].message
    assert not Enterprise.objects.filter(uscc=USCC[0]).exists()  # nothing of the list's is written


@pytest.mark.parametrize("written", ["1391234567", "029-83500000", "13912345678x", "23912345678"])
def test_a_mobile_that_is_not_one_is_refused_naming_its_column(written):
    report = _import(_row(0, "孙浩然", "区长", written))
    assert _codes(report.errors) == [(2, "cadre_mobile", "invalid_mobile")]
    assert report.errors[0].message.startswith("干部手机")
    assert Cadre.objects.count() == 0


def test_a_mobile_without_a_cadre_is_refused():
    report = _import(_row(0, "", "", "13912345678", paired_on=""))
    assert _codes(report.errors) == [(2, "cadre", "cadre_missing")]


def test_one_mobile_on_two_rows_is_one_cadre_paired_twice_and_refused():
    report = _import(_row(0, "孙浩然", "区长", "13912345678"), _row(1, "孙浩然", "副区长", "139 1234 5678"))
    assert _codes(report.errors) == [(3, "cadre_mobile", "cadre_twice")]
    assert Cadre.objects.count() == 0


def test_a_keyed_row_and_a_keyless_row_of_one_name_and_title_may_be_one_cadre_and_are_refused():
    report = _import(_row(0, "孙浩然", "区长", "13912345678"), _row(1, "孙浩然", "区长"))
    assert _codes(report.errors) == [(3, "cadre", "cadre_twice")]


@pytest.mark.parametrize(
    "header", ["干部手机", "包抓领导手机", "结对干部手机", "联系领导手机", "助企干部手机", "包抓干部手机"]
)
def test_the_cadres_mobile_has_its_own_headers_apart_from_the_enterprises_phone(header):
    headers = ["企业名称", "统一社会信用代码", "类型", "来源", "行业", "手机", "包抓领导", "职务", header, "结对日期"]
    row = ["西安甲有限公司", USCC[0], "企业", "市级确定", "工业", "13800000001", "孙浩然", "区长", "13912345678"]
    report = enterprise_import(data=xlsx_bytes([headers, [*row, "2026-06-17"]]), dry_run=False)
    assert report.ok, report.errors
    assert Enterprise.objects.get().phone == "13800000001"
    assert Cadre.objects.get().mobile == "13912345678"


# --- Without a key: namesakes are warned of, not refused ---


def test_one_name_with_two_titles_and_no_mobile_is_a_warning_naming_both_excel_rows():
    report = enterprise_import(data=fixture("namesakes.xlsx"), dry_run=False)
    # Rows 3 and 5 (below a title row and the headers) both name 王建国, as 区长 and 区委副书记.
    assert report.ok, report.errors
    assert _codes(report.warnings) == [((3, 5), "cadre", "cadre_namesake")]
    assert "王建国" in report.warnings[0].message
    # A warning lets the import proceed: two people, as the list says.
    assert report.new == 3
    assert sorted(Cadre.objects.filter(name="王建国").values_list("title", flat=True)) == ["区委副书记", "区长"]
    assert Cadre.objects.get(name="李志强").mobile == "13912345678"
    assert Enterprise.objects.get(uscc=USCC[0]).phone == "13800000001"


def test_the_preview_gives_the_same_warning_and_writes_nothing():
    preview = enterprise_import(data=fixture("namesakes.xlsx"), dry_run=True)
    assert _codes(preview.warnings) == [((3, 5), "cadre", "cadre_namesake")]
    assert (Cadre.objects.count(), Enterprise.objects.count()) == (0, 0)


def test_a_row_registering_a_namesake_of_a_registered_cadre_is_a_warning(cadre):
    # 王建国 (副局长) is registered; the list's 王建国 has another title and no mobile: a new person?
    report = _import(_row(0, "王建国", "区长"))
    assert report.ok, report.errors
    assert _codes(report.warnings) == [((2,), "cadre", "cadre_namesake_registered")]
    assert "副局长" in report.warnings[0].message
    assert Cadre.objects.filter(name="王建国").count() == 2


def test_namesakes_the_list_itself_registers_are_warned_of_once():
    report = _import(_row(0, "孙浩然", "区长"), _row(1, "孙浩然", "副区长"))
    assert _codes(report.warnings) == [((2, 3), "cadre", "cadre_namesake")]


def test_a_keyless_row_still_finds_its_cadre_by_name_and_title():
    keyed = factories.CadreFactory(name="孙浩然", title="区长", mobile="13912345678")
    report = _import(_row(0, "孙浩然", "区长"))
    assert report.ok and report.warnings == []
    assert Pairing.objects.get().cadre == keyed


# --- The model ---


def test_the_model_keeps_a_mobile_as_digits_and_one_cadre_per_mobile(cadre, other_cadre):
    cadre.mobile = "139 1234 5678"
    cadre.full_clean()
    assert cadre.mobile == "13912345678"
    cadre.save()
    other_cadre.mobile = "+8613912345678"
    with pytest.raises(ValidationError) as taken:
        other_cadre.full_clean()
    assert [e.code for e in taken.value.error_dict["__all__"]] == ["cadre_mobile_taken"]
    other_cadre.mobile = "8350000"
    with pytest.raises(ValidationError) as invalid:
        other_cadre.full_clean()
    assert [e.code for e in invalid.value.error_dict["mobile"]] == ["invalid_mobile"]


def test_the_admin_form_field_accepts_a_mobile_as_people_type_it():
    field = Cadre._meta.get_field("mobile").formfield()
    assert field.clean("１３９ 1234-5678") == "13912345678"
    assert "maxlength" not in field.widget.attrs


def test_cadres_without_a_mobile_do_not_collide(db):
    factories.CadreFactory(mobile="")
    factories.CadreFactory(mobile="")
    assert Cadre.objects.filter(mobile="").count() == 2


def test_a_new_cadres_account_takes_the_next_number_after_the_highest_one(django_user_model):
    for username in ("cadre-0007", "cadre-9999", "cadre-10000", "cadre-x12", "somebody"):
        django_user_model.objects.create_user(username)
    made = cadre_create(name="新干部", title="")
    assert made.user.username == "cadre-10001"  # by number, not by spelling: cadre-9999 < cadre-10000
