"""Transfers in the workbench: both regions list the same transfer, each in its direction."""

from datetime import date

import pytest

from tongban.cases.tests.conftest import frozen_time, staff, worker  # noqa: F401
from tongban.core.testing import TEST_ACTOR
from tongban.integrity.tests.conftest import make_recipient
from tongban.integrity.tests.helpers import hire, run
from tongban.transfers.models import Transfer
from tongban.transfers.services import person_residence_move
from tongban.web.tests.test_findings_pages import page_of

pytestmark = pytest.mark.django_db


def test_both_regions_list_a_new_spell_transfer(staff, worker):  # noqa: F811 - fixtures
    hire(worker, "460100", on="2026-11-20")  # a Haikou job for a Sanya-insured person
    transfer = Transfer.objects.get(person=worker)

    sanya = page_of(staff["sy_reviewer"]).get("/office/transfers/").content.decode()
    assert transfer.reference in sanya and "转出至海口市" in sanya and "在该地区新参保" in sanya
    assert worker.id_number not in sanya  # masked
    haikou = page_of(staff["hk_acceptor"]).get("/office/transfers/").content.decode()
    assert transfer.reference in haikou and "从三亚市转入" in haikou
    danzhou = page_of(staff["dz_caseworker"]).get("/office/transfers/").content.decode()
    assert transfer.reference not in danzhou and "尚无转入或转出本基金的关系转移" in danzhou


def test_a_benefit_that_follows_its_recipient_shows_what_moved(staff):  # noqa: F811
    person, _ = make_recipient()
    run("460200", date(2026, 11, 1), date(2026, 11, 25))
    moved = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=date(2026, 11, 26)
    )
    client = page_of(staff["hk_reviewer"])
    client.cookies["django_language"] = "en"
    page = client.get("/office/transfers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert moved.transfer.reference in page and "in from Sanya" in page
    assert "the recipient moved home; the benefit follows" in page
    assert "2026-12" in page and ">17<" in page  # the new fund pays the 17 months left
