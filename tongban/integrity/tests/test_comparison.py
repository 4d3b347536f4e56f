"""National comparison files: matched on the ID number; findings, suspension, review; idempotent.

Every test runs on SQLite (the generic path) and on PostgreSQL, where ``fast`` chooses between
the file-level COPY path and the generic one: both must give the same summary and findings.
"""

from datetime import date

import pytest
from django.db import connection

from tongban.cases.models import Application, Task
from tongban.core.imports import import_file
from tongban.core.models import RecordedNotice
from tongban.core.outbox import outbox_deliver
from tongban.core.testing import TEST_ACTOR
from tongban.integrity import comparison
from tongban.integrity.models import Finding
from tongban.integrity.tests.conftest import make_recipient
from tongban.integrity.tests.helpers import decide, hire
from tongban.registry.tests.factories import PersonFactory, citizen_id

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)


@pytest.fixture(params=["fast", "generic"])
def path_kind(request, monkeypatch):
    if request.param == "fast" and connection.vendor != "postgresql":
        pytest.skip("the file-level path is PostgreSQL's")
    if request.param == "generic":
        monkeypatch.setattr(comparison.ComparisonKind, "load_file", lambda self, **kw: None)
        yield request.param
        return
    results = []
    original = comparison._FastPath.run

    def spy(self, body, actor):
        results.append(original(self, body, actor))
        return results[-1]

    monkeypatch.setattr(comparison._FastPath, "run", spy)
    yield request.param
    assert results and all(r is not None for r in results), "the fast path fell back"


def load(tmp_path, kind, text, as_of=AS_OF):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(kind=kind, path=path, actor=TEST_ACTOR, as_of=as_of)


def one_digit_changed(number):
    digit = str((int(number[10]) + 1) % 10)
    return number[:10] + digit + number[11:]


def test_a_deaths_file_finds_the_recipient_and_only_the_recipient(path_kind, tmp_path, apis):
    person, claim = make_recipient()
    bystander = PersonFactory()  # known, receives nothing
    stranger = citizen_id("110105", date(1970, 5, 5))  # valid, unknown here
    twin = PersonFactory(name=person.name, birth=person.birth_date)  # same name and birth date
    text = (
        "id_number,date\n"
        f"{stranger},2026-10-02\n"  # line 2: unknown → ignored
        "ABC,2026-10-02\n"  # line 3: malformed ID
        f"{person.id_number.lower()},2026-11-15\n"  # line 4: lowercase x/normal → the match
        "\n"  # a blank line is not a row
        f"{bystander.id_number},2026-08-01\n"  # line 6: known, nothing to do
        f"{one_digit_changed(person.id_number)},2026-11-15\n"  # line 7: nobody here → ignored
        f"{stranger},2026-02-30\n"  # line 8: not a date
        f"{stranger},2027-01-01\n"  # line 9: in the future
        f"{stranger}\n"  # line 10: one value for two columns
        f"  {bystander.id_number} ,2026-08-02\n"  # line 11: spaces are trimmed
    )
    summary = load(tmp_path, "deaths", text)

    assert (summary.rows, summary.accepted, summary.changed, summary.ignored) == (9, 5, 1, 2)
    assert [(e.row, e.field, e.code) for e in summary.rejected] == [
        (3, "id_number", "format"),
        (8, "date", "date"),
        (9, "date", "future_date"),
        (10, "row", "columns"),
    ]
    finding = Finding.objects.get()
    assert (finding.person, finding.source, finding.stop_kind) == (person, "death", "death")
    assert finding.evidence["line"] == 4 and finding.evidence["kind"] == "deaths"
    assert finding.evidence["sha256"] == summary.file_sha256
    assert not Finding.objects.filter(person__in=[bystander, twin]).exists()
    claim.refresh_from_db()
    assert claim.status == "suspended"
    # Loading the same file again adds nothing.
    again = load(tmp_path, "deaths", text)
    assert again.changed == 0 and Finding.objects.count() == 1


def test_a_confirmed_death_ends_the_benefit_and_invites_the_family(tmp_path, apis):
    person, claim = make_recipient()
    load(tmp_path, "deaths", f"id_number,date\n{person.id_number},2026-11-15\n")
    finding = Finding.objects.get()

    response = decide(apis["sy_reviewer"], finding.task_id, "approve", ["死亡证明已核实"])

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason) == ("ended", "death")
    finding.refresh_from_db()
    family = Task.objects.get(pk=finding.family_task_id)
    assert (family.stage, family.office.code, family.is_open) == (
        "family_invitation", "sanya-agency", True,
    )  # fmt: skip
    listed = {t["stage"] for t in apis["sy_reviewer"].get("/tasks").json()}
    assert "family_invitation" not in listed  # the contract's stages only, unless asked for
    invited = apis["sy_reviewer"].get("/tasks?stage=family_invitation").json()
    assert [t["reference"] for t in invited] == [finding.reference]
    outbox_deliver()
    invitation = RecordedNotice.objects.get(template="funeral_survivor_invitation")
    assert invitation.recipient == "family" and "丧葬补助金" in invitation.text_zh
    closed = apis["sy_acceptor"].post(
        f"/tasks/{family.pk}/decision", {"outcome": "approve", "reasons": ["家属已联系"]}
    )
    assert closed.status_code == 403  # not the agency's task
    closed = apis["sy_reviewer"].post(
        f"/tasks/{family.pk}/decision", {"outcome": "approve", "reasons": ["家属已联系"]}
    )
    assert closed.status_code == 200, closed.content
    family.refresh_from_db()
    assert not family.is_open


