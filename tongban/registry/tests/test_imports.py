"""`tongban import` of registry files: every bad row is reported, valid rows still load, twice is once."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tongban.core import imports as core_imports
from tongban.core.actors import Actor
from tongban.core.errors import InvalidInput
from tongban.core.imports import import_file
from tongban.core.models import AuditEvent
from tongban.registry import bulk
from tongban.registry.models import Contribution, Employer, InsuranceSpell, Person
from tongban.registry.tests.factories import citizen_id, uscc

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)
ACTOR = Actor.operator("test import")
EMPLOYER = uscc(900001)
OTHER_EMPLOYER = uscc(900002)
ALICE = citizen_id("460100", date(1990, 1, 1), seq=11)
BOB = citizen_id("460200", date(1985, 6, 15), seq=12, male=False)
CAROL_LOWER_X = next(
    n.lower()
    for s in range(100, 200)
    if (n := citizen_id("469002", date(1979, 3, 3), seq=s)).endswith("X")
)


def run(tmp_path: Path, kind: str, text: str):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(kind=kind, path=path, actor=ACTOR, as_of=AS_OF)


def codes(summary) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.code) for e in summary.rejected]


@pytest.fixture
def employers(tmp_path):
    return run(
        tmp_path,
        "employers",
        f"uscc,name,region_code\n{EMPLOYER},椰城贸易有限公司,460100\n{OTHER_EMPLOYER},鹿城酒店有限公司,460200\n",
    )


@pytest.fixture
def persons(tmp_path):
    return run(
        tmp_path,
        "persons",
        "id_number,name,residence_region_code,phone,bank_account\n"
        f"{ALICE},王小明,460100,13800000000,6222021234567890123\n"
        f"{BOB},李娜,460200,,\n"
        f"{CAROL_LOWER_X},陈静,469002,,\n",
    )


def test_employers_load_and_reject_bad_rows(tmp_path):
    summary = run(
        tmp_path,
        "employers",
        "uscc,name,region_code\n"
        f"{EMPLOYER},椰城贸易有限公司,460100\n"
        "91110000600037341M,坏代码公司,460100\n"
        f"{OTHER_EMPLOYER},未知地区公司,999999\n",
    )
    assert (summary.rows, summary.accepted, summary.changed) == (3, 1, 1)
    assert codes(summary) == [(3, "uscc", "check_digit"), (4, "region_code", "unknown_region")]
    assert Employer.objects.filter(uscc=EMPLOYER).exists()
    assert not Employer.objects.filter(uscc=OTHER_EMPLOYER).exists()


def test_persons_every_bad_identifier_is_reported_and_valid_rows_still_load(tmp_path):
    fifteen = "460100900101001"
    fullwidth = "４６０１００１９９００１０１００１９"
    wrong_check = ALICE[:-1] + ("0" if ALICE[-1] != "0" else "1")
    future = citizen_id("460100", date(2030, 1, 1), seq=5)
    summary = run(
        tmp_path,
        "persons",
        "id_number,name,residence_region_code\n"
        f"{ALICE},王小明,460100\n"
        f"{wrong_check},错号,460100\n"
        f"{fifteen},旧号,460100\n"
        f"{fullwidth},全角,460100\n"
        f"{future},未来,460100\n"
        f"{BOB},李娜,469999\n"
        f"{CAROL_LOWER_X},陈静,469002\n",
    )
    assert codes(summary) == [
        (3, "id_number", "check_digit"),
        (4, "id_number", "legacy_15_digit"),
        (5, "id_number", "fullwidth"),
        (6, "id_number", "future_birth_date"),
        (7, "residence_region_code", "unknown_region"),
    ]
    assert all(e.message for e in summary.rejected)
    assert (summary.accepted, summary.changed) == (2, 2)
    stored = set(Person.objects.values_list("id_number", flat=True))
    assert stored == {ALICE, CAROL_LOWER_X.upper()}
    carol = Person.objects.get(id_number=CAROL_LOWER_X.upper())
    assert (carol.birth_date, carol.sex) == (date(1979, 3, 3), "M")


def test_loading_the_same_files_twice_changes_nothing(tmp_path, employers, persons):
    assert persons.changed == 3
    again = run(
        tmp_path,
        "persons",
        "id_number,name,residence_region_code,phone,bank_account\n"
        f"{ALICE},王小明,460100,13800000000,6222021234567890123\n"
        f"{BOB},李娜,460200,,\n"
        f"{CAROL_LOWER_X},陈静,469002,,\n",
    )
    assert (again.accepted, again.changed, again.unchanged, again.rejected) == (3, 0, 3, [])
    changed_phone = run(
        tmp_path,
        "persons",
        f"id_number,name,residence_region_code,phone\n{BOB},李娜,460200,13900000000\n",
    )
    assert changed_phone.changed == 1
    assert Person.objects.get(id_number=BOB).phone == "13900000000"


def test_spells_contributions_and_separations(tmp_path, employers, persons):
    spells = run(
        tmp_path,
        "spells",
        "id_number,uscc,region_code,start_date,end_date,reason_code\n"
        f"{ALICE},{EMPLOYER},460100,2018-01-01,,\n"
        f"{BOB},{OTHER_EMPLOYER},460200,2015-03-01,2020-01-01,contract_expired\n"
        f"{BOB},{EMPLOYER},460100,2020-02-01,2021-01-01,no_such_reason\n"
        f"{BOB},{EMPLOYER},460100,2020-02-01,2019-01-01,dismissed\n"
        f"{BOB},{EMPLOYER},460100,2020-02-01,2021-01-01,\n"
        f"{ALICE},{EMPLOYER},460100,2019-01-01,,\n"
        f"{citizen_id(seq=77)},{EMPLOYER},460100,2019-01-01,,\n",
    )
    assert codes(spells) == [
        (4, "reason_code", "unknown_reason"),
        (5, "end_date", "before_start"),
        (6, "reason_code", "required"),
        (7, "start_date", "already_open"),
        (8, "id_number", "unknown_person"),
    ]
    assert spells.changed == 2

    contributions = run(
        tmp_path,
        "contributions",
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{ALICE},{EMPLOYER},460100,2018-01,500000,5000\n"
        f"{ALICE},{EMPLOYER},460100,2018-02,500000,5000\n"
        f"{ALICE},{EMPLOYER},460100,2018-13,500000,5000\n"
        f"{ALICE},{EMPLOYER},460100,2027-01,500000,5000\n"
        f"{ALICE},{EMPLOYER},460100,2018-03,5000,500000\n"
        f"{ALICE},{EMPLOYER},460100,2018-04,-1,0\n",
    )
    assert codes(contributions) == [
        (4, "month", "month"),
        (5, "month", "future_month"),
        (6, "amount_fen", "above_base"),
        (7, "base_fen", "amount"),
    ]
    assert Contribution.objects.count() == 2
    conflicting = run(
        tmp_path,
        "contributions",
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{ALICE},{EMPLOYER},460100,2018-01,500000,5000\n"
        f"{ALICE},{EMPLOYER},460100,2018-02,600000,6000\n",
    )
    assert (conflicting.changed, conflicting.accepted) == (0, 1)
    assert codes(conflicting) == [(3, "amount_fen", "conflict")]
    assert Contribution.objects.get(month=date(2018, 2, 1)).base_fen == 500000

    separation_file = (
        "id_number,uscc,date,reason_code\n"
        f"{ALICE},{EMPLOYER},2026-10-01,contract_expired\n"
        f"{BOB},{EMPLOYER},2026-10-01,dismissed\n"
        f"{ALICE},{EMPLOYER},2026-10-01,bogus\n"
    )
    separations = run(tmp_path, "separations", separation_file)
    assert codes(separations) == [(3, "uscc", "not_insured"), (4, "reason_code", "unknown_reason")]
    assert separations.changed == 1
    spell = InsuranceSpell.objects.get(person__id_number=ALICE)
    assert (spell.end_date, spell.reason.code) == (date(2026, 10, 1), "contract_expired")
    again = run(tmp_path, "separations", separation_file)
    assert (again.changed, again.accepted) == (0, 1)


def test_a_bad_header_refuses_the_whole_file(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        run(tmp_path, "persons", "id,name\n1,2\n")
    assert caught.value.errors[0].field == "header"
    assert "missing columns: id_number, residence_region_code" in caught.value.message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "persons.csv"
    path.write_bytes(b"id_number,name,residence_region_code\n" + "王".encode("gbk") + b"\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_file(kind="persons", path=path, actor=ACTOR, as_of=AS_OF)


def test_a_crash_half_way_leaves_nothing_written(tmp_path, employers, persons, monkeypatch):
    monkeypatch.setattr(core_imports, "CHUNK_ROWS", 2)
    calls = {"n": 0}
    real = bulk.contributions_load

    def crash_on_second_chunk(rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(rows)

    monkeypatch.setattr(bulk, "contributions_load", crash_on_second_chunk)
    audit_before = AuditEvent.objects.count()
    run(
        tmp_path,
        "spells",
        f"id_number,uscc,region_code,start_date\n{ALICE},{EMPLOYER},460100,2018-01-01\n",
    )
    months = "".join(f"{ALICE},{EMPLOYER},460100,2019-{m:02d},500000,5000\n" for m in range(1, 6))
    with pytest.raises(OSError, match="disk full"):
        run(
            tmp_path,
            "contributions",
            "id_number,uscc,region_code,month,base_fen,amount_fen\n" + months,
        )
    assert Contribution.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before + 1  # the spells file only


def test_the_command_prints_a_summary_with_row_numbers(tmp_path, employers):
    path = tmp_path / "persons.csv"
    path.write_text(
        f"id_number,name,residence_region_code\n{ALICE},王小明,460100\n460100900101001,旧号,460100\n"
    )
    out = StringIO()
    call_command("import_file", "persons", str(path), stdout=out)
    text = out.getvalue()
    assert (
        "persons: 2 rows read, 1 accepted (1 new or changed, 0 already loaded), 1 rejected" in text
    )
    assert "row 3: id_number:" in text
    assert "[legacy_15_digit]" in text
