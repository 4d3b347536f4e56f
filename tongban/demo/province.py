"""``tongban demo``: the reference data, a synthetic province, demo logins and API clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model

from tongban.channels.services import client_create
from tongban.channels.setup import platform_init
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.models import AuditEvent
from tongban.core.transactions import unit_of_work
from tongban.demo.books import demo_books_post
from tongban.demo.cases import demo_cases
from tongban.demo.load import load_province
from tongban.demo.signals import demo_signals
from tongban.demo.synthetic import synthesize
from tongban.regions.selectors import offices_list
from tongban.regions.services import staff_create

DEMO_PASSWORD = "Tongban-demo-2026"  # noqa: S105 - printed on screen; demo accounts only
ACTOR = Actor.operator("tongban demo")

# The logins printed for the walk-through: a Sanya-insured person served in Haikou.
FEATURED = (
    ("haikou.acceptor", "haikou-longhua", ("acceptor",)),
    ("haikou.reviewer", "haikou-agency", ("acceptor", "reviewer")),
    ("haikou.finance", "haikou-agency", ("finance",)),
    ("sanya.acceptor", "sanya-jiyang", ("acceptor",)),
    ("sanya.reviewer", "sanya-agency", ("acceptor", "reviewer")),
    ("sanya.finance", "sanya-agency", ("finance",)),
    ("haikou.supervisor", "haikou-agency", ("supervisor",)),
    ("province.supervisor", "hainan-province", ("supervisor", "finance")),
    ("longhua.head", "haikou-longhua", ("head",)),
)


@dataclass(frozen=True)
class DemoInfo:
    seed: int
    scale: float
    as_of: date
    created: bool
    channel_token: str | None = None
    employer_token: str | None = None
    employer_name: str | None = None
    claimant_id: str | None = None


def demo_province(
    *, scale: float, seed: int, as_of: date, say: Callable[[str], None] = print
) -> DemoInfo:
    """Initialise and, unless a demo province is already loaded, generate and load one."""
    platform_init(actor=ACTOR, say=say)
    loaded = AuditEvent.objects.filter(event_type="demo_province_loaded").order_by("-at").first()
    if loaded is not None:
        data = loaded.data
        say(
            f"demo province already loaded (seed {data['seed']}, scale {data['scale']}, "
            f"as of {data['as_of']}); `make clean` starts afresh"
        )
        return DemoInfo(
            data["seed"], data["scale"], date.fromisoformat(data["as_of"]), created=False
        )
    say(f"generating the synthetic province (seed {seed}, scale {scale}, as of {as_of})…")
    province = synthesize(scale=scale, seed=seed, as_of=as_of)
    counts = province.counts()
    say(
        f"  {counts['persons']:,} people, {counts['employers']:,} employers, {counts['spells']:,} spells; "
        f"{counts['multi_region_persons']:,} worked in several regions; "
        f"{counts['claimants']:,} could claim UI benefit today"
    )
    stats = load_province(province, say=say)
    demo_books_post(actor=ACTOR, as_of=as_of, seed=seed, say=say)
    _staff(say)
    cases = demo_cases(province, say=say)
    demo_signals(
        recipients=cases.recipients, employers=province.employers, actor=ACTOR, as_of=as_of,
        say=say,
    )  # fmt: skip
    with unit_of_work():
        audit_record(
            actor=ACTOR,
            event_type="demo_province_loaded",
            subject_type="demo",
            subject_id=seed,
            data={"seed": seed, "scale": scale, "as_of": as_of.isoformat(), **counts, **stats.rows},
        )
    employer = province.employers[0]
    channel = client_create(
        actor=ACTOR, kind="channel", name="支付宝小程序（演示）", channel="alipay"
    )
    employer_client = client_create(actor=ACTOR, kind="employer", name=None, uscc=employer.uscc)
    claimant = cases.untouched[0] if cases.untouched else None
    return DemoInfo(
        seed,
        scale,
        as_of,
        created=True,
        channel_token=channel.token,
        employer_token=employer_client.token,
        employer_name=employer.name,
        claimant_id=claimant,
    )


def _staff(say: Callable[[str], None]) -> None:
    """Featured logins, plus an acceptor and a reviewer at every other office."""
    users = get_user_model().objects
    wanted = list(FEATURED)
    featured_offices = {code for _, code, _ in FEATURED}
    for office in offices_list():
        if office.code in featured_offices or office.is_provincial:
            continue
        slug = office.code.replace("-agency", "")
        wanted.append((f"{slug}.acceptor", office.code, ("acceptor",)))
        if office.is_insurance_agency:
            wanted.append((f"{slug}.reviewer", office.code, ("acceptor", "reviewer")))
    for username, office_code, roles in wanted:
        if not users.filter(username=username).exists():
            staff_create(
                actor=ACTOR,
                username=username,
                office_code=office_code,
                roles=list(roles),
                password=DEMO_PASSWORD,
            )
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", password=DEMO_PASSWORD)
    say(f"  {len(wanted)} caseworker logins and an administrator")


def describe(info: DemoInfo, *, port: int) -> list[str]:
    lines = [
        "",
        f"Tongban demo — http://127.0.0.1:{port}/",
        f"  Staff sign-in: http://127.0.0.1:{port}/accounts/login/   password for every demo login: {DEMO_PASSWORD}",
    ]
    for username, office, roles in FEATURED:
        lines.append(f"    {username:<20} {office:<16} {', '.join(roles)}")
    lines.append(
        "    <office>.acceptor / <agency>.reviewer for every other office (e.g. danzhou.reviewer)"
    )
    lines.append("    admin (Django admin at /admin/)")
    lines.append(f"  API: http://127.0.0.1:{port}/api/v1/docs")
    if info.channel_token:
        lines.append(f"    channel token (支付宝小程序, shown once): {info.channel_token}")
        lines.append(
            f"    employer token ({info.employer_name}, shown once): {info.employer_token}"
        )
    else:
        lines.append(
            "    API tokens were printed when the demo was first loaded; make new ones with"
        )
        lines.append("    .venv/bin/tongban client create --kind channel --name mine")
    lines.append(
        f"  Claimant portal: http://127.0.0.1:{port}/me/   (simulated real-name sign-in: "
        "an ID number, then the one-time code shown on the page)"
    )
    if info.claimant_id:
        lines.append(f"  A person who could claim today: {info.claimant_id}")
    return lines