def test_pension_and_imprisonment_records(path_kind, tmp_path):
    pensioner, _pension_claim = make_recipient()
    prisoner, _prison_claim = make_recipient()
    old_case, old_claim = make_recipient()
    load(tmp_path, "pension_starts", f"id_number,date\n{pensioner.id_number},2026-06-01\n")
    load(
        tmp_path,
        "imprisonments",
        f"id_number,start_date\n{prisoner.id_number},2026-11-03\n{old_case.id_number},2019-03-01\n",
    )
    pension = Finding.objects.get(person=pensioner)
    # A pension started before the benefit: suspended from the benefit's first month.
    assert (pension.event_date, pension.stop_kind) == (date(2026, 11, 1), "pension_start")
    prison = Finding.objects.get(person=prisoner)
    assert (prison.event_date, prison.source) == (date(2026, 11, 3), "imprisonment")
    assert not Finding.objects.filter(person=old_case).exists()  # long before the benefit
    old_claim.refresh_from_db()
    assert old_claim.status == "active"


def test_new_hires_across_the_country_and_the_same_job_twice(path_kind, tmp_path):
    person, _claim = make_recipient()
    other, _ = make_recipient()
    hire(person, "460100", on="2026-11-20")  # reported here by the employer first
    summary = load(
        tmp_path,
        "new_hires",
        "id_number,employer_name,province_code,start_date\n"
        f"{person.id_number},海口某公司,460000,2026-11-20\n"  # the same job: nothing new
        f'{other.id_number},"深圳某科技有限公司",440000,2026-11-10\n'
        f"{other.id_number},某公司,99,2026-11-10\n",
    )
    assert [(e.row, e.code) for e in summary.rejected] == [(4, "province_code")]
    assert Finding.objects.filter(person=person).count() == 1
    found = Finding.objects.get(person=other)
    assert found.evidence["record"]["employer_name"] == "深圳某科技有限公司"
    assert found.source == "new_hire" and found.stop_kind == "reemployment"


def test_benefit_from_another_province_for_the_same_months(path_kind, tmp_path):
    overlapping, _claim = make_recipient()
    before, _ = make_recipient()
    summary = load(
        tmp_path,
        "other_province_benefits",
        "id_number,province_code,start_month,end_month\n"
        f"{overlapping.id_number},44,2026-10,2027-03\n"
        f"{before.id_number},44,2025-01,2025-12\n"
        f"{before.id_number},46,2026-10,\n"
        f"{before.id_number},44,2026-10,2026-09\n"
        f"{before.id_number},44,2026-13,\n",
    )
    assert [(e.row, e.code) for e in summary.rejected] == [
        (4, "own_province"),
        (5, "before_start"),
        (6, "month"),
    ]
    found = Finding.objects.get()
    assert (found.person, found.event_date, found.stop_kind) == (
        overlapping, date(2026, 11, 1), "other_province_benefit",
    )  # fmt: skip


def test_an_open_claim_is_matched_too_without_anything_to_suspend(
    path_kind, tmp_path, apis, worker
):
    bundle = apis["hk_acceptor"].post(
        "/bundles", {"kind": "unemployment", "id_number": worker.id_number}
    )
    assert bundle.status_code == 201
    load(tmp_path, "pension_starts", f"id_number,date\n{worker.id_number},2026-11-02\n")
    finding = Finding.objects.get()
    assert finding.application.item_code == "ui_benefit" and finding.entitlement is None
    assert finding.suspended_from is None
    assert finding.office.code == "sanya-agency"  # the agency that would pay decides
    response = decide(apis["sy_reviewer"], finding.task_id, "approve", ["养老金已领取"])
    assert response.status_code == 200 and response.json()["status"] == "confirmed"


def test_a_regular_file_on_either_path_gives_the_same_line_numbers(path_kind, tmp_path):
    people = [make_recipient()[0] for _ in range(3)]
    lines = ["id_number,date"]
    for n in range(30):
        lines.append(f"{citizen_id('110105', date(1970, 1, 1), seq=500 + n)},2026-10-01")
        if n % 10 == 0:
            lines.append("garbage")
            lines.append("")
        if n % 10 == 5:
            lines.append(f"{people[n // 10].id_number},2026-11-0{1 + n // 10}")
    summary = load(tmp_path, "deaths", "\n".join(lines) + "\n")
    assert summary.changed == 3 and summary.ignored == 30
    expected = [
        i + 1 for i, line in enumerate(lines) if line.startswith(tuple(p.id_number for p in people))
    ]
    assert sorted(f.evidence["line"] for f in Finding.objects.all()) == expected
    assert [e.row for e in summary.rejected] == [
        i + 1 for i, line in enumerate(lines) if line == "garbage"
    ]


