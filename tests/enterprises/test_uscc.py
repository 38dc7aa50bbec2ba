import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from enterprises.models import Enterprise, Kind
from enterprises.uscc import check_character, normalize_uscc, validate_uscc
from tests.factories import EnterpriseFactory

# Two codes published with their check characters: the standard's own example and a listed company's.
VALID = ["91350100M000100Y43", "914403001922038216"]


@pytest.mark.parametrize("code", VALID)
def test_it_accepts_valid_codes(code):
    validate_uscc(code)
    assert check_character(code[:17]) == code[17]


def test_it_refuses_a_wrong_check_character():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.code == "uscc_check"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_it_refuses_the_wrong_length(code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_length"


def test_it_refuses_letters_the_standard_leaves_out():
    # I, O, Z, S and V are not in the standard's alphabet.
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100O43")
    assert exc.value.code == "uscc_charset"


def test_normalise_upper_cases_and_trims_full_width():
    assert normalize_uscc("　９１３５０１００m000100y43 ") == "91350100M000100Y43"


@pytest.mark.django_db
def test_a_lower_case_code_is_stored_upper_case():
    e = EnterpriseFactory(uscc="91350100m000100y43")
    e.refresh_from_db()
    assert e.uscc == "91350100M000100Y43"


@pytest.mark.django_db
def test_full_clean_accepts_lower_case_and_refuses_a_bad_code():
    e = EnterpriseFactory.build(uscc="91350100m000100y43")
    e.full_clean()
    assert e.uscc == "91350100M000100Y43"
    bad = EnterpriseFactory.build(uscc="91350100M000100Y44")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert [e.code for e in exc.value.error_dict["uscc"]] == ["uscc_check"]


@pytest.mark.django_db
def test_full_clean_refuses_an_enterprise_without_a_code_and_accepts_a_project():
    with pytest.raises(ValidationError) as exc:
        EnterpriseFactory.build(uscc=None).full_clean()
    assert [e.code for e in exc.value.error_dict["uscc"]] == ["uscc_required"]
    EnterpriseFactory.build(uscc=None, kind=Kind.PROJECT).full_clean()


@pytest.mark.django_db
def test_the_database_refuses_an_enterprise_without_a_code():
    with pytest.raises(IntegrityError):
        Enterprise.objects.create(name="无代码企业", kind=Kind.ENTERPRISE, origin="city", sector="industry")


@pytest.mark.django_db
def test_a_project_may_have_no_code_and_blank_is_stored_as_null():
    a = EnterpriseFactory(kind=Kind.PROJECT, uscc="")
    b = EnterpriseFactory(kind=Kind.PROJECT, uscc=None)
    assert a.uscc is None and b.uscc is None


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_code():
    EnterpriseFactory(uscc=VALID[0])
    with pytest.raises(IntegrityError):
        EnterpriseFactory(uscc=VALID[0].lower())


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_sector():
    with pytest.raises(IntegrityError):
        EnterpriseFactory(sector="mining")
