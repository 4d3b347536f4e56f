"""Dated policy parameters (政策参数) read from TOML files, validated on load, versioned by content.

A parameter has periods ``[effective_from, effective_to)``, each with a value, optional
per-region overrides, a ``status`` (``law``/``national``/``demo``) and a ``source``. A
:class:`ParameterSet` records the exact texts it was built from, so a decision can store
them and be recomputed years later (:meth:`ParameterSet.from_text`).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Final, Literal, TypeAlias

from tongban.core.money import apply_rate, yuan_to_fen

Status = Literal["law", "national", "demo"]
STATUSES: Final = ("law", "national", "demo")
DEFAULT_DIRECTORY: Final = Path(__file__).resolve().parent / "parameters"
REGIONS_FILE: Final = "regions.toml"
_REGION_PATTERN: Final = re.compile(r"[0-9]{6}")
_ENTRY_KEYS: Final = frozenset(
    {"effective_from", "effective_to", "value", "regions", "status", "source", "note"}
)
_PARAMETER_KEYS: Final = frozenset({"kind", "description", "choices", "values"})


class ParameterError(ValueError):
    """A parameter file is invalid; the message names the file, the parameter and the fault."""


@dataclass(frozen=True, slots=True)
class Band:
    """A duration band: from ``from_months`` of contributions, ``months`` of benefit."""

    from_months: int
    months: int


@dataclass(frozen=True, slots=True)
class RetirementRule:
    """Statutory retirement age (法定退休年龄) with the 2025 gradual increase, by birth date."""

    base_age_years: int
    reform_from_birth: date | None
    birth_months_per_step: int
    max_delay_months: int


Value: TypeAlias = int | Decimal | bool | str | tuple[Band, ...] | RetirementRule
Kind = Literal["amount", "rate", "months", "count", "flag", "choice", "bands", "retirement"]
KINDS: Final = ("amount", "rate", "months", "count", "flag", "choice", "bands", "retirement")

# The parameters the engine reads, with their kinds: a file may not add others (a typo would
# otherwise be silently ignored) and must provide all of these.
SCHEMA: Final[Mapping[str, Kind]] = {
    "wages.minimum_wage": "amount",
    "wages.minimum_living_standard": "amount",
    "ui_benefit.rate": "rate",
    "ui_benefit.minimum_contribution_months": "months",
    "ui_benefit.duration_bands": "bands",
    "ui_benefit.carry_over_cap_months": "months",
    "ui_benefit.reclaim_unclaimed_below_months": "months",
    "ui_benefit.medical_premium": "amount",
    "stops.last_payable_month": "choice",
    "unemployment_subsidy.available": "flag",
    "unemployment_subsidy.rate": "rate",
    "unemployment_subsidy.max_months": "months",
    "skill_subsidy.contribution_months": "months",
    "skill_subsidy.application_window_months": "months",
    "skill_subsidy.cap_junior": "amount",
    "skill_subsidy.cap_intermediate": "amount",
    "skill_subsidy.cap_senior": "amount",
    "skill_subsidy.max_per_year": "count",
    "skill_subsidy.no_lower_after_higher": "flag",
    "skill_subsidy.ui_recipients_eligible": "flag",
    "funeral.funeral_grant_months": "months",
    "funeral.survivor_pension_months": "months",
    "training_subsidy.cap": "amount",
    "training_subsidy.application_window_months": "months",
    "rural_allowance.months_per_full_year": "rate",
    "rural_allowance.max_months": "rate",
    "working_age.minimum_years": "count",
    "working_age.retirement_male": "retirement",
    "working_age.retirement_female_worker": "retirement",
    "working_age.retirement_female_cadre": "retirement",
    "transfers.benefit_follows_residence": "flag",
    "transfers.amounts_moved": "choice",
}


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """One parameter value as used by a calculation: what, from when, where from, which version."""

    name: str
    value: Value
    unit: str
    region_code: str | None
    effective_from: date
    effective_to: date | None
    status: Status
    source: str
    file: str
    version: str

    def display(self) -> str:
        """The value as a person reads it (amounts in yuan)."""
        if self.unit == "fen" and isinstance(self.value, int):
            return f"{self.value / 100:.2f} yuan"
        if isinstance(self.value, tuple):
            return ", ".join(f"≥{b.from_months}→{b.months}" for b in self.value)
        if isinstance(self.value, RetirementRule):
            return (
                f"{self.value.base_age_years} years (+ up to {self.value.max_delay_months} months)"
            )
        return str(self.value)


@dataclass(frozen=True, slots=True)
class _Entry:
    effective_from: date
    effective_to: date | None
    value: Value
    regions: Mapping[str, Value]
    status: Status
    source: str


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    kind: Kind
    description: str
    entries: tuple[_Entry, ...]
    starts: tuple[date, ...]
    file: str
    version: str


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    zh: str
    en: str


_UNITS: Final[Mapping[str, str]] = {
    "amount": "fen",
    "rate": "ratio",
    "months": "months",
    "count": "count",
    "flag": "flag",
    "choice": "choice",
    "bands": "months",
    "retirement": "years",
}


class ParameterSet:
    """Every parameter file, validated; look-ups by name, date and region."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = {name: texts[name] for name in sorted(texts)}
        documents = {name: _parse(name, text) for name, text in self._texts.items()}
        self._file_versions = {name: _digest({name: doc}) for name, doc in documents.items()}
        self.version = _digest(documents)
        if REGIONS_FILE not in documents:
            raise ParameterError(f"{REGIONS_FILE}: the region list is missing")
        self.regions = _regions(documents[REGIONS_FILE])
        self._params: dict[str, _Parameter] = {}
        for file_name, document in documents.items():
            if file_name == REGIONS_FILE:
                continue
            stem = file_name.removesuffix(".toml")
            for key, table in document.items():
                if key == "title":
                    continue
                name = f"{stem}.{key}"
                if name in self._params:
                    raise ParameterError(f"{file_name}: {name} is defined twice")
                self._params[name] = _parameter(
                    file_name, name, table, self.regions, self._file_versions[file_name]
                )
        for name, kind in SCHEMA.items():
            if name not in self._params:
                raise ParameterError(f"parameter {name} ({kind}) is missing from the files")
        _check_ui_bounds(self)

    # -- recorded text -------------------------------------------------------------------
    @classmethod
    def from_text(cls, texts: Mapping[str, str]) -> ParameterSet:
        """Rebuild a set from the texts a decision recorded (:meth:`texts`)."""
        return cls(texts)

    def texts(self) -> dict[str, str]:
        """File name → exact text, to be stored with a decision."""
        return dict(self._texts)

    def file_version(self, file_name: str) -> str:
        return self._file_versions[file_name]

    @property
    def file_versions(self) -> dict[str, str]:
        return dict(self._file_versions)

    def names(self) -> list[str]:
        return sorted(self._params)

    # -- look-ups ------------------------------------------------------------------------
    def find(self, name: str, *, on: date, region: str | None = None) -> ParameterUse | None:
        """The value in force on ``on`` (with ``region``'s override if any), or None."""
        parameter = self._params.get(name)
        if parameter is None:
            raise KeyError(f"unknown parameter {name}")
        index = bisect_right(parameter.starts, on) - 1
        if index < 0:
            return None
        entry = parameter.entries[index]
        if entry.effective_to is not None and on >= entry.effective_to:
            return None
        value = entry.value
        used_region: str | None = None
        if region is not None and region in entry.regions:
            value = entry.regions[region]
            used_region = region
        return ParameterUse(
            name=name,
            value=value,
            unit=_UNITS[parameter.kind],
            region_code=used_region,
            effective_from=entry.effective_from,
            effective_to=entry.effective_to,
            status=entry.status,
            source=entry.source,
            file=parameter.file,
            version=parameter.version,
        )

    def get(self, name: str, *, on: date, region: str | None = None) -> ParameterUse:
        use = self.find(name, on=on, region=region)
        if use is None:
            raise ParameterError(f"parameter {name} has no value in force on {on.isoformat()}")
        return use

    def change_dates(self, name: str) -> tuple[date, ...]:
        parameter = self._params[name]
        ends = [e.effective_to for e in parameter.entries if e.effective_to is not None]
        return tuple(sorted(set(parameter.starts) | set(ends)))

    def kind(self, name: str) -> Kind:
        return self._params[name].kind

    # typed values, for calculations that need no explanation (the batch)
    def integer(self, name: str, *, on: date, region: str | None = None) -> int:
        return as_int(self.get(name, on=on, region=region))

    def rate(self, name: str, *, on: date, region: str | None = None) -> Decimal:
        return as_rate(self.get(name, on=on, region=region))

    def bands(self, name: str, *, on: date, region: str | None = None) -> tuple[Band, ...]:
        return as_bands(self.get(name, on=on, region=region))