def test_a_file_that_is_not_utf8_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(comparison.ComparisonKind, "load_file", lambda self, **kw: None)
    path = tmp_path / "deaths.csv"
    path.write_bytes(b"id_number,date\n" + "张三".encode("gbk") + b",2026-10-01\n")
    from tongban.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_file(kind="deaths", path=path, actor=TEST_ACTOR, as_of=AS_OF)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the file-level path")
def test_the_fast_path_falls_back_on_bytes_that_are_not_utf8(tmp_path):
    from tongban.core.errors import InvalidInput

    path = tmp_path / "deaths.csv"
    person = PersonFactory()
    path.write_bytes(
        b"id_number,date\n" + f"{person.id_number},2026-10-01\n".encode() + b"\xd5\xc5,2026-10-01\n"
    )
    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_file(kind="deaths", path=path, actor=TEST_ACTOR, as_of=AS_OF)


def test_the_family_of_a_recipient_who_died_is_granted_the_funeral_grant_once(tmp_path, apis):
    person, claim = make_recipient()
    load(tmp_path, "deaths", f"id_number,date\n{person.id_number},2026-11-15\n")
    decide(apis["sy_reviewer"], Finding.objects.get().task_id, "approve", ["死亡证明已核实"])
    claim.refresh_from_db()
    assert claim.end_reason == "death"

    def funeral(api):
        body = {"item": "funeral_survivor", "id_number": person.id_number,
                "data": {"date_of_death": "2026-11-15"}}  # fmt: skip
        created = api.post("/applications", body)
        assert created.status_code == 201, created.content
        tasks = api.get("/tasks").json()
        return next(t["id"] for t in tasks if t["reference"] == created.json()["reference"])

    # The family comes to a Sanya window; the agency re-reviews; Sanya's fund pays.
    initial = apis["sy_acceptor"].post(f"/tasks/{funeral(apis['sy_acceptor'])}/decision",
                                       {"outcome": "approve"})  # fmt: skip
    assert initial.json()["status"] == "re_review", initial.content
    reference = initial.json()["reference"]
    task = next(t["id"] for t in apis["sy_reviewer2"].get("/tasks").json()
                if t["reference"] == reference)  # fmt: skip
    approved = apis["sy_reviewer2"].post(f"/tasks/{task}/decision", {"outcome": "approve"})
    assert approved.json()["status"] == "approved", approved.content

    # A second claim for the same death is refused at the initial review.
    again = apis["sy_acceptor"].post(f"/tasks/{funeral(apis['sy_acceptor'])}/decision",
                                     {"outcome": "approve"})  # fmt: skip
    assert again.status_code == 409
    assert "funeral_already_paid" in {r["code"] for r in again.json()["reasons"]}


def test_the_family_s_details_are_checked_and_an_empty_other_grant_costs_nothing(tmp_path, apis):
    person, _ = make_recipient()
    load(tmp_path, "deaths", f"id_number,date\n{person.id_number},2026-11-15\n")
    decide(apis["sy_reviewer"], Finding.objects.get().task_id, "approve", ["死亡证明已核实"])
    spouse = PersonFactory().id_number

    def submit(**data):
        body = {"item": "funeral_survivor", "id_number": person.id_number,
                "data": {"date_of_death": "2026-11-15", **data}}  # fmt: skip
        return apis["sy_acceptor"].post("/applications", body)

    refused = {
        "data.applicant.id_number": {
            "applicant": {"name": "王芳", "id_number": person.id_number, "relationship": "spouse"}
        },
        "data.applicant.relationship": {
            "applicant": {"name": "王芳", "id_number": spouse, "relationship": "neighbour"}
        },
        "data.applicant.name": {
            "applicant": {"name": " ", "id_number": spouse, "relationship": "spouse"}
        },
        "data.applicant": {"applicant": "王芳"},
        "data.funeral_grant_elsewhere": {"funeral_grant_elsewhere": "yes"},
    }
    for field, data in refused.items():
        answer = submit(**data)
        assert answer.status_code == 422, (field, answer.content)
        assert answer.json()["errors"][0]["field"] == field
    assert not Application.objects.filter(item_code="funeral_survivor").exists()

    family = {"name": " 王芳 ", "id_number": spouse.lower(), "relationship": "spouse"}
    created = submit(applicant=family, funeral_grant_elsewhere="")
    assert created.status_code == 201, created.content
    application = Application.objects.get(reference=created.json()["reference"])
    assert application.data["applicant"] == {
        "name": "王芳",
        "id_number": spouse,
        "relationship": "spouse",
    }
    assert "funeral_grant_elsewhere" not in application.data  # "" is "none", not another scheme
    assert application.snapshot["assessment"]["amount_fen"] > 0
