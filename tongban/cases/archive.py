"""Sealing and verifying the accepting office's archives (保存档案), chained per office."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction

from tongban.benefits.selectors import entitlement_for_application
from tongban.cases.models import Application, Archive, ArchiveHead, Transition
from tongban.core import clock
from tongban.core.canonical import CanonicalJson, sha256_of
from tongban.core.instances import attach, loaded, new
from tongban.core.jsonrows import from_json_row, json_dict, json_functions, json_list, json_row
from tongban.core.prepared import Prepared, Writes, fetch_one, joined
from tongban.core.transactions import require_transaction
from tongban.regions.selectors import office_from_json, row_sql

if TYPE_CHECKING:
    from tongban.benefits.models import Entitlement

GENESIS = "0" * 64


def chain_hash(previous: str, content_sha256: str) -> str:
    return hashlib.sha256(f"{previous}{content_sha256}".encode()).hexdigest()


# A case's steps as the archive keeps them: their hashes of what each actor saw, not the
# copies (kilobytes per step). Sealing reads the same with the chain head (_sealing_reads);
# archive_content reads them this way when it is not handed them (a recomputation).
_STEPS = Prepared(
    lambda application_id: (
        Transition.objects.filter(application_id=application_id)
        .select_related("office")
        .defer("seen")
        .order_by("at", "id")
    ),
    int,
)
_UNSEEN = ("seen",)


def _sealing_reads(application: Application) -> tuple[ArchiveHead, list[Transition]]:
    """The accepting office's chain head, row-locked, the case's steps as ``_STEPS`` reads
    them, and the application's registry snapshot, in one statement (the steps are a JSON
    aggregate beside the head's columns). The snapshot as stored is the one sealed: it is set
    on ``application``, which a decision reads without it (``task_with_application_locked``).
    The office's first archive creates its head."""
    office_id = application.accepting_office_id
    sql, values = _sealing_sql(connection.vendor), [application.pk, application.pk, office_id]
    row = fetch_one(sql, values)
    if row is None:  # the office's first archive
        try:
            with transaction.atomic():
                ArchiveHead.objects.create(office_id=office_id)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        row = fetch_one(sql, values)
    *head_values, steps_json, snapshot = row
    application.snapshot = json_dict(snapshot)  # parsed on PostgreSQL (json), text on SQLite
    head = loaded(ArchiveHead, connection.alias, _HEAD_COLUMNS, head_values)
    steps = []
    for item in json_list(steps_json):
        step = from_json_row(Transition, item["transition"], without=_UNSEEN)
        attach(step, "office", office_from_json(item["office"]) if step.office_id else None)
        steps.append(step)
    return head, sorted(steps, key=lambda t: (t.at, t.pk))


_HEAD_COLUMNS = [field.attname for field in ArchiveHead._meta.concrete_fields]


def _attach_office(step: Transition, application: Application) -> None:
    """The office of a step not yet written, as the steps read with the head have theirs: one
    of the case's offices, which a decision reads with the application (another is read when
    the archive asks for it)."""
    for office in (application.reviewing_office, application.accepting_office):
        if office is not None and office.pk == step.office_id:
            attach(step, "office", office)
            return


@functools.cache
def _sealing_sql(vendor: str) -> str:
    """The statement of :func:`_sealing_reads`; ``vendor`` only keys the cache."""
    build, _, agg = json_functions()
    office, office_row = row_sql("office", "o")
    steps = (
        f"(SELECT {agg}({build}('transition', {json_row(Transition, 't', without=_UNSEEN)}, "
        f"'office', {office_row})) FROM {Transition._meta.db_table} t "
        f"LEFT JOIN {office} o ON o.id = t.office_id WHERE t.application_id = %s)"
    )
    snapshot = f"(SELECT a.snapshot FROM {Application._meta.db_table} a WHERE a.id = %s)"
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    head = ", ".join(f"h.{field.column}" for field in ArchiveHead._meta.concrete_fields)
    return (
        f"SELECT {head}, {steps}, {snapshot} FROM {ArchiveHead._meta.db_table} h "
        f"WHERE h.office_id = %s{lock}"
    )


