"""The finance pages: who may see which fund, what they show, and the Excel export."""

import io
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model

from tongban.core.models import AuditEvent
from tongban.core.testing import TEST_ACTOR
from tongban.ledger.models import JournalEntry
from tongban.ledger.tests import scenario
from tongban.regions.services import staff_create

pytestmark = pytest.mark.django_db
PAGES = [
    "/office/finance/",
    "/office/finance/trial-balance/",
    "/office/finance/income-expenditure/",
    "/office/finance/balance-sheet/",
    "/office/finance/coverage/",
]


def staff(username, office, *roles):
    return staff_create(
        actor=TEST_ACTOR, username=username, office_code=office, roles=list(roles),
        password="a-Long-pass-phrase-42",
    ).user  # fmt: skip


@pytest.fixture
def users():
    return {
        "claimant": get_user_model().objects.create_user(
            "claimant", password="a-Long-pass-phrase-42"
        ),
        "acceptor": staff("hk.acceptor", "haikou-longhua", "acceptor"),
        "reviewer": staff("hk.reviewer", "haikou-agency", "reviewer"),
        "finance": staff("hk.finance", "haikou-agency", "finance"),
        "supervisor": staff("hk.supervisor", "haikou-agency", "supervisor"),
        "sanya_finance": staff("sy.finance", "sanya-agency", "finance"),
        "admin": staff("province.admin", "haikou-agency", "admin"),
    }


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_people_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# who, asking for which region → status
MATRIX = [
    ("claimant", None, 403),
    ("acceptor", None, 403),
    ("reviewer", None, 403),
    ("finance", None, 200),
    ("finance", "460100", 200),
    ("finance", "460200", 403),
    ("finance", "all", 403),
    ("supervisor", None, 200),
    ("supervisor", "460200", 403),
    ("sanya_finance", None, 200),
    ("sanya_finance", "460100", 403),
    ("admin", "460200", 200),
    ("admin", "all", 200),
    ("admin", "999999", 403),
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(("who", "region", "status"), MATRIX)
def test_the_permission_matrix(client, users, url, who, region, status):
    scenario.build()
    entries, audits = JournalEntry.objects.count(), AuditEvent.objects.count()
    client.force_login(users[who])
    response = client.get(url, {"region": region} if region else {})
    assert response.status_code == status
    if status == 403:
        assert "只对财务和监督人员开放" in response.content.decode()
    # Reading the books changes nothing.
    assert (JournalEntry.objects.count(), AuditEvent.objects.count()) == (entries, audits)


def test_a_finance_user_sees_their_fund_s_figures_in_chinese(client, users):
    scenario.build()
    client.force_login(users["finance"])
    page = client.get("/office/finance/trial-balance/", {"as_of": "2026-05-31"}).content.decode()
    assert "试算平衡表" in page and "海口市" in page
    assert "失业保险金" in page and "24,000.00" in page  # 500101: 2,400,000 fen
    assert "借贷平衡" in page
    page = client.get(
        "/office/finance/income-expenditure/", {"from": "2026-03", "to": "2026-04"}
    ).content.decode()
    assert "6,000.00" in page and "4,600.00" in page  # income 600,000 fen; expenditure 460,000
    page = client.get("/office/finance/balance-sheet/", {"as_of": "2026-05-31"}).content.decode()
    assert "112,400.00" in page  # the fund balance, 11,240,000 fen
    with time_machine.travel(date(2026, 5, 31)):
        page = client.get("/office/finance/").content.decode()
    assert "48.9" in page and "<svg" in page and "<polyline" in page


def test_the_province_view_lists_every_fund(client, users):
    scenario.build()
    client.force_login(users["admin"])
    page = client.get("/office/finance/coverage/", {"region": "all", "as_of": "2026-05-31"})
    text = page.content.decode()
    assert "三亚市" in text and "琼中黎族苗族自治县" in text and "78.0" in text


@pytest.mark.parametrize("url", PAGES)
def test_every_table_downloads_as_excel(client, users, url):
    from openpyxl import load_workbook

    scenario.build()
    client.force_login(users["finance"])
    response = client.get(url, {"format": "xlsx", "as_of": "2026-05-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row > 3
    assert "海口市" in str(sheet["A1"].value)


def test_the_excel_trial_balance_carries_the_amounts_as_numbers(client, users):
    from openpyxl import load_workbook

    scenario.build()
    client.force_login(users["finance"])
    response = client.get(
        "/office/finance/trial-balance/", {"format": "xlsx", "as_of": "2026-05-31"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert float(rows["500101"][2]) == 24000.00


def test_a_malformed_date_is_a_400_with_a_message(client, users):
    client.force_login(users["finance"])
    response = client.get("/office/finance/trial-balance/", {"as_of": "31/05/2026"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()
    response = client.get("/office/finance/income-expenditure/", {"from": "2026-13"})
    assert response.status_code == 400


def test_the_pages_take_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    scenario.build()
    client.force_login(users["admin"])
    with django_assert_max_num_queries(14):
        client.get("/office/finance/coverage/", {"region": "all"})
    with django_assert_max_num_queries(14):
        client.get("/office/finance/", {"region": "all"})


def test_the_workbench_links_finance_staff_to_the_books(client, users):
    client.force_login(users["finance"])
    assert "/office/finance/" in client.get("/office/").content.decode()
    client.force_login(users["acceptor"])
    assert "/office/finance/" not in client.get("/office/").content.decode()
