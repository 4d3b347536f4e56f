"""Granting: the entitlement an approved decision creates, and the second one refused."""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement
from tongban.benefits.services import entitlement_create
from tongban.benefits.tests.factories import entitlement
from tongban.core.errors import Conflict
from tongban.core.models import AuditEvent, OutboxMessage
from tongban.core.testing import TEST_ACTOR
from tongban.core.transactions import unit_of_work
from tongban.regions.models import Region
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def grant(person, reference: str) -> Entitlement:
    return entitlement_create(
        actor=TEST_ACTOR, person_id=person.pk, item_code="ui_benefit",
        application_reference=reference,
        paying_region_id=Region.objects.get(code="460200").pk,
        determined_on=date(2026, 11, 26), start_month=date(2026, 11, 1), months=18,
        monthly_amount_fen=164700, medical_premium_fen=22000, amount_fen=None,
        contribution_months_used=82, explanation={"inputs": {}},
        parameter_set_version="test", catalogue_version=1, office_code="sanya-agency",
    )  # fmt: skip


def test_a_second_running_ui_benefit_is_refused_and_nothing_of_it_is_written():
    person = PersonFactory()
    running = entitlement(person)  # e.g. granted by a re-review that committed a moment before
    audit, outbox = AuditEvent.objects.count(), OutboxMessage.objects.count()

    with unit_of_work(), pytest.raises(Conflict) as refused:
        grant(person, "TB20261126SECOND01")

    assert refused.value.code == "entitlement_exists"
    assert list(Entitlement.objects.filter(person=person)) == [running]
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count()) == (audit, outbox)


def test_the_grant_goes_on_in_the_same_transaction_after_a_refusal():
    """No savepoint is needed: the refused insert leaves the transaction usable."""
    person, other = PersonFactory(), PersonFactory()
    entitlement(person)

    with unit_of_work():
        with pytest.raises(Conflict):
            grant(person, "TB20261126SECOND02")
        granted = grant(other, "TB20261126OTHER001")

    assert Entitlement.objects.get(application_reference="TB20261126OTHER001") == granted
    assert AuditEvent.objects.filter(subject_id=str(granted.pk)).exists()


def test_a_second_entitlement_of_the_same_application_is_refused_and_named():
    person = PersonFactory()
    with unit_of_work():
        grant(person, "TB20261126TWICE001")
    running = Entitlement.objects.get(application_reference="TB20261126TWICE001")
    running.status = "ended"
    running.save(update_fields=["status"])  # not running: only the application's rule speaks

    with unit_of_work(), pytest.raises(Conflict, match="TB20261126TWICE001 already has"):
        grant(person, "TB20261126TWICE001")
