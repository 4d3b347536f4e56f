"""Seeded recall: a synthetic population where the test knows every true match, plus decoys.

Required: every true match is found (100% recall); nothing happens to any decoy (same name
and birth date with another ID number; an ID number with one digit changed; an event outside
the benefit's months; a person who receives nothing); no benefit ends without a recorded
decision by a person.
"""

import random
from datetime import date

import pytest
from django.db import connection

from tongban.benefits.models import Entitlement, Payment
from tongban.benefits.tests.factories import entitlement
from tongban.core.imports import import_file
from tongban.core.models import AuditEvent
from tongban.core.testing import TEST_ACTOR
from tongban.integrity import comparison
from tongban.integrity.models import Finding
from tongban.integrity.tests.helpers import decide
from tongban.registry.tests.factories import EmployerFactory, PersonFactory, region

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)
REGIONS = ["460100", "460200", "469002", "460400"]
KINDS = ["deaths", "pension_starts", "imprisonments", "new_hires", "other_province_benefits"]


def _changed_digit(number: str, rng: random.Random) -> str:
    position = rng.randrange(6, 17)
    digit = str((int(number[position]) + rng.randrange(1, 10)) % 10)
    return number[:position] + digit + number[position + 1 :]


def _row(kind: str, number: str, on: date, until: date | None = None) -> str:
    if kind == "new_hires":
        return f"{number},某地某公司,440000,{on}"
    if kind == "other_province_benefits":
        return f"{number},44,{on:%Y-%m},{until:%Y-%m}" if until else f"{number},44,{on:%Y-%m},"
    return f"{number},{on}"


HEADERS = {
    "deaths": "id_number,date",
    "pension_starts": "id_number,date",
    "imprisonments": "id_number,start_date",
    "new_hires": "id_number,employer_name,province_code,start_date",
    "other_province_benefits": "id_number,province_code,start_month,end_month",
}


@pytest.fixture(params=["fast", "generic"])
def path(request, monkeypatch):
    if request.param == "fast" and connection.vendor != "postgresql":
        pytest.skip("the file-level path is PostgreSQL's")
    if request.param == "generic":
        monkeypatch.setattr(comparison.ComparisonKind, "load_file", lambda self, **kw: None)
    return request.param


def test_every_true_match_is_found_and_no_decoy_is_touched(path, tmp_path, apis):
    rng = random.Random(20261126)
    recipients = []
    for i in range(60):
        code = REGIONS[i % len(REGIONS)]
        person = PersonFactory(
            birth=date(1970 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            residence_region=region(code),
            bank_account="6222021234567890123",
        )
        start = date(2026, 1 + rng.randrange(11), 1)
        recipients.append((person, entitlement(person, region=code, start=start, months=12)))
    bystanders = [PersonFactory() for _ in range(20)]  # known here, receive nothing

    truth: set[tuple[int, str]] = set()
    files: dict[str, list[str]] = {kind: [] for kind in KINDS}
    decoy_people = []
    for n, (person, _claim) in enumerate(recipients):
        kind = KINDS[n % len(KINDS)]
        inside = date(2026, 11, 1 + n % 20)  # every benefit runs in November 2026
        if n % 3 == 0:  # a true match, inside the benefit's months
            files[kind].append(_row(kind, person.id_number, inside))
            truth.add((person.pk, comparison.KINDS[KINDS.index(kind)].source))
        # Decoy 1: the same name and birth date, another ID number, known here, no benefit.
        twin = PersonFactory(name=person.name, birth=person.birth_date)
        decoy_people.append(twin)
        files[kind].append(_row(kind, twin.id_number, inside))
        # Decoy 2: the recipient's number with one digit changed (nobody here).
        files[kind].append(_row(kind, _changed_digit(person.id_number, rng), inside))
        # Decoy 3: an event long before the benefit, for kinds that do not reach back.
        if kind in ("imprisonments", "new_hires", "other_province_benefits") and n % 3 != 0:
            files[kind].append(
                _row(kind, person.id_number, date(2015, 3, 2), until=date(2015, 12, 1))
            )
    for person in bystanders:
        files[KINDS[person.pk % len(KINDS)]].append(
            _row(KINDS[person.pk % len(KINDS)], person.id_number, date(2026, 10, 5))
        )
    # Real-time: a hire for some recipients (true), and for a bystander (nothing to find).
    for n, (person, _claim) in enumerate(recipients):
        if n % 7 == 1:
            employer = EmployerFactory(region=region("460100"))
            path_ = tmp_path / f"spells{n}.csv"
            path_.write_text(
                "id_number,uscc,region_code,start_date\n"
                f"{person.id_number},{employer.uscc},460100,2026-11-1{n % 10}\n"
            )
            import_file(kind="spells", path=path_, actor=TEST_ACTOR, as_of=AS_OF)
            truth.add((person.pk, "hire"))

    for kind, rows in files.items():
        rng.shuffle(rows)
        file = tmp_path / f"{kind}.csv"
        file.write_text(HEADERS[kind] + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        first = import_file(kind=kind, path=file, actor=TEST_ACTOR, as_of=AS_OF)
        again = import_file(kind=kind, path=file, actor=TEST_ACTOR, as_of=AS_OF)
        assert not first.rejected, first.lines()
        assert again.changed == 0  # loading again adds nothing

    found = set(Finding.objects.values_list("person_id", "source"))
    assert found == truth  # 100% recall, and nothing else
    matched = {person_id for person_id, _ in truth}
    decoys = {p.pk for p in decoy_people} | {p.pk for p in bystanders}
    assert not Finding.objects.filter(person_id__in=decoys).exists()
    for person, claim in recipients:
        claim.refresh_from_db()
        if person.pk in matched:
            assert claim.status == "suspended"
        else:
            assert claim.status == "active"
            assert not Payment.objects.filter(entitlement=claim, status="held").exists()

    # The reviewers decide: half confirmed, half lifted. Only a decision ends a benefit.
    assert not Entitlement.objects.filter(status="ended").exists()
    reviewers = {"460200": apis["sy_reviewer"], "460100": apis["hk_reviewer"]}
    for n, finding in enumerate(
        Finding.objects.filter(paying_region__code__in=reviewers).order_by("suspended_from", "id")
    ):
        finding.refresh_from_db()  # a confirmation settles the person's other findings
        if finding.status != "open":
            continue
        outcome = "approve" if n % 2 else "reject"
        response = decide(
            reviewers[finding.paying_region.code], finding.task_id, outcome, ["checked"]
        )
        assert response.status_code == 200, response.content
    for ended in Entitlement.objects.filter(status="ended"):
        confirmed = Finding.objects.filter(entitlement=ended, status="confirmed")
        assert confirmed.exists()
        assert all(f.decided_by and f.decision_reasons and f.decided_at for f in confirmed)
        stop = AuditEvent.objects.get(event_type="entitlement_stopped", subject_id=str(ended.pk))
        assert stop.actor_kind == "staff"  # a caseworker (through their API client), not the system
    assert (
        Entitlement.objects.filter(status="ended").count()
        == Finding.objects.filter(status="confirmed").values("entitlement").distinct().count()
    )
