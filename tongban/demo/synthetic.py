"""A deterministic synthetic province: people, employers, careers, contributions, separations.

Everything comes from one seeded ``random.Random`` and the ``as_of`` date, so the
same arguments always give the same province (the demo, the tests and the
benchmarks rely on it). Nothing here touches the database: :mod:`tongban.demo.load`
loads it through the registry's bulk paths, and :func:`write_csv` writes the
contract's import files.

Shape of the province (scale 1 ≈ 20,000 people, 1,500 employers):
- people are spread over the 19 regions roughly as the 2020 census, with valid
  citizen IDs (Hainan address codes), realistic Chinese names and working ages;
- most careers give six or more years of monthly contributions; about 15% are
  recent entrants with 1–6 years, so every duration band (12/18/24) occurs;
- about 30% have worked in two or more regions;
- separations carry a realistic mix of reasons (voluntary resignations included);
- about 1.5% were separated involuntarily in the last two months, have a year
  or more of contributions and no new job: they could claim today.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# GB/T 2260 code → (weight ≈ 2020 census population in 10k, address codes for IDs).
REGIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    "460100": (287, ("460105", "460106", "460107", "460108", "460100")),
    "460200": (103, ("460202", "460203", "460204", "460205", "460200")),
    "460300": (0.3, ("460300",)),
    "460400": (95, ("460400",)),
    "469001": (11, ("469001",)),
    "469002": (53, ("469002",)),
    "469005": (56, ("469005",)),
    "469006": (55, ("469006",)),
    "469007": (44, ("469007",)),
    "469021": (28, ("469021",)),
    "469022": (21, ("469022",)),
    "469023": (50, ("469023",)),
    "469024": (42, ("469024",)),
    "469025": (16, ("469025",)),
    "469026": (23, ("469026",)),
    "469027": (46, ("469027",)),
    "469028": (37, ("469028",)),
    "469029": (15, ("469029",)),
    "469030": (17, ("469030",)),
}
REGION_SHORT = {
    "460100": "海口", "460200": "三亚", "460300": "三沙", "460400": "儋州", "469001": "五指山",
    "469002": "琼海", "469005": "文昌", "469006": "万宁", "469007": "东方", "469021": "定安",
    "469022": "屯昌", "469023": "澄迈", "469024": "临高", "469025": "白沙", "469026": "昌江",
    "469027": "乐东", "469028": "陵水", "469029": "保亭", "469030": "琼中",
}  # fmt: skip

# Surnames weighted as in Hainan (王, 陈, 符, 吴, 李, 林 are the most common there).
SURNAMES = (
    ("王", 9), ("陈", 9), ("符", 6), ("吴", 6), ("李", 6), ("林", 6), ("黄", 4), ("张", 4),
    ("刘", 3), ("周", 3), ("杨", 3), ("郑", 2), ("蔡", 2), ("邢", 2), ("冯", 2), ("云", 2),
    ("羊", 1), ("钟", 1), ("梁", 1), ("何", 1), ("许", 1), ("潘", 1), ("曾", 1), ("韩", 1),
    ("郭", 1), ("赵", 1), ("徐", 1), ("孙", 1), ("朱", 1), ("胡", 1), ("罗", 1), ("谢", 1),
)  # fmt: skip
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志红玉梅海燕晓东俊峰"
    "小红丽华春梅德明家豪子涵欣怡宇轩浩然梓萱一鸣思远嘉怡婷婷雨欣佳琪振华永强秋菊冬梅"
    "少华少平亚男亚琴国华国强海龙海波海霞南燕南生琼花琼英椰青"
)
REASON_MIX = (
    ("contract_expired", 30), ("voluntary_resignation", 28), ("employer_proposed_agreed", 10),
    ("worker_proposed_agreed", 6), ("dismissed", 4), ("employer_rescinded", 5),
    ("worker_rescinded_employer_fault", 2), ("employer_closed", 6), ("transferred_out", 7),
    ("other_legal", 2),
)  # fmt: skip
INVOLUNTARY = {
    "contract_expired", "employer_proposed_agreed", "dismissed", "employer_rescinded",
    "worker_rescinded_employer_fault", "employer_closed", "other_legal",
}  # fmt: skip
EMPLOYER_WORDS = (
    "椰风", "蓝海", "南国", "琼州", "万泉", "博鳌", "天涯", "鹿回头", "椰林", "红树林", "南海",
    "热带", "海韵", "金椰", "绿岛", "阳光", "海航", "椰岛", "白鹭", "珊瑚",
)  # fmt: skip
EMPLOYER_TRADES = (
    "贸易", "酒店管理", "旅游", "热带农业", "物流", "信息科技", "建设工程", "餐饮管理", "物业服务",
    "医药", "橡胶", "海洋渔业", "免税商贸", "房地产开发", "教育咨询", "电子商务", "汽车服务",
    "文化传媒", "椰子食品", "航运",
)  # fmt: skip
EMPLOYER_SUFFIX = (("有限公司", 8), ("股份有限公司", 1), ("集团有限公司", 1))

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
CONTRIBUTION_RATE_PERMILLE = 10  # employer 0.5% + person 0.5% of the base (demo)


@dataclass(slots=True)
class Employer:
    uscc: str
    name: str
    region_code: str


@dataclass(slots=True)
class Person:
    id_number: str
    name: str
    birth_date: date
    sex: str
    residence_code: str
    phone: str
    bank_account: str
    monthly_base_fen: int


@dataclass(slots=True)
class Spell:
    person: int  # index into Province.persons
    employer: int  # index into Province.employers
    region_code: str
    start: date
    end: date | None
    reason_code: str | None


@dataclass
class Province:
    seed: int
    scale: float
    as_of: date
    employers: list[Employer] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    spells: list[Spell] = field(default_factory=list)
    claimants: list[int] = field(default_factory=list)  # persons who could claim today

    def contribution_rows(self) -> Iterator[tuple[int, int, str, date, int, int]]:
        """(person index, employer index, region code, month, base fen, amount fen) for each month."""
        growth = 1.03
        for spell in self.spells:
            person = self.persons[spell.person]
            month = spell.start.replace(day=1)
            end = spell.end or self.as_of.replace(day=1)
            while month < end:
                years_before = (self.as_of.year - month.year) + (
                    self.as_of.month - month.month
                ) / 12
                base = int(person.monthly_base_fen / growth**years_before) // 100 * 100
                yield (
                    spell.person,
                    spell.employer,
                    spell.region_code,
                    month,
                    base,
                    base * CONTRIBUTION_RATE_PERMILLE // 1000,
                )
                month = _next_month(month)

    def counts(self) -> dict[str, int]:
        regions_per_person: dict[int, set[str]] = {}
        for spell in self.spells:
            regions_per_person.setdefault(spell.person, set()).add(spell.region_code)
        return {
            "persons": len(self.persons),
            "employers": len(self.employers),
            "spells": len(self.spells),
            "multi_region_persons": sum(1 for r in regions_per_person.values() if len(r) > 1),
            "claimants": len(self.claimants),
        }


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, min(day.day, 28))


def _weighted(
    rng: random.Random, pairs: tuple[tuple[str, float], ...] | list[tuple[str, float]]
) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def citizen_id(address: str, birth: date, order: int) -> str:
    body = f"{address}{birth:%Y%m%d}{order:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def uscc(region_code: str, org_body: str) -> str:
    """A GB 32100 code: 9 1 + region + GB 11714 organisation code (with its check) + check."""
    org_total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(org_body, ORG_WEIGHTS, strict=True))
    org_check = (11 - org_total % 11) % 11
    org = org_body + ("X" if org_check == 10 else str(org_check))
    body = f"91{region_code}{org}"
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def _luhn_account(rng: random.Random) -> str:
    digits = [6, 2, 2, 2] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def synthesize(*, scale: float = 1.0, seed: int = 2026, as_of: date) -> Province:
    """Build the synthetic province in memory."""
    rng = random.Random(seed)
    province = Province(seed=seed, scale=scale, as_of=as_of)
    codes = list(REGIONS)
    weights = [REGIONS[c][0] for c in codes]
    employer_weights = [w**1.2 for w in weights]  # jobs concentrate in the cities

    # Employers, with unique valid codes and names.
    employers_by_region: dict[str, list[int]] = {c: [] for c in codes}
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    for _ in range(max(len(codes), round(1500 * scale))):
        region = rng.choices(codes, weights=employer_weights)[0]
        while True:
            code = uscc(region, "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(8)))
            if code not in seen_codes:
                break
        seen_codes.add(code)
        name = (
            f"{REGION_SHORT[region]}{rng.choice(EMPLOYER_WORDS)}"
            f"{rng.choice(EMPLOYER_TRADES)}{_weighted(rng, EMPLOYER_SUFFIX)}"
        )
        if name in seen_names:
            name = name.replace("有限公司", f"第{len(seen_names)}分公司有限公司", 1)
        seen_names.add(name)
        employers_by_region[region].append(len(province.employers))
        province.employers.append(Employer(code, name, region))
    for region in codes:  # every region has at least one employer
        if not employers_by_region[region]:
            code = uscc(region, f"{len(province.employers):08d}")
            employers_by_region[region].append(len(province.employers))
            province.employers.append(
                Employer(code, f"{REGION_SHORT[region]}公共服务有限公司", region)
            )

    seen_ids: set[str] = set()
    surnames = [s for s, _ in SURNAMES]
    surname_weights = [w for _, w in SURNAMES]
    for index in range(round(20000 * scale)):
        residence = rng.choices(codes, weights=weights)[0]
        recent_entrant = rng.random() < 0.15
        years_of_career = rng.uniform(1.05, 6) if recent_entrant else rng.uniform(6, 12.5)
        career_start = as_of - timedelta(days=round(years_of_career * 365.25))
        age_at_start = rng.uniform(18.5, 35)
        birth = career_start - timedelta(days=round(age_at_start * 365.25))
        if (as_of - birth).days > 59 * 365:  # keep everyone of working age today
            birth = as_of - timedelta(days=59 * 365 - rng.randrange(3000))
        male = rng.random() < 0.52
        address = rng.choice(REGIONS[residence][1])
        while True:
            order = rng.randrange(500) * 2 + (1 if male else 0)
            number = citizen_id(address, birth, order)
            if number not in seen_ids:
                break
        seen_ids.add(number)
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        person = Person(
            id_number=number,
            name=rng.choices(surnames, weights=surname_weights)[0] + given,
            birth_date=birth,
            sex="M" if male else "F",
            residence_code=residence,
            phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            bank_account=_luhn_account(rng) if rng.random() < 0.97 else "",
            monthly_base_fen=max(183000, int(rng.lognormvariate(8.55, 0.35)) * 100),
        )
        province.persons.append(person)
        _career(rng, province, index, residence, career_start, employers_by_region, codes, weights)
    return province


def _career(
    rng: random.Random,
    province: Province,
    person: int,
    residence: str,
    start: date,
    employers_by_region: dict[str, list[int]],
    codes: list[str],
    weights: list[float],
) -> None:
    as_of = province.as_of
    multi_region = rng.random() < 0.30
    count = rng.choices((1, 2, 3, 4), weights=(45, 30, 18, 7))[0]
    if multi_region:
        count = max(count, 2)
    regions = [residence] * count
    if multi_region:
        others = [c for c in codes if c != residence]
        other_weights = [w for c, w in zip(codes, weights, strict=True) if c != residence]
        for i in range(1, count):
            if i == 1 or rng.random() < 0.4:
                regions[i] = rng.choices(others, weights=other_weights)[0]
        if rng.random() < 0.5:  # some moved away, some came back
            regions.reverse()

    ending = rng.random()
    claimant = ending < 0.015
    recently_voluntary = 0.015 <= ending < 0.025
    long_gone = 0.025 <= ending < 0.14
    if claimant or recently_voluntary:
        career_end = as_of - timedelta(days=rng.randrange(10, 60))
    elif long_gone:
        career_end = as_of - timedelta(days=rng.randrange(90, 900))
    else:
        career_end = as_of + timedelta(days=1)  # still employed: the last spell stays open
    if claimant:  # at least a year of contributions
        start = min(start, career_end - timedelta(days=400))

    total_days = max(60, (career_end - start).days)
    cuts = (
        sorted(rng.sample(range(30, total_days - 29), count - 1))
        if count > 1 and total_days > 120
        else []
    )
    bounds = [start, *[start + timedelta(days=c) for c in cuts], career_end]
    if len(bounds) - 1 < count:
        regions = regions[: len(bounds) - 1]
    for i, region in enumerate(regions):
        spell_start = (
            bounds[i] if i == 0 else bounds[i] + timedelta(days=rng.choice((0, 0, 14, 31, 61)))
        )
        spell_start = spell_start.replace(day=1) if rng.random() < 0.6 else spell_start
        spell_start = min(spell_start, as_of)
        last = i == len(regions) - 1
        spell_end: date | None = bounds[i + 1]
        if last and not (claimant or recently_voluntary or long_gone):
            spell_end = None
        if spell_end is not None:
            if rng.random() < 0.7:
                spell_end = (
                    _next_month(spell_end.replace(day=1)) if spell_end.day > 1 else spell_end
                )
                if spell_end > as_of:
                    spell_end = as_of.replace(day=1)
            spell_end = min(spell_end, as_of)
            if spell_end <= spell_start:
                spell_start = spell_end - timedelta(days=31)
        if last and claimant:
            reason: str | None = _weighted(rng, [r for r in REASON_MIX if r[0] in INVOLUNTARY])
        elif last and recently_voluntary:
            reason = "voluntary_resignation"
        else:
            reason = _weighted(rng, REASON_MIX) if spell_end is not None else None
        employer = rng.choice(employers_by_region[region])
        if (
            province.spells
            and province.spells[-1].person == person
            and province.spells[-1].employer == employer
        ):
            employer = employers_by_region[region][
                (employers_by_region[region].index(employer) + 1) % len(employers_by_region[region])
            ]
        if any(
            s.employer == employer and s.start == spell_start
            for s in province.spells[-len(regions) :]
            if s.person == person
        ):
            continue  # one spell per (person, employer, start day), as the registry keys them
        province.spells.append(Spell(person, employer, region, spell_start, spell_end, reason))
    if claimant and province.spells[-1].person == person and province.spells[-1].end is not None:
        province.claimants.append(person)


def write_csv(province: Province, directory: Path) -> dict[str, Path]:
    """Write the contract's import files (employers, persons, spells, contributions)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: directory / f"{kind}.csv"
        for kind in ("employers", "persons", "spells", "contributions")
    }
    with paths["employers"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("uscc", "name", "region_code"))
        w.writerows((e.uscc, e.name, e.region_code) for e in province.employers)
    with paths["persons"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("id_number", "name", "residence_region_code", "phone", "bank_account"))
        w.writerows(
            (p.id_number, p.name, p.residence_code, p.phone, p.bank_account)
            for p in province.persons
        )
    with paths["spells"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("id_number", "uscc", "region_code", "start_date", "end_date", "reason_code"))
        w.writerows(
            (
                province.persons[s.person].id_number,
                province.employers[s.employer].uscc,
                s.region_code,
                s.start.isoformat(),
                s.end.isoformat() if s.end else "",
                s.reason_code or "",
            )
            for s in province.spells
        )
    with paths["contributions"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("id_number", "uscc", "region_code", "month", "base_fen", "amount_fen"))
        w.writerows(
            (
                province.persons[p].id_number,
                province.employers[e].uscc,
                region,
                f"{month:%Y-%m}",
                base,
                amount,
            )
            for p, e, region, month, base, amount in province.contribution_rows()
        )
    return paths
