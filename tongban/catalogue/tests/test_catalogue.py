import pytest

from tongban.catalogue.models import CatalogueVersion
from tongban.catalogue.selectors import catalogue_current, catalogue_forget, item_get, items_list
from tongban.catalogue.services import CatalogueFileError, _data_file, catalogue_load
from tongban.core.errors import NotFound
from tongban.core.testing import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_the_catalogue():
    """A version loaded here is rolled back with the test; its cached definition must go too,
    or later tests in the same process read a catalogue the database no longer has."""
    yield
    catalogue_forget()


def test_the_catalogue_has_the_twelve_items_of_policy():
    items = items_list()
    assert [i.number for i in items] == list(range(1, 13))
    paying = {i.code for i in items if i.pays_money}
    assert paying == {
        "ui_benefit", "unemployment_subsidy", "skill_subsidy", "funeral_survivor",
        "training_subsidy", "rural_worker_allowance",
    }  # fmt: skip


def test_every_item_asks_only_for_the_id_card_and_has_checklists():
    for item in items_list():
        assert [m.zh for m in item.materials] in ([], ["居民身份证或社会保障卡"])
        assert item.initial_review, item.code
        if item.pays_money:
            assert item.re_review, item.code
    assert item_get("ui_benefit").time_limit_working_days == 10
    assert item_get("ui_transfer").channels == ("automatic",)


def test_the_unemployment_bundle():
    bundle = catalogue_current().bundles["unemployment"]
    assert bundle.items == ("unemployment_registration", "ui_benefit", "ui_transfer")


def test_unknown_items_are_not_found():
    with pytest.raises(NotFound):
        item_get("free_money")


def test_loading_the_same_file_again_makes_no_new_version():
    before = CatalogueVersion.objects.count()
    result = catalogue_load(actor=TEST_ACTOR)
    assert not result.created
    assert CatalogueVersion.objects.count() == before


def test_a_changed_file_becomes_a_new_version_that_decisions_can_name():
    text = _data_file("items.yaml").replace(
        "time_limit_working_days: 5", "time_limit_working_days: 3"
    )
    old = catalogue_current().version
    result = catalogue_load(actor=TEST_ACTOR, source=text)
    assert result.created
    assert result.version == old + 1
    assert item_get("employment_certificate").time_limit_working_days == 3
    assert item_get("employment_certificate").catalogue_version == old + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("initial_review: [identity]\n", "initial_review: [nonsense]\n"),
            "unknown initial_review",
        ),
        (("channels: [automatic]\n", "channels: [carrier_pigeon]\n"), "unknown channels"),
        (("code: ui_certificate", "code: ui_benefit"), "not unique"),
    ],
)
def test_an_invalid_catalogue_file_is_refused(change, message):
    old, new = change
    text = _data_file("items.yaml").replace(old, new, 1)
    with pytest.raises(CatalogueFileError, match=message):
        catalogue_load(actor=TEST_ACTOR, source=text)