def _wrong(use: ParameterUse, expected: str) -> ParameterError:
    return ParameterError(f"{use.file}: {use.name} is not {expected}: {use.value!r}")


def as_int(use: ParameterUse) -> int:
    """An amount (fen), months or count."""
    if isinstance(use.value, bool) or not isinstance(use.value, int):
        raise _wrong(use, "a whole number")
    return use.value


def as_rate(use: ParameterUse) -> Decimal:
    if not isinstance(use.value, Decimal):
        raise _wrong(use, "a rate")
    return use.value


def as_flag(use: ParameterUse) -> bool:
    if not isinstance(use.value, bool):
        raise _wrong(use, "a flag")
    return use.value


def as_choice(use: ParameterUse) -> str:
    if not isinstance(use.value, str):
        raise _wrong(use, "a choice")
    return use.value


def as_bands(use: ParameterUse) -> tuple[Band, ...]:
    if not isinstance(use.value, tuple):
        raise _wrong(use, "a list of bands")
    return use.value


def as_retirement(use: ParameterUse) -> RetirementRule:
    if not isinstance(use.value, RetirementRule):
        raise _wrong(use, "a retirement rule")
    return use.value


def load_parameters(directory: Path | None = None) -> ParameterSet:
    """Load every ``*.toml`` file of ``directory`` (default: the package's parameter files)."""
    folder = directory or DEFAULT_DIRECTORY
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.toml"))}
    if not texts:
        raise ParameterError(f"no parameter files in {folder}")
    return ParameterSet(texts)


