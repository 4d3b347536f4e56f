import pytest
from django.contrib.auth import get_user_model

from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create

pytestmark = pytest.mark.django_db


def test_the_portal_speaks_chinese_by_default_and_english_when_chosen(client):
    page = client.get("/").content.decode()
    assert "全省通办，只需身份证" in page
    assert "失业保险金申领" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Served anywhere in the province" in page
    assert "Unemployment insurance benefit" in page


def test_the_office_needs_a_login_and_returns_to_it_after(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/office/"
    staff_create(
        actor=TEST_ACTOR, username="sy", office_code="sanya-agency", roles=["reviewer"],
        password="a-Long-pass-phrase-42", full_name="林 海",
    )  # fmt: skip
    response = client.post(
        "/accounts/login/?next=/office/",
        {"username": "sy", "password": "a-Long-pass-phrase-42", "next": "/office/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    page = client.get("/office/").content.decode()
    assert "三亚市社会保险服务中心" in page
    assert "UI-460200" in page
    assert "reviewer" in page


def test_a_wrong_password_shows_an_error_and_keeps_the_username(client):
    page = client.post("/accounts/login/", {"username": "nobody", "password": "x"}).content.decode()
    assert 'value="nobody"' in page
    assert 'role="alert"' in page


def test_a_user_without_an_office_is_told_so(client):
    user = get_user_model().objects.create_user("lonely", password="a-Long-pass-phrase-42")
    client.force_login(user)
    response = client.get("/office/")
    assert response.status_code == 403
    assert "未归属任何经办机构" in response.content.decode()
