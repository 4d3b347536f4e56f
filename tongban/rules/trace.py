"""The working notebook of one assessment: parameter look-ups, explanation steps and reasons.

Every parameter read through a :class:`Trace` is attached to the next explanation step,
so no figure reaches a result without the parameter (version, status, source) behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from tongban.rules.params import (
    Band,
    ParameterSet,
    ParameterUse,
    Region,
    RetirementRule,
    as_bands,
    as_choice,
    as_flag,
    as_int,
    as_rate,
    as_retirement,
)
from tongban.rules.reasons import reason
from tongban.rules.result import Assessment, Detail, Figure, Reason, ReasonKind, Step

# Legal sources cited by the steps (POLICY.md sections in brackets).
SRC_UI_CONDITIONS: Final = (
    "失业保险条例第十四条；社会保险法第四十五条 / Regulation art. 14; SIL art. 45 (POLICY.md §3)"
)
SRC_INVOLUNTARY: Final = (
    "非因本人意愿中断就业的情形（实施社会保险法若干规定第十三条）；停保原因可由本人提出异议并复核 / "
    "involuntary separation (national rule implementing SIL, art. 13); a contested employer "
    "reason is re-verified (national notice on UI handling quality) (POLICY.md §3)"
)
SRC_DURATION: Final = (
    "失业保险条例第十七条；社会保险法第四十六条 / Regulation art. 17; SIL art. 46 (POLICY.md §3)"
)
SRC_RECLAIM: Final = (
    "失业保险金申领发放办法第十五条第二项 / Measures on claiming UI benefit (MOLSS Order 8) "
    "art. 15(2)"
)
SRC_START: Final = (
    "失业保险条例第十六条 / Regulation art. 16: from the day of unemployment registration, "
    "paid monthly; benefit months are calendar months (POLICY.md §3, contract: bank files)"
)
SRC_AMOUNT: Final = (
    "失业保险条例第十八条；社会保险法第四十七条 / Regulation art. 18; SIL art. 47 (POLICY.md §3)"
)
SRC_MEDICAL: Final = "社会保险法第四十八条 / SIL art. 48 (POLICY.md §3)"
SRC_PAYING_REGION: Final = (
    "失业保险条例第二十二条；社会保险法第五十二条：参保地基金支付 / Regulation art. 22; SIL art. 52: "
    "paid by the fund of the insured region (POLICY.md §1, §5)"
)
SRC_STOPS: Final = (
    "失业保险条例第十五条；社会保险法第五十一条；社会保险经办条例第二十五、四十六条 / Regulation art. 15; "
    "SIL art. 51; Handling Regulation art. 25, 46 (POLICY.md §3)"
)
SRC_WORKING_AGE: Final = (
    "劳动法第十五条；法定退休年龄 / Labour Law art. 15; statutory retirement age"
)
SRC_SUBSIDY: Final = (
    "失业补助金（国家阶段性政策）/ unemployment subsidy, national temporary policy (POLICY.md §4)"
)
SRC_SKILL: Final = (
    "人社部发〔2017〕40号；人社厅发〔2019〕94号 / national notices 2017, 2019 (POLICY.md §4)"
)
SRC_FUNERAL: Final = (
    "失业保险条例第二十条；社会保险法第四十九条 / Regulation art. 20; SIL art. 49 (POLICY.md §4)"
)
SRC_TRAINING: Final = "失业保险条例第十条 / Regulation art. 10 (POLICY.md §4)"
SRC_RURAL: Final = "失业保险条例第二十一条 / Regulation art. 21 (POLICY.md §4)"
SRC_REGISTRATION: Final = "就业促进法第三十五条；社会保险法第五十条 / Employment Promotion Law art. 35; SIL art. 50 (POLICY.md §2)"
SRC_TRANSFER: Final = (
    "失业保险条例第二十二条；社会保险法第五十二条 / Regulation art. 22; SIL art. 52 (POLICY.md §5)"
)
SRC_HANDLING: Final = "社会保险经办条例 / Handling Regulation (POLICY.md §2)"
SRC_CERTIFICATE: Final = (
    "就业服务与就业管理规定 / national rule on employment services (POLICY.md §2)"
)


class Trace:
    """Collects what one assessment looked up, decided and why."""

    __slots__ = ("_pending_uses", "as_of", "files", "item", "params", "reasons", "steps")

    def __init__(self, params: ParameterSet, as_of: date, item: str) -> None:
        self.params = params
        self.as_of = as_of
        self.item = item
        self.steps: list[Step] = []
        self.reasons: list[Reason] = []
        self.files: set[str] = set()
        self._pending_uses: list[ParameterUse] = []

    @property
    def regions(self) -> Mapping[str, Region]:
        return self.params.regions

    # -- parameters ------------------------------------------------------------------------
    def use(self, name: str, *, on: date, region: str | None = None) -> ParameterUse:
        found = self.params.get(name, on=on, region=region)
        self._pending_uses.append(found)
        self.files.add(found.file)
        return found

    def find(self, name: str, *, on: date, region: str | None = None) -> ParameterUse | None:
        found = self.params.find(name, on=on, region=region)
        if found is not None:
            self._pending_uses.append(found)
            self.files.add(found.file)
        return found

    def fen(self, name: str, *, on: date, region: str | None = None) -> int:
        return as_int(self.use(name, on=on, region=region))

    def integer(self, name: str, *, on: date, region: str | None = None) -> int:
        return as_int(self.use(name, on=on, region=region))

    def rate(self, name: str, *, on: date, region: str | None = None) -> Decimal:
        return as_rate(self.use(name, on=on, region=region))

    def flag(self, name: str, *, on: date, region: str | None = None) -> bool:
        return as_flag(self.use(name, on=on, region=region))

    def choice(self, name: str, *, on: date, region: str | None = None) -> str:
        return as_choice(self.use(name, on=on, region=region))

    def bands(self, name: str, *, on: date, region: str | None = None) -> tuple[Band, ...]:
        return as_bands(self.use(name, on=on, region=region))

    def retirement(self, name: str, *, on: date) -> RetirementRule:
        return as_retirement(self.use(name, on=on))

    # -- explanation and reasons -----------------------------------------------------------
    def step(self, rule: str, zh: str, en: str, source: str, **figures: Figure) -> None:
        """Record a step; the parameters looked up since the last step are attached to it."""
        self.steps.append(
            Step(
                rule=rule,
                zh=zh,
                en=en,
                source=source,
                figures=tuple(figures.items()),
                parameters=tuple(self._pending_uses),
            )
        )
        self._pending_uses = []

    def add(self, code: str, *, as_kind: ReasonKind | None = None, **values: object) -> Reason:
        found = reason(code, self.params.regions, **values)
        if as_kind is not None and as_kind != found.kind:
            found = Reason(code=found.code, kind=as_kind, zh=found.zh, en=found.en)
        self.reasons.append(found)
        return found

    @property
    def refused(self) -> bool:
        return any(r.kind == "refusal" for r in self.reasons)

    @property
    def pending(self) -> bool:
        return not self.refused and any(r.kind == "pending" for r in self.reasons)

    def parameter_versions(self) -> tuple[tuple[str, str], ...]:
        return tuple((f, self.params.file_version(f)) for f in sorted(self.files))

    def assessment(
        self,
        *,
        months: int | None = None,
        monthly_amount_fen: int | None = None,
        amount_fen: int | None = None,
        start: date | None = None,
        paying_region: str | None = None,
        medical_premium_fen: int | None = None,
        components: tuple[tuple[str, int], ...] = (),
        details: tuple[tuple[str, Detail], ...] = (),
        eligible: bool | None = None,
    ) -> Assessment:
        if self._pending_uses:  # parameters read after the last step still count
            self.step("parameters", "其他参数", "other parameters", "parameter files")
        return Assessment(
            item=self.item,
            as_of=self.as_of,
            eligible=(not self.refused and not self.pending) if eligible is None else eligible,
            pending=self.pending,
            reasons=tuple(self.reasons),
            months=months,
            monthly_amount_fen=monthly_amount_fen,
            amount_fen=amount_fen,
            start=start,
            paying_region=paying_region,
            medical_premium_fen=medical_premium_fen,
            components=components,
            details=details,
            explanation=tuple(self.steps),
            parameter_set_version=self.params.version,
            parameter_versions=self.parameter_versions(),
        )
