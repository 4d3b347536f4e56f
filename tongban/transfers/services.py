"""Writing transfers (关系转移): automatic, audited, in the transaction of the change that caused them.

Two causes (POLICY §5):

- **A new spell in another region** (an employer's hire, a spells file): the registry's routing
  rule (``registry.selectors.insured_region``) now places the relationship in the new region.
  This module records the transfer — consistent with that rule, never a second rule — and
  item 7 (``ui_transfer``) completed by the system. Contribution months keep counting in every
  region; a recipient's benefit is not moved (the new job is a re-employment, which
  integrity suspends and a reviewer decides).
- **A recipient's residence moves** and ``transfers.benefit_follows_residence`` is true: the
  remaining entitlement continues in the new region's fund from the first month the old fund
  has not paid; the old fund books 转移支出 and the new one 转移收入 for the amounts
  ``transfers.amounts_moved`` names (a linked pair, ``ledger.transfer_post``), and the
  relationship moves with it (``registry.relationship_move_record``).

Subscribers of ``core.hooks`` topics are registered in ``TransfersConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from tongban.benefits.hooks import EntitlementEnded, EntitlementResumed
from tongban.benefits.selectors import running_entitlements_for
from tongban.benefits.services import entitlement_move
from tongban.cases.services import new_reference, ui_transfer_record
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.notices import Notice, notice_queue
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.ledger import services as ledger
from tongban.regions.selectors import agency_for_region, region_get
from tongban.registry.hooks import ResidencesChanged, SpellsStarted
from tongban.registry.selectors import (
    insured_region_among,
    moves_by_person,
    person_by_pk,
    person_get,
    spells_by_person,
)
from tongban.registry.services import person_residence_change, relationship_move_record
from tongban.rules.params import as_choice, as_flag, default_parameters
from tongban.transfers.models import Transfer

TRANSFER_RECORDED = "transfers.transfer_recorded"
SYSTEM = Actor.system("automatic transfer (免申即办)")


def _system(region_id: int) -> Actor:
    return Actor(
        kind="system", label=SYSTEM.label, office_code=agency_for_region(region_id=region_id).code
    )


# ---- a new spell in another region ------------------------------------------------------


def on_spells_started(event: SpellsStarted) -> None:
    """``registry.spells_started``: record a transfer where the relationship changed region.

    Set-based: the spells and moves of all the people are read at once; only those whose
    insured region changed cost more.
    """
    new_ids: dict[int, set[int]] = defaultdict(set)
    starts: dict[int, date] = {}
    for spell in event.spells:
        new_ids[spell.person_id].add(spell.spell_id)
        starts[spell.person_id] = max(
            starts.get(spell.person_id, spell.start_date), spell.start_date
        )
    spells = spells_by_person(person_ids=new_ids)
    moves = moves_by_person(person_ids=new_ids)
    for person_id in sorted(new_ids):
        on = max(event.as_of, starts[person_id])
        theirs, fresh = spells.get(person_id, []), new_ids[person_id]
        before = insured_region_among(
            [s for s in theirs if s.pk not in fresh], moves.get(person_id, []), on
        )
        after = insured_region_among(theirs, moves.get(person_id, []), on)
        if before is None or after is None or before.pk == after.pk:
            continue  # a first spell is an enrolment, not a transfer; same region: nothing moves
        holder = next((s for s in theirs if s.pk in fresh and s.region_id == after.pk), None)
        if holder is not None:
            _transfer_new_spell(
                person_id=person_id, before=before, after=after, holder=holder, as_of=event.as_of
            )


def _transfer_new_spell(
    *, person_id: int, before: Any, after: Any, holder: Any, as_of: date
) -> Transfer | None:
    if Transfer.objects.filter(
        person_id=person_id, kind=Transfer.Kind.NEW_SPELL, effective_date=holder.start_date,
        to_region=after,
    ).exists():  # fmt: skip
        return None
    running = running_entitlements_for(person_ids=[person_id])
    transfer = Transfer.objects.create(
        reference=new_reference("TR", as_of),
        person_id=person_id,
        kind=Transfer.Kind.NEW_SPELL,
        status=Transfer.Status.COMPLETED,
        from_region=before,
        to_region=after,
        effective_date=holder.start_date,
        spell_id=holder.pk,
        note=(
            "A benefit is running: it does not move with a new job (a re-employment, reviewed by "
            "the paying agency)."
            if running
            else ""
        ),
        created_at=clock.now(),
        completed_at=clock.now(),
    )
    application = ui_transfer_record(
        person_id=person_id,
        to_region_id=after.pk,
        data={
            "transfer": transfer.reference,
            "cause": Transfer.Kind.NEW_SPELL,
            "from_region": before.code,
            "to_region": after.code,
            "effective_date": holder.start_date.isoformat(),
        },
        as_of=as_of,
    )
    transfer.application_reference = application.reference
    transfer.save(update_fields=["application_reference"])
    _record(transfer, _system(after.pk))
    return transfer


# ---- a recipient's residence moves --------------------------------------------------------


def on_residences_changed(event: ResidencesChanged) -> None:
    """``registry.residences_changed``: move running UI benefits that follow the person."""
    params = default_parameters()
    use = params.find("transfers.benefit_follows_residence", on=event.on)
    if use is None or not as_flag(use):
        return
    moved_to = {c.person_id: c.to_region_id for c in event.changes}
    for entitlement in running_entitlements_for(person_ids=moved_to):
        if entitlement.item_code != "ui_benefit":
            continue
        if entitlement.paying_region_id == moved_to[entitlement.person_id]:
            continue  # moved back to where the benefit is paid: nothing to move
        _residence_transfer(
            entitlement=entitlement,
            to_region_id=moved_to[entitlement.person_id],
            on=event.on,
        )


def _residence_transfer(*, entitlement: Any, to_region_id: int, on: date) -> Transfer | None:
    if Transfer.objects.filter(
        person_id=entitlement.person_id, kind=Transfer.Kind.RESIDENCE, effective_date=on,
        to_region_id=to_region_id,
    ).exists():  # fmt: skip
        return None
    transfer = Transfer.objects.create(
        reference=new_reference("TR", on),
        person_id=entitlement.person_id,
        kind=Transfer.Kind.RESIDENCE,
        status=Transfer.Status.WAITING,
        from_region_id=entitlement.paying_region_id,
        to_region_id=to_region_id,
        effective_date=on,
        from_entitlement=entitlement,
        created_at=clock.now(),
    )
    if entitlement.status != "active":
        transfer.note = (
            "The benefit is suspended while a finding is reviewed; it moves if the suspension "
            "is lifted."
        )
        transfer.save(update_fields=["note"])
        _record(transfer, _system(to_region_id))
        return transfer
    return _complete_residence_transfer(transfer, as_of=on)


def _complete_residence_transfer(transfer: Transfer, *, as_of: date) -> Transfer:
    """Move the entitlement, book the money, move the relationship, record item 7."""
    require_transaction("completing a transfer")
    params = default_parameters()
    amounts_moved = as_choice(params.get("transfers.amounts_moved", on=transfer.effective_date))
    from_region = transfer.from_region
    to_region = transfer.to_region
    actor = _system(to_region.pk)
    assert transfer.from_entitlement_id is not None
    relationship_move_record(
        actor=actor,
        person_id=transfer.person_id,
        from_region_id=from_region.pk,
        to_region_id=to_region.pk,
        moved_on=transfer.effective_date,
        source=transfer.reference,
    )
    application = ui_transfer_record(
        person_id=transfer.person_id,
        to_region_id=to_region.pk,
        data={
            "transfer": transfer.reference,
            "cause": Transfer.Kind.RESIDENCE,
            "from_region": from_region.code,
            "to_region": to_region.code,
            "effective_date": transfer.effective_date.isoformat(),
        },
        as_of=as_of,
    )
    transfer.application_reference = application.reference
    try:
        move = entitlement_move(
            actor=actor,
            entitlement_id=transfer.from_entitlement_id,
            to_region_id=to_region.pk,
            moved_on=transfer.effective_date,
            reference=application.reference,
            office_code=actor.office_code or "",
        )
    except Conflict as refused:
        if refused.code != "nothing_to_move":
            raise
        transfer.status = Transfer.Status.COMPLETED
        transfer.note = "Every month of the benefit was already paid by the old fund."
        transfer.completed_at = clock.now()
        transfer.save(update_fields=["application_reference", "status", "note", "completed_at"])
        _record(transfer, actor)
        return transfer
    amount = move.benefit_fen + (move.medical_fen if amounts_moved == "benefit_and_medical" else 0)
    pair = None
    if amount > 0:
        pair = ledger.transfer_post(
            actor=actor,
            from_region_code=from_region.code,
            to_region_code=to_region.code,
            entry_date=as_of,
            amount_fen=amount,
            description=(
                f"失业保险关系转移 {transfer.reference}：剩余 {move.months} 个月待遇"
                + ("及医疗保险费" if amounts_moved == "benefit_and_medical" else "")
            ),
            source_ref=transfer.reference,
        )
    transfer.status = Transfer.Status.COMPLETED
    transfer.to_entitlement = move.new
    transfer.switch_month = move.switch_month
    transfer.months = move.months
    transfer.benefit_fen = move.benefit_fen
    transfer.medical_fen = move.medical_fen
    transfer.amount_fen = amount
    transfer.amounts_moved = amounts_moved
    transfer.parameter_set_version = params.version
    transfer.out_entry = pair.out_entry if pair else None
    transfer.in_entry = pair.in_entry if pair else None
    transfer.completed_at = clock.now()
    transfer.note = ""
    transfer.save()
    _record(transfer, actor)
    person = person_by_pk(pk=transfer.person_id)
    notice_queue(
        [
            Notice(
                key=f"transfer:{transfer.reference}",
                person_id=person.pk,
                recipient="person",
                phone=person.phone,
                template="benefit_moved",
                text_zh=(
                    f"您的失业保险关系已随居住地转入{to_region.name_zh}。自 {move.switch_month:%Y年%m月} 起，"
                    f"剩余 {move.months} 个月的失业保险金由{to_region.name_zh}经办机构发放，金额不变。"
                ),
                text_en=(
                    f"Your unemployment-insurance relationship has moved with your residence to "
                    f"{to_region.name_en}. From {move.switch_month:%Y-%m} the {move.months} remaining "
                    f"months of benefit are paid by the {to_region.name_en} agency, at the same amount."
                ),
            )
        ]
    )
    return transfer


def on_entitlement_resumed(event: EntitlementResumed) -> None:
    """A lifted suspension lets a waiting residence transfer go ahead."""
    for transfer in (
        Transfer.objects.select_related("from_region", "to_region")
        .select_for_update(of=("self",))
        .filter(from_entitlement_id=event.entitlement_id, status=Transfer.Status.WAITING)
        .order_by("id")
    ):
        _complete_residence_transfer(transfer, as_of=event.on)


def on_entitlement_ended(event: EntitlementEnded) -> None:
    """A benefit that ended before it could move: its waiting transfer is cancelled."""
    waiting = list(
        Transfer.objects.select_for_update(of=("self",))
        .filter(from_entitlement_id=event.entitlement_id, status=Transfer.Status.WAITING)
        .order_by("id")
    )
    for transfer in waiting:
        transfer.status = Transfer.Status.CANCELLED
        transfer.note = f"The benefit ended ({event.kind}, {event.on}) before it could move."
        transfer.completed_at = clock.now()
        transfer.save(update_fields=["status", "note", "completed_at"])
        _record(transfer, SYSTEM)


def _record(transfer: Transfer, actor: Actor) -> None:
    audit_record(
        actor=actor,
        event_type=f"transfer_{transfer.status}",
        subject_type="transfer",
        subject_id=transfer.reference,
        data={
            "kind": transfer.kind,
            "person_id": transfer.person_id,
            "from": transfer.from_region_id,
            "to": transfer.to_region_id,
            "effective_date": transfer.effective_date.isoformat(),
            "amount_fen": transfer.amount_fen,
            "application": transfer.application_reference,
        },
    )
    outbox_emit(
        TRANSFER_RECORDED,
        {
            "reference": transfer.reference,
            "status": transfer.status,
            "kind": transfer.kind,
            "person_id": transfer.person_id,
            "from_region_id": transfer.from_region_id,
            "to_region_id": transfer.to_region_id,
        },
    )


# ---- entry point -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidenceMove:
    person: Any
    transfer: Transfer | None  # None when no benefit follows (none running, or the policy)


@entrypoint
def person_residence_move(
    *, actor: Actor, id_number: str, region_code: str, on: date
) -> ResidenceMove:
    """A person's residence moved to ``region_code`` on ``on``; a running UI benefit follows them
    where the policy says so (``transfers.benefit_follows_residence``)."""
    try:
        region = region_get(code=region_code)
    except NotFound:
        raise InvalidInput.of(
            "region_code", "unknown_region", f"Unknown region code {region_code!r}."
        ) from None
    person = person_get(id_number=id_number, as_of=on)
    person = person_residence_change(
        actor=actor, id_number=person.id_number, region_id=region.pk, on=on
    )
    transfer = (
        Transfer.objects.filter(
            person_id=person.pk, kind=Transfer.Kind.RESIDENCE, effective_date=on
        )
        .order_by("-id")
        .first()
    )
    return ResidenceMove(person=person, transfer=transfer)


__all__ = [
    "ResidenceMove",
    "on_entitlement_ended",
    "on_entitlement_resumed",
    "on_residences_changed",
    "on_spells_started",
    "person_residence_move",
]
