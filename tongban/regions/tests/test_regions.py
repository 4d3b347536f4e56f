import pytest
from django.contrib.auth import get_user_model

from tongban.core.errors import Conflict, InvalidInput
from tongban.core.testing import TEST_ACTOR
from tongban.regions.models import Fund, Office, Region
from tongban.regions.selectors import agency_for_region, region_for_code, staff_for_user
from tongban.regions.services import reference_data_load, staff_create

pytestmark = pytest.mark.django_db


def test_nineteen_regions_each_with_a_fund_and_an_agency():
    assert Region.objects.count() == 19
    assert Fund.objects.count() == 19
    for region in Region.objects.all():
        agency = agency_for_region(region_id=region.pk)
        assert agency.is_insurance_agency
        assert region.fund.code == f"UI-{region.code}"
    assert Office.objects.filter(region__code="460200", kind="service").count() == 4


def test_loading_reference_data_again_changes_nothing():
    before = list(Office.objects.order_by("code").values_list("code", "name_zh", "region_id"))
    assert reference_data_load(actor=TEST_ACTOR).created == 0
    assert (
        list(Office.objects.order_by("code").values_list("code", "name_zh", "region_id")) == before
    )


def test_region_codes_resolve_to_today_s_meaning():
    assert region_for_code(code="469030").name_zh == "琼中黎族苗族自治县"
    assert region_for_code(code="999999") is None


def test_staff_are_scoped_to_one_office_with_roles():
    member = staff_create(
        actor=TEST_ACTOR, username="sy1", office_code="sanya-agency", roles=["reviewer", "finance"],
        password="a-Long-pass-phrase-42",
    )  # fmt: skip
    info = staff_for_user(user=member.user)
    assert info.office.code == "sanya-agency"
    assert info.region.code == "460200"
    assert info.roles == {"reviewer", "finance"}
    assert member.user.password.startswith(("argon2", "md5"))  # tests swap in a fast hasher


def test_staff_refusals():
    with pytest.raises(InvalidInput):
        staff_create(
            actor=TEST_ACTOR, username="x", office_code="nowhere", roles=["acceptor"], password=None
        )
    with pytest.raises(InvalidInput):
        staff_create(
            actor=TEST_ACTOR,
            username="x",
            office_code="sanya-agency",
            roles=["boss"],
            password=None,
        )
    with pytest.raises(InvalidInput, match="too short"):
        staff_create(
            actor=TEST_ACTOR,
            username="x",
            office_code="sanya-agency",
            roles=["acceptor"],
            password="abc",
        )
    staff_create(
        actor=TEST_ACTOR,
        username="x",
        office_code="sanya-agency",
        roles=["acceptor"],
        password=None,
    )
    with pytest.raises(Conflict):
        staff_create(
            actor=TEST_ACTOR,
            username="x",
            office_code="sanya-agency",
            roles=["acceptor"],
            password=None,
        )
    assert get_user_model().objects.filter(username="x").count() == 1


def test_the_production_hasher_is_argon2():
    import tongban.settings as production  # the module, not the test-time override

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
