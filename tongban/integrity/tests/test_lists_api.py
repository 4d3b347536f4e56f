"""Findings per region, their counts for supervision, and transfers: who sees which list."""

from datetime import date

import pytest

from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.integrity.selectors import finding_counts, findings_of_region
from tongban.integrity.tests.conftest import make_recipient
from tongban.integrity.tests.helpers import decide, hire

pytestmark = pytest.mark.django_db


def test_a_region_lists_the_findings_it_decides(apis, tmp_path):
    sanya, _ = make_recipient()
    haikou, _ = make_recipient(region_code="460100")
    hire(sanya, "469002", on="2026-11-20")
    path = tmp_path / "deaths.csv"
    path.write_text(f"id_number,date\n{haikou.id_number},2026-11-12\n")
    import_file(kind="deaths", path=path, actor=TEST_ACTOR, as_of=date(2026, 11, 26))

    assert [f.source for f in findings_of_region(region_code="460200")] == ["hire"]
    assert [f.source for f in findings_of_region(region_code="460100")] == ["death"]
    listed = apis["sy_reviewer"].get("/findings").json()
    assert [(f["source"], f["status"], f["paying_region"]) for f in listed] == [
        ("hire", "open", "460200")
    ]
    assert "*" in listed[0]["id_number"]
    one = apis["sy_reviewer"].get(f"/findings/{listed[0]['reference']}").json()
    assert one["evidence"]["employer_uscc"]
    # Another region's list is for supervisors only; a finding of another region is not found.
    assert apis["sy_reviewer"].get("/findings", region="460100").status_code == 403
    assert apis["hk_reviewer"].get(f"/findings/{listed[0]['reference']}").status_code == 404
    assert len(apis["sy_supervisor"].get("/findings", region="460100").json()) == 1
    assert apis["channel"].get("/findings").status_code == 403

    decide(apis["sy_reviewer"], listed[0]["task_id"], "reject", ["not a job"])
    counts = {c.region_code: c for c in finding_counts(as_of=date(2026, 11, 26))}
    assert (counts["460200"].lifted, counts["460200"].open, counts["460100"].open) == (1, 0, 1)
    assert counts["460100"].by_source == {"death": 1}
    assert apis["sy_reviewer"].get("/findings/counts").status_code == 403
    body = apis["sy_supervisor"].get("/findings/counts").json()
    assert {c["region_code"]: c["total"] for c in body} == {"460100": 1, "460200": 1}


def test_both_regions_list_a_transfer(apis, worker):
    hire(worker, "460100", on="2026-11-20")
    out = apis["sy_reviewer"].get("/transfers").json()
    into = apis["hk_reviewer"].get("/transfers").json()
    assert out == into and len(out) == 1
    assert (out[0]["from_region"], out[0]["to_region"], out[0]["kind"]) == (
        "460200", "460100", "new_spell",
    )  # fmt: skip
    assert out[0]["application"] and "*" in out[0]["id_number"]
    assert apis["dz_caseworker"].get("/transfers").json() == []


def test_long_lists_are_cut_and_say_how_many_match(apis, worker):
    """GET /findings and /transfers answer at most `limit` rows; X-Total-Count tells the rest."""
    for _ in range(3):
        recipient, _ = make_recipient()
        hire(recipient, "469002", on="2026-11-20")
    hire(worker, "460100", on="2026-11-20")

    whole = apis["sy_reviewer"].get("/findings")
    assert (len(whole.json()), whole.headers["X-Total-Count"]) == (3, "3")
    cut = apis["sy_reviewer"].get("/findings", limit=2)
    assert (len(cut.json()), cut.headers["X-Total-Count"]) == (2, "3")
    assert cut.json() == whole.json()[:2]  # newest first, the same order cut
    transfers = apis["sy_reviewer"].get("/transfers", limit=1)
    assert len(transfers.json()) == 1
    assert int(transfers.headers["X-Total-Count"]) == len(
        apis["sy_reviewer"].get("/transfers").json()
    )
    for path, limit in (("/findings", 0), ("/transfers", 501)):
        refused = apis["sy_reviewer"].get(path, limit=limit)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "limit"
