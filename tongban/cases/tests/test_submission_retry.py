"""A submission that a unique rule refuses with nothing open for the person and item (its random
reference taken, or the open application decided in between) is written afresh, not a 500."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from tongban.cases.models import Application, Transition
from tongban.cases.services import accepting
from tongban.cases.tests.test_send_back import decide, submit

pytestmark = pytest.mark.django_db


def test_a_taken_reference_is_drawn_again(staff, worker, monkeypatch):
    haikou = staff["hk_acceptor"]
    first = submit(haikou, worker, "unemployment_registration")
    decide(haikou, first)  # completed: nothing open for the person
    drawn = iter([first.reference, "TB20261126RETRY001"])
    monkeypatch.setattr(accepting, "new_reference", lambda prefix, on: next(drawn))

    claim = submit(haikou, worker, "unemployment_registration")

    assert claim.reference == "TB20261126RETRY001"
    assert claim.pk is not None and claim.status == "initial_review"
    assert Transition.objects.filter(application=claim).count() == 1
    assert Application.objects.filter(person=worker).count() == 2


def test_a_reference_taken_every_time_is_an_error_and_writes_nothing(staff, worker, monkeypatch):
    haikou = staff["hk_acceptor"]
    first = submit(haikou, worker, "unemployment_registration")
    decide(haikou, first)
    monkeypatch.setattr(accepting, "new_reference", lambda prefix, on: first.reference)

    with pytest.raises(IntegrityError, match="refused three times"):
        submit(haikou, worker, "unemployment_registration")

    assert Application.objects.filter(person=worker).count() == 1
