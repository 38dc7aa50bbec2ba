import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from organisation.models import Pairing
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory

pytestmark = pytest.mark.django_db


def test_a_second_active_pairing_for_a_cadre_is_refused_by_the_database(cadre):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cadre=cadre, enterprise=EnterpriseFactory(), started_on=datetime.date(2026, 9, 1))


def test_a_second_active_pairing_for_an_enterprise_is_refused_by_the_database(cadre, enterprise):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cadre=CadreFactory(), enterprise=enterprise, started_on=datetime.date(2026, 9, 1))


def test_a_re_pairing_after_the_old_one_ended_is_allowed_and_keeps_history(cadre, enterprise):
    old = cadre.pairings.get()
    old.ended_on = datetime.date(2026, 9, 30)
    old.save()
    newcomer = CadreFactory()
    PairingFactory(cadre=newcomer, enterprise=enterprise, started_on=datetime.date(2026, 10, 1))
    PairingFactory(cadre=cadre, started_on=datetime.date(2026, 10, 1))
    assert enterprise.pairings.count() == 2
    assert Pairing.objects.active().filter(enterprise=enterprise).get().cadre == newcomer
    assert Pairing.objects.current_for(cadre.user).enterprise != enterprise


def test_a_pairing_cannot_end_before_it_started(cadre):
    pairing = cadre.pairings.get()
    pairing.ended_on = pairing.started_on - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        pairing.save()


def test_model_validation_reports_the_one_to_one_rule_with_its_code(cadre, enterprise):
    another_for_the_cadre = Pairing(cadre=cadre, enterprise=EnterpriseFactory(), started_on=datetime.date(2026, 9, 1))
    another_for_the_enterprise = Pairing(
        cadre=CadreFactory(), enterprise=enterprise, started_on=datetime.date(2026, 9, 1)
    )
    for pairing, code in (
        (another_for_the_cadre, "cadre_already_paired"),
        (another_for_the_enterprise, "enterprise_already_paired"),
    ):
        with pytest.raises(ValidationError) as exc:
            pairing.full_clean()
        codes = {name: [e.code for e in errors] for name, errors in exc.value.error_dict.items()}
        assert codes == {NON_FIELD_ERRORS: [code]}
        assert exc.value.messages  # the words the admin shows
