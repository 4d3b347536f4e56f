"""``core.instances``: rows made as the ORM makes them. Every model and every prepared read is
compared with the ORM's own in ``cases/tests/test_prepared_reads.py``; here, what is refused."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_init, pre_init

from tongban.core.instances import attach, loaded, new
from tongban.regions.models import Office, Region

pytestmark = pytest.mark.django_db


def test_a_row_attached_to_a_foreign_key_that_names_another_is_refused():
    haikou, sanya = Region.objects.get(code="460100"), Region.objects.get(code="460200")
    office = Office.objects.filter(region=haikou).first()
    assert office is not None
    with pytest.raises(ValueError, match="region_id is not the id of the region attached"):
        attach(office, "region", sanya)
    attach(office, "region", haikou)
    assert office.region is haikou  # kept, as select_related keeps it: no query


def test_only_a_foreign_key_of_the_model_itself_takes_a_row():
    office = loaded(Office, "default", ["id", "code"], [1, "x"])
    with pytest.raises(TypeError, match="not a foreign key"):
        attach(office, "code", None)


@pytest.mark.parametrize("signal", [pre_init, post_init], ids=["pre_init", "post_init"])
def test_a_model_with_an_init_receiver_is_made_by_its_init(signal):
    """Rows are made without ``Model.__init__`` only while no receiver would hear of it."""
    heard = []

    def receiver(sender, **kwargs):
        heard.append(sender)

    signal.connect(receiver, sender=Region)
    try:
        loaded(Region, "default", ["id", "code"], [1, "460100"])
        new(Region, code="469999", slug="test", name_zh="测", name_en="Test")
        loaded(Office, "default", ["id", "code"], [1, "x"])  # no receiver for offices
    finally:
        signal.disconnect(receiver, sender=Region)
    assert heard == [Region, Region]
    loaded(Region, "default", ["id", "code"], [1, "460100"])
    assert heard == [Region, Region]
