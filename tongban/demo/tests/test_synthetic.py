from datetime import date

import pytest

from tongban.core.identifiers import parse_citizen_id, parse_uscc
from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.demo.load import load_province
from tongban.demo.synthetic import INVOLUNTARY, synthesize, write_csv
from tongban.registry.models import Contribution, Employer, InsuranceSpell, Person

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def province():
    return synthesize(scale=0.05, seed=7, as_of=AS_OF)


def test_the_same_seed_gives_the_same_province(province):
    again = synthesize(scale=0.05, seed=7, as_of=AS_OF)
    assert [p.id_number for p in again.persons] == [p.id_number for p in province.persons]
    assert list(again.contribution_rows())[:500] == list(province.contribution_rows())[:500]
    other = synthesize(scale=0.05, seed=8, as_of=AS_OF)
    assert [p.id_number for p in other.persons] != [p.id_number for p in province.persons]


def test_identifiers_are_valid_and_hainan(province):
    for person in province.persons:
        parsed = parse_citizen_id(person.id_number, as_of=AS_OF)
        assert parsed.address_code.startswith("46")
        assert 16 <= (AS_OF - parsed.birth_date).days / 365.25 < 60
        assert parsed.sex == person.sex
    assert len({p.id_number for p in province.persons}) == len(province.persons)
    for employer in province.employers:
        assert parse_uscc(employer.uscc)


def test_the_shape_of_the_province(province):
    counts = province.counts()
    assert counts["persons"] == 1000
    assert 0.25 <= counts["multi_region_persons"] / counts["persons"] <= 0.35
    months_by_person: dict[int, set[date]] = {}
    for person, _, _, month, base, amount in province.contribution_rows():
        months_by_person.setdefault(person, set()).add(month)
        assert base > 0
        assert 0 < amount < base
        assert month <= AS_OF
    long_careers = sum(1 for m in months_by_person.values() if len(m) >= 72)
    assert long_careers / counts["persons"] > 0.7
    reasons = {s.reason_code for s in province.spells if s.reason_code}
    assert "voluntary_resignation" in reasons
    assert len(reasons) >= 8
    for spell in province.spells:
        assert spell.start <= AS_OF
        assert spell.end is None or (spell.start < spell.end <= AS_OF)


def test_claimants_were_let_go_recently_after_a_year_or_more(province):
    assert province.claimants
    for index in province.claimants:
        spells = [s for s in province.spells if s.person == index]
        last = max(spells, key=lambda s: s.start)
        assert last.end is not None
        assert (AS_OF - last.end).days <= 60
        assert last.reason_code in INVOLUNTARY
        months = {m for p, _, _, m, _, _ in province.contribution_rows() if p == index}
        assert len(months) >= 12


@pytest.mark.django_db
def test_loading_and_importing_the_files_give_the_same_registry(province, tmp_path):
    small = synthesize(scale=0.01, seed=3, as_of=AS_OF)
    stats = load_province(small)
    assert stats.rows["persons"] == 200
    loaded = _snapshot()
    paths = write_csv(small, tmp_path)
    for kind in ("employers", "persons", "spells", "contributions"):
        summary = import_file(kind=kind, path=paths[kind], actor=TEST_ACTOR, as_of=AS_OF)
        assert summary.rejected == [] and summary.changed == 0, (kind, summary.lines()[:5])
    assert _snapshot() == loaded


def _snapshot():
    return (
        sorted(
            Person.objects.values_list(
                "id_number",
                "name",
                "birth_date",
                "sex",
                "residence_region_id",
                "phone",
                "bank_account",
            )
        ),
        sorted(Employer.objects.values_list("uscc", "name", "region_id")),
        sorted(
            InsuranceSpell.objects.values_list(
                "person__id_number",
                "employer__uscc",
                "region_id",
                "start_date",
                "end_date",
                "reason__code",
            )
        ),
        Contribution.objects.count(),
    )


def test_spells_are_unique_per_person_employer_and_start():
    for seed in (5, 7, 11):
        province = synthesize(scale=0.02, seed=seed, as_of=AS_OF)
        keys = [(s.person, s.employer, s.start) for s in province.spells]
        assert len(keys) == len(set(keys))
