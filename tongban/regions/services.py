"""Writing reference data (regions, funds, offices) and staff accounts."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, InvalidInput
from tongban.core.transactions import unit_of_work
from tongban.regions.models import Fund, Office, Region, RegionCode, Role, StaffMember, StaffRole


@dataclass(frozen=True)
class LoadSummary:
    regions: int
    offices: int
    created: int


def _load_yaml() -> dict[str, Any]:
    text = resources.files("tongban.regions").joinpath("data/regions.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def reference_data_load(*, actor: Actor) -> LoadSummary:
    """Create or update regions, their funds and offices from ``data/regions.yaml``; idempotent."""
    data = _load_yaml()
    created = 0
    offices = 0
    with transaction.atomic():
        for order, entry in enumerate(data["regions"]):
            region, was_created = Region.objects.update_or_create(
                code=entry["code"],
                defaults={
                    "slug": entry["slug"],
                    "name_zh": entry["zh"],
                    "name_en": entry["en"],
                    "sort_order": order,
                },
            )
            created += was_created
            for code in entry.get("codes", [{"code": entry["code"]}]):
                RegionCode.objects.update_or_create(
                    code=code["code"],
                    valid_from=code.get("valid_from"),
                    defaults={"region": region, "valid_to": code.get("valid_to")},
                )
            Fund.objects.update_or_create(
                region=region,
                defaults={
                    "code": f"UI-{region.code}",
                    "name_zh": f"{region.name_zh}失业保险基金",
                    "name_en": f"{region.name_en} unemployment insurance fund",
                },
            )
            Office.objects.update_or_create(
                code=f"{region.slug}-agency",
                defaults={
                    "region": region,
                    "kind": Office.Kind.AGENCY,
                    "name_zh": f"{region.name_zh}社会保险服务中心",
                    "name_en": f"{region.name_en} social insurance agency",
                    "is_default_for_region": True,
                },
            )
            offices += 1
            for district in entry.get("districts", []):
                Office.objects.update_or_create(
                    code=f"{region.slug}-{district['slug']}",
                    defaults={
                        "region": region,
                        "kind": Office.Kind.SERVICE,
                        "name_zh": f"{region.name_zh}{district['zh']}社保服务站",
                        "name_en": f"{region.name_en} {district['en']} service office",
                        "district_code": district["code"],
                        "is_default_for_region": False,
                    },
                )
                offices += 1
        province = data.get("province")
        if province:
            Office.objects.update_or_create(
                code=province["code"],
                defaults={
                    "region": Region.objects.get(code=province["seat"]),
                    "kind": Office.Kind.PROVINCE,
                    "name_zh": province["zh"],
                    "name_en": province["en"],
                    "is_default_for_region": False,
                },
            )
            offices += 1
        if created:
            audit_record(
                actor=actor,
                event_type="reference_regions_loaded",
                subject_type="regions",
                subject_id="all",
                data={"regions": len(data["regions"]), "created": created},
            )
    return LoadSummary(regions=len(data["regions"]), offices=offices, created=created)


def staff_create(
    *,
    actor: Actor,
    username: str,
    office_code: str,
    roles: list[str],
    password: str | None,
    full_name: str = "",
) -> StaffMember:
    """Create a caseworker at one office with the given roles.

    Without a password the account cannot log in until one is set (``tongban changepassword``).
    """
    unknown = [r for r in roles if r not in Role.values]
    if unknown or not roles:
        raise InvalidInput.of(
            "role", "unknown_role", f"Role must be one of {', '.join(Role.values)}."
        )
    user_model = get_user_model()
    office = Office.objects.filter(code=office_code).first()
    if office is None:
        raise InvalidInput.of("office", "unknown_office", f"Unknown office code {office_code!r}.")
    if password is not None:
        try:
            validate_password(password)
        except DjangoValidationError as error:
            raise InvalidInput.of("password", "weak_password", " ".join(error.messages)) from None
    with unit_of_work():
        if user_model.objects.filter(username=username).exists():
            raise Conflict(f"A user called {username!r} already exists.", code="username_taken")
        first, _, last = full_name.partition(" ")
        user = user_model.objects.create_user(
            username=username, password=password, first_name=first, last_name=last
        )
        member = StaffMember.objects.create(user=user, office=office, created_at=clock.now())
        StaffRole.objects.bulk_create([StaffRole(member=member, role=r) for r in roles])
        audit_record(
            actor=actor,
            event_type="staff_created",
            subject_type="staff",
            subject_id=username,
            data={"office": office.code, "roles": roles},
            office_code=office.code,
        )
    return member