def archive_content(
    application: Application,
    granted: Entitlement | None = None,
    steps: list[Transition] | None = None,
) -> CanonicalJson:
    """Everything the accepting office answers for, as plain JSON (dates as ISO 8601 text, as it
    reads back); ``granted`` is the entitlement the closing decision just created and ``steps``
    the case's transitions as ``_STEPS`` reads them (each read from the database otherwise)."""
    entitlement = granted or entitlement_for_application(reference=application.reference)
    content = {
        "application": {
            "reference": application.reference,
            "item": application.item_code,
            "catalogue_version": application.catalogue_version,
            "bundle": application.bundle.reference if application.bundle else None,
            "person_id_number": application.person.id_number,
            "channel": application.channel,
            "accepting_office": application.accepting_office.code,
            "reviewing_office": application.reviewing_office.code
            if application.reviewing_office
            else None,
            "insured_region": application.insured_region.code
            if application.insured_region
            else None,
            "status": application.status,
            "submitted_at": application.submitted_at.isoformat(),
            "due_date": application.due_date.isoformat(),
            "decided_at": application.decided_at.isoformat() if application.decided_at else None,
            "data": application.data,
        },
        "snapshot": application.snapshot,
        "transitions": [
            {
                "stage": t.stage,
                "from": t.from_status,
                "to": t.to_status,
                "outcome": t.outcome,
                "actor": t.actor_label,
                "actor_kind": t.actor_kind,
                "actor_user_id": t.actor_user_id,
                "office": t.office.code if t.office else None,
                "at": t.at.isoformat(),
                "reasons": t.reasons,
                "checklist": t.checklist,
                "seen_sha256": t.seen_sha256,
            }
            for t in (_STEPS.all(application.pk) if steps is None else steps)
        ],
        "entitlement": (
            {
                "paying_region": entitlement.paying_region.code,
                "months": entitlement.months,
                "monthly_amount_fen": entitlement.monthly_amount_fen,
                "amount_fen": entitlement.amount_fen,
                "start_month": entitlement.start_month.isoformat()
                if entitlement.start_month
                else None,
                "parameter_set_version": entitlement.parameter_set_version,
            }
            if entitlement
            else None
        ),
    }
    return CanonicalJson(content)


def archive_seal(
    application: Application,
    granted: Entitlement | None = None,
    writes: Writes | None = None,
    last_step: Transition | None = None,
) -> Archive:
    """Seal the finished case into the accepting office's chain; in the caller's transaction.
    The archive and the chain's head are written with the caller's ``writes`` when given (the
    head stays locked until the transaction ends); the archive returned has no id.
    ``last_step`` is the step that finished the case when it is still in ``writes``, not yet
    written: the archive holds it where it would read it back."""
    require_transaction("archive_seal")
    head, steps = _sealing_reads(application)
    if last_step is not None:
        # Only a step still in the caller's batch: one written already is among those read.
        if writes is None or last_step.application_id != application.pk:
            raise RuntimeError(
                "archive_seal() was given a last step that is not this case's, in its batch"
            )
        _attach_office(last_step, application)
        # In the order the steps are read back, by time and then id: it will have the highest.
        steps = sorted([*steps, last_step], key=lambda t: (t.at, t.pk is None, t.pk or 0))
    content = archive_content(application, granted, steps)
    content_hash = content.sha256
    link = chain_hash(head.last_hash, content_hash)
    archive = new(
        Archive,
        office_id=application.accepting_office_id,
        sequence=head.sequence + 1,
        application=application,
        sealed_at=clock.now(),
        content=content,
        content_sha256=content_hash,
        previous_hash=head.last_hash,
        chain_hash=link,
    )
    head.sequence, head.last_hash = head.sequence + 1, link
    with joined(writes) as batch:  # the head is locked: it exists
        batch.insert(archive)
        batch.update(head, ["sequence", "last_hash"])
    return archive


@dataclass
class ChainReport:
    offices: int = 0
    archives: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def archive_verify() -> ChainReport:
    """Recompute every content hash and every link of every office's chain."""
    report = ChainReport()
    heads = {h.office_id: h for h in ArchiveHead.objects.select_related("office")}
    office_ids = set(heads) | set(Archive.objects.values_list("office_id", flat=True).distinct())
    for office_id in sorted(office_ids):
        report.offices += 1
        previous = GENESIS
        expected_sequence = 1
        for archive in Archive.objects.filter(office_id=office_id).order_by("sequence").iterator():
            report.archives += 1
            where = f"office {office_id} archive #{archive.sequence} ({archive.application_id})"
            if archive.sequence != expected_sequence:
                report.problems.append(f"{where}: sequence gap, expected #{expected_sequence}")
            if archive.previous_hash != previous:
                report.problems.append(f"{where}: does not link to the archive before it")
            if sha256_of(archive.content) != archive.content_sha256:
                report.problems.append(f"{where}: content does not match its hash (changed)")
            if chain_hash(archive.previous_hash, archive.content_sha256) != archive.chain_hash:
                report.problems.append(f"{where}: chain hash is wrong")
            previous = archive.chain_hash
            expected_sequence = archive.sequence + 1
        head = heads.get(office_id)
        if head is None or head.last_hash != previous or head.sequence != expected_sequence - 1:
            report.problems.append(
                f"office {office_id}: the chain's head does not match its last archive"
            )
    return report