@lru_cache(maxsize=1)
def default_parameters() -> ParameterSet:
    """The parameter files shipped with the code, loaded once per process."""
    return load_parameters()


# -- parsing and validation ---------------------------------------------------------------
def _parse(file_name: str, text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise ParameterError(f"{file_name}: not valid TOML: {error}") from None


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _digest(documents: Mapping[str, object]) -> str:
    """sha256 of the parsed content (comments and layout do not count), shortened."""
    canonical = json.dumps(_canonical(dict(documents)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _regions(document: Mapping[str, object]) -> dict[str, Region]:
    rows = document.get("regions")
    if not isinstance(rows, list) or not rows:
        raise ParameterError(f"{REGIONS_FILE}: needs a non-empty [[regions]] list")
    regions: dict[str, Region] = {}
    for row in rows:
        if not isinstance(row, dict):
            raise ParameterError(f"{REGIONS_FILE}: each region is a table")
        code, zh, en = row.get("code"), row.get("zh"), row.get("en")
        if not isinstance(code, str) or not _REGION_PATTERN.fullmatch(code):
            raise ParameterError(f"{REGIONS_FILE}: region code {code!r} is not six digits")
        if not isinstance(zh, str) or not isinstance(en, str) or not zh or not en:
            raise ParameterError(f"{REGIONS_FILE}: region {code} needs zh and en names")
        if code in regions:
            raise ParameterError(f"{REGIONS_FILE}: region {code} is listed twice")
        regions[code] = Region(code, zh, en)
    return regions


def _parameter(
    file_name: str, name: str, table: object, regions: Mapping[str, Region], version: str
) -> _Parameter:
    where = f"{file_name}: {name}"
    if not isinstance(table, dict):
        raise ParameterError(f"{where}: a parameter is a table with kind, description and values")
    unknown = set(table) - _PARAMETER_KEYS
    if unknown:
        raise ParameterError(f"{where}: unknown keys {sorted(unknown)}")
    if name not in SCHEMA:
        raise ParameterError(f"{where}: not a parameter the engine knows ({file_name})")
    kind = table.get("kind")
    if kind not in KINDS:
        raise ParameterError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind != SCHEMA[name]:
        raise ParameterError(f"{where}: kind must be {SCHEMA[name]}, not {kind}")
    description = table.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ParameterError(f"{where}: a description is required")
    choices = table.get("choices")
    if kind == "choice" and (
        not isinstance(choices, list) or not all(isinstance(c, str) for c in choices)
    ):
        raise ParameterError(f"{where}: a choice parameter lists its choices")
    raw_entries = table.get("values")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ParameterError(f"{where}: needs at least one [[values]] period")
    entries = sorted(
        (_entry(where, kind, raw, regions, choices) for raw in raw_entries),
        key=lambda e: e.effective_from,
    )
    for before, after in pairwise(entries):
        if before.effective_to is None or before.effective_to > after.effective_from:
            raise ParameterError(
                f"{where}: periods overlap: [{before.effective_from}, "
                f"{before.effective_to or '…'}) and [{after.effective_from}, "
                f"{after.effective_to or '…'})"
            )
    return _Parameter(
        name=name,
        kind=kind,
        description=description,
        entries=tuple(entries),
        starts=tuple(e.effective_from for e in entries),
        file=file_name,
        version=version,
    )


def _entry(
    where: str, kind: Kind, raw: object, regions: Mapping[str, Region], choices: object
) -> _Entry:
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: each period is a table")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise ParameterError(f"{where}: unknown keys {sorted(unknown)} in a period")
    start, end = raw.get("effective_from"), raw.get("effective_to")
    if not _is_date(start):
        raise ParameterError(f"{where}: effective_from must be a date (YYYY-MM-DD)")
    assert isinstance(start, date)
    if end is not None and not _is_date(end):
        raise ParameterError(f"{where}: effective_to must be a date (YYYY-MM-DD)")
    if isinstance(end, date) and end <= start:
        raise ParameterError(f"{where}: effective_to {end} is not after effective_from {start}")
    period = f"{where} from {start}"
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ParameterError(f"{period}: a source is required (the law, notice or 'demo' basis)")
    status = raw.get("status")
    if status not in STATUSES:
        raise ParameterError(f"{period}: status must be law, national or demo, not {status!r}")
    if "value" not in raw:
        raise ParameterError(f"{period}: a value is required")
    value = _value(period, kind, raw["value"], choices)
    overrides: dict[str, Value] = {}
    raw_regions = raw.get("regions", {})
    if not isinstance(raw_regions, dict):
        raise ParameterError(f"{period}: regions is a table of region code = value")
    for code, region_value in raw_regions.items():
        if not _REGION_PATTERN.fullmatch(code):
            raise ParameterError(f"{period}: region code {code!r} is not six digits")
        if code not in regions:
            raise ParameterError(f"{period}: region {code} is not in {REGIONS_FILE}")
        overrides[code] = _value(f"{period}, region {code}", kind, region_value, choices)
    assert status in STATUSES
    return _Entry(
        effective_from=start,
        effective_to=end if isinstance(end, date) else None,
        value=value,
        regions=overrides,
        status=status,
        source=source.strip(),
    )


def _is_date(value: object) -> bool:
    from datetime import datetime

    return isinstance(value, date) and not isinstance(value, datetime)


def _non_negative_int(where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{where}: must be a whole number, not {value!r}")
    if value < 0:
        raise ParameterError(f"{where}: must not be negative ({value})")
    return value


def _value(where: str, kind: Kind, raw: object, choices: object) -> Value:
    if kind == "amount":
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
            raise ParameterError(f"{where}: an amount in yuan, not {raw!r}")
        try:
            fen = yuan_to_fen(raw)
        except (ValueError, ArithmeticError):
            raise ParameterError(f"{where}: {raw!r} is not an amount in whole fen") from None
        if fen < 0:
            raise ParameterError(f"{where}: an amount must not be negative ({raw} yuan)")
        return fen
    if kind == "rate":
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise ParameterError(f"{where}: a rate is a number, not {raw!r}")
        rate = Decimal(raw)
        if rate < 0:
            raise ParameterError(f"{where}: a rate must not be negative ({rate})")
        return rate
    if kind in ("months", "count"):
        return _non_negative_int(where, raw)
    if kind == "flag":
        if not isinstance(raw, bool):
            raise ParameterError(f"{where}: true or false, not {raw!r}")
        return raw
    if kind == "choice":
        assert isinstance(choices, list)
        if raw not in choices:
            raise ParameterError(f"{where}: {raw!r} is not one of {choices}")
        assert isinstance(raw, str)
        return raw
    if kind == "bands":
        return _bands(where, raw)
    return _retirement(where, raw)


def _bands(where: str, raw: object) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise ParameterError(f"{where}: bands are a list of {{from_months, months}}")
    bands: list[Band] = []
    for row in raw:
        if not isinstance(row, dict) or set(row) != {"from_months", "months"}:
            raise ParameterError(f"{where}: each band is {{from_months = N, months = M}}")
        bands.append(
            Band(
                _non_negative_int(where, row["from_months"]),
                _non_negative_int(where, row["months"]),
            )
        )
    for lower, upper in pairwise(bands):
        if upper.from_months <= lower.from_months:
            raise ParameterError(f"{where}: bands must be in increasing from_months order")
    return tuple(bands)


def _retirement(where: str, raw: object) -> RetirementRule:
    keys = {"base_age_years", "reform_from_birth", "birth_months_per_step", "max_delay_months"}
    if not isinstance(raw, dict) or not {"base_age_years"} <= set(raw) <= keys:
        raise ParameterError(f"{where}: a retirement rule has the keys {sorted(keys)}")
    reform = raw.get("reform_from_birth")
    if reform is not None and not _is_date(reform):
        raise ParameterError(f"{where}: reform_from_birth must be a date")
    step = _non_negative_int(where, raw.get("birth_months_per_step", 1))
    if step == 0:
        raise ParameterError(f"{where}: birth_months_per_step must be at least 1")
    return RetirementRule(
        base_age_years=_non_negative_int(where, raw["base_age_years"]),
        reform_from_birth=reform if isinstance(reform, date) else None,
        birth_months_per_step=step,
        max_delay_months=_non_negative_int(where, raw.get("max_delay_months", 0)),
    )


def _check_ui_bounds(params: ParameterSet) -> None:
    """The UI benefit must lie in [minimum living standard, minimum wage) everywhere, always.

    Checked on every date any of the three parameters changes, for every region
    (Regulation art. 18, SIL art. 47).
    """
    names = ("wages.minimum_wage", "wages.minimum_living_standard", "ui_benefit.rate")
    dates: set[date] = set()
    for name in names:
        dates.update(params.change_dates(name))
    for on in sorted(dates):
        for region in params.regions:
            uses = [params.find(name, on=on, region=region) for name in names]
            if any(use is None for use in uses):
                continue
            wage_use, floor_use, rate_use = (use for use in uses if use is not None)
            wage = as_int(wage_use)
            amount = max(apply_rate(wage, as_rate(rate_use)), as_int(floor_use))
            if amount >= wage:
                raise ParameterError(
                    f"on {on} in region {region} the UI benefit ({amount} fen) would not be "
                    f"below the minimum wage ({wage} fen); check the rate and the "
                    f"minimum living standard (Regulation art. 18)"
                )
