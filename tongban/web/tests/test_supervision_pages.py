"""The supervision pages: who sees what (a matrix), clear refusals that show nothing, the audit of
every view, Excel downloads, Chinese by default and English when chosen, a fixed query count."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tongban.core.models import AuditEvent
from tongban.supervision.tests.scenario import caseworker
from tongban.supervision.tests.test_figures import november, people

__all__ = ["november", "people"]
pytestmark = pytest.mark.django_db
NOVEMBER = "from=2026-11-01&to=2026-11-26"
PAGES = ["", "volumes/", "matrix/", "time/", "outcomes/", "payments/", "funds/", "anomalies/"]
# username, office, roles
SUPERVISION_STAFF = {
    "province": ("hainan-province", ["supervisor"]),
    "sanya_supervisor": ("sanya-agency", ["supervisor"]),
    "longhua_head": ("haikou-longhua", ["head"]),
    "sanya_finance": ("sanya-agency", ["finance"]),
}


@pytest.fixture
def browsers(db):
    clients = {"anonymous": Client()}
    for username, (office, roles) in SUPERVISION_STAFF.items():
        caseworker(username, office, roles)
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    return clients


def page(client, path="", query=NOVEMBER):
    return client.get(f"/office/supervision/{path}?{query}")


@pytest.mark.parametrize("path", PAGES)
def test_the_provincial_supervisor_sees_every_page(browsers, november, path):
    response = page(browsers["province"], path)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "全省" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "path", "query", "status"),
    [
        ("anonymous", "", NOVEMBER, 302),
        ("sanya_finance", "", NOVEMBER, 403),
        ("sanya_supervisor", "", NOVEMBER, 200),  # their own region by default
        ("sanya_supervisor", "", f"{NOVEMBER}&insured=460200", 200),
        ("sanya_supervisor", "", f"{NOVEMBER}&view=office:sanya-jiyang", 200),
        ("sanya_supervisor", "", f"{NOVEMBER}&region=460100", 403),
        ("sanya_supervisor", "", f"{NOVEMBER}&view=province", 403),
        ("sanya_supervisor", "funds/", NOVEMBER, 200),
        ("sanya_supervisor", "anomalies/", NOVEMBER, 200),
        ("longhua_head", "", NOVEMBER, 200),
        ("longhua_head", "time/", NOVEMBER, 200),
        ("longhua_head", "", f"{NOVEMBER}&office=haikou-meilan", 403),
        ("longhua_head", "funds/", NOVEMBER, 400),
        ("longhua_head", "anomalies/", NOVEMBER, 400),
    ],
)
def test_who_sees_what(browsers, november, who, path, query, status):
    response = page(browsers[who], path, query)
    assert response.status_code == status, response.content.decode()[:2000]
    if status in (400, 403):
        text = response.content.decode()
        assert 'role="alert"' in text
        assert "fig-applications" not in text and "table-" not in text  # nothing leaks
        refused = AuditEvent.objects.get(event_type="supervision_refused")
        assert refused.subject_id.startswith("web:")


def test_a_regional_view_shows_its_own_figures_only(browsers, november):
    text = page(browsers["sanya_supervisor"]).content.decode()
    assert "三亚市受理" in text
    assert 'id="fig-applications">1<' in text  # P5's claim, accepted in Sanya
    insured = page(browsers["sanya_supervisor"], "", f"{NOVEMBER}&insured=460200").content
    assert 'id="fig-applications">7<' in insured.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "2026-11-26"),  # the date example of an unreadable date
        ("from=2026-11-20&to=2026-11-01", "统计期间的开始日期晚于结束日期"),
        ("to=2026-12-01", "统计期间的结束日期晚于今天"),
        ("from=2020-01-01&to=2020-02-01", "全省通办开始之日"),
        ("region=469099", "没有该代码的统筹区"),
        ("view=nowhere:x", "view"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_no_figures(browsers, query, message):
    response = page(browsers["province"], "", query)
    assert response.status_code == 422
    text = response.content.decode()
    assert message in text and "fig-applications" not in text


def test_every_view_is_audited_with_what_was_asked(browsers, november):
    page(browsers["province"], "time/", f"{NOVEMBER}&region=460200")
    viewed = AuditEvent.objects.get(event_type="supervision_viewed")
    assert viewed.subject_id == "web:time"
    assert viewed.data["query"] == {"from": "2026-11-01", "to": "2026-11-26", "region": "460200"}
    assert viewed.actor_label == "staff:province" and viewed.office_code == "hainan-province"


def test_every_table_downloads_as_excel(browsers, november):
    from openpyxl import load_workbook

    for path in PAGES:
        response = page(browsers["province"], path, f"{NOVEMBER}&format=xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), path
    response = page(browsers["province"], "", f"{NOVEMBER}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    total = next(r for r in rows if r and r[0] == "合计")
    assert total[1:5] == [11, 9, 1, 1]  # applications, granted, rejected, open
    claims = next(r for r in rows if r and r[0] == "失业保险金申领")
    assert claims[-2] == pytest.approx(0.75)  # online share: P2, P4, P5 of four claims


def test_english_when_chosen(browsers, november):
    client = browsers["province"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/office/supervision/"})
    text = page(client).content.decode()
    assert "Online share" in text and "The province" in text and "全省" not in text


def test_the_overview_reads_a_fixed_number_of_rows(
    browsers, november, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        assert page(browsers["province"]).status_code == 200


def test_evidence_pages_are_scoped_and_audited(browsers, november):
    claim = november["one"]["ui_benefit"]  # accepted in Haikou, insured in Sanya
    assert (
        browsers["province"].get(f"/office/supervision/cases/{claim.reference}/").status_code == 200
    )
    sanya = browsers["sanya_supervisor"].get(f"/office/supervision/cases/{claim.reference}/")
    assert sanya.status_code == 200  # insured in Sanya: its fund pays
    certificate = november["six"]  # Haikou only
    refused = browsers["sanya_supervisor"].get(
        f"/office/supervision/cases/{certificate.reference}/"
    )
    assert refused.status_code == 404 and certificate.person.name not in refused.content.decode()
    text = sanya.content.decode()
    assert claim.person.id_number not in text  # masked
    assert (
        AuditEvent.objects.filter(event_type="supervision_viewed", subject_id="web:case").count()
        == 2
    )


def test_the_provincial_centre_sees_every_fund_in_the_books(browsers):
    assert browsers["province"].get("/office/finance/").status_code == 200  # the province
    assert browsers["province"].get("/office/finance/?region=460300").status_code == 200
    assert browsers["sanya_supervisor"].get("/office/finance/?region=all").status_code == 403
