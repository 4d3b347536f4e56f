"""OpenFisca-core peer for the rules benchmark: the same UI-benefit formula, the same persons.

Runs in its own virtual environment (``var/bench/openfisca-venv``), never in Tongban's:
OpenFisca is a benchmark peer, not a dependency (docs/decisions/0102-openfisca-benchmark-peer.md).
It imports nothing from Tongban. Usage::

    python openfisca_peer.py INPUT.json

INPUT.json holds the parameter values (fen, months) and the persons in columns; the script
prints one JSON object: timings, and a digest of the results so the caller can check that
both engines gave the same figures.
"""

# mypy: ignore-errors
# (runs in the peer venv, where OpenFisca and numpy are installed; not type-checked here)
from __future__ import annotations

import hashlib
import json
import sys
import time

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.model_api import max_, min_, select, where
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import MONTH
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable


def build_system(spec: dict) -> tuple[TaxBenefitSystem, type[Enum]]:
    regions = spec["regions"]
    region_enum = Enum("Region", [(f"r{code}", code) for code in regions])
    person = build_entity(
        key="person", plural="persons", label="Person", is_person=True, doc="A person."
    )
    system = TaxBenefitSystem([person])
    since = spec["parameters_since"]

    def by_region(values: dict[str, int]) -> dict:
        return {f"r{code}": {"values": {since: values[code]}} for code in regions}

    bands = spec["bands"]  # [[from_months, months], ...], increasing
    system.parameters = ParameterNode(
        "",
        data={
            "wages": {
                "minimum_wage": by_region(spec["minimum_wage_fen"]),
                "minimum_living_standard": by_region(spec["minimum_living_standard_fen"]),
            },
            "ui_benefit": {
                "rate_per_mille": {"values": {since: spec["rate_per_mille"]}},
                "medical_premium": by_region(spec["medical_premium_fen"]),
                "minimum": {"values": {since: spec["minimum_contribution_months"]}},
                "reclaim_below": {"values": {since: spec["reclaim_below_months"]}},
                "cap": {"values": {since: spec["cap_months"]}},
                **{
                    f"band_{i}": {
                        "from_months": {"values": {since: start}},
                        "months": {"values": {since: months}},
                    }
                    for i, (start, months) in enumerate(bands)
                },
            },
        },
    )

    class paying_region(Variable):
        value_type = Enum
        possible_values = region_enum
        default_value = next(iter(region_enum))
        entity = person
        definition_period = MONTH
        label = "Paying region (insured region)"

    class contribution_months(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Contribution months since the last determination"

    class unclaimed_months(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Months left unclaimed from the last determination"

    class ui_benefit_months(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Months of UI benefit"

        def formula(person, period, parameters):
            p = parameters(period).ui_benefit
            new = person("contribution_months", period)
            carried = person("unclaimed_months", period)
            band_list = [p[f"band_{i}"] for i in range(len(bands))]
            band = select(
                [new >= b.from_months for b in reversed(band_list)],
                [b.months for b in reversed(band_list)],
                0,
            )
            band = where(new >= p.minimum, band, 0)
            counted = where((new >= p.minimum) + (new < p.reclaim_below), carried, 0)
            return min_(band + counted, p.cap)

    class ui_benefit_amount(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Monthly UI benefit in fen (rate x minimum wage, half-up, not below the floor)"

        def formula(person, period, parameters):
            region = person("paying_region", period)
            wages = parameters(period).wages
            wage = wages.minimum_wage[region]
            floor = wages.minimum_living_standard[region]
            per_mille = parameters(period).ui_benefit.rate_per_mille
            # half-up to the fen in integers: floor(wage * r / 1000 + 1/2)
            amount = (wage * per_mille * 2 + 1000) // 2000
            months = person("ui_benefit_months", period)
            return where(months > 0, max_(amount, floor), 0)

    class medical_premium(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Monthly medical premium paid by the fund, in fen"

        def formula(person, period, parameters):
            region = person("paying_region", period)
            premium = parameters(period).ui_benefit.medical_premium[region]
            return where(person("ui_benefit_months", period) > 0, premium, 0)

    def by_index(node, period, parameters):
        """The region values as an array in enum-index order (instead of fancy indexing)."""
        values = node(parameters(period))
        return np.array([values[f"r{code}"] for code in regions])

    class ui_benefit_amount_indexed(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Monthly UI benefit, region values taken by index (hand-vectorised variant)"

        def formula(person, period, parameters):
            index = np.asarray(person("paying_region", period))
            wage = by_index(lambda p: p.wages.minimum_wage, period, parameters)[index]
            floor = by_index(lambda p: p.wages.minimum_living_standard, period, parameters)[index]
            per_mille = parameters(period).ui_benefit.rate_per_mille
            amount = (wage * per_mille * 2 + 1000) // 2000
            months = person("ui_benefit_months", period)
            return where(months > 0, max_(amount, floor), 0)

    class medical_premium_indexed(Variable):
        value_type = int
        entity = person
        definition_period = MONTH
        label = "Monthly medical premium, region values taken by index"

        def formula(person, period, parameters):
            index = np.asarray(person("paying_region", period))
            premium = by_index(lambda p: p.ui_benefit.medical_premium, period, parameters)[index]
            return where(person("ui_benefit_months", period) > 0, premium, 0)

    for variable in (
        ui_benefit_amount_indexed,
        medical_premium_indexed,
        paying_region,
        contribution_months,
        unclaimed_months,
        ui_benefit_months,
        ui_benefit_amount,
        medical_premium,
    ):
        system.add_variable(variable)
    return system, region_enum


def digest(*columns: np.ndarray) -> str:
    sha = hashlib.sha256()
    for column in columns:
        sha.update(np.ascontiguousarray(column, dtype="<i8").tobytes())
    return sha.hexdigest()


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    system, region_enum = build_system(spec)
    index_of = {code: i for i, code in enumerate(spec["regions"])}
    # Inputs handed over already encoded (region indices, int arrays): the form that favours
    # OpenFisca; string decoding is not counted against it.
    region_index = np.array([index_of[r] for r in spec["paying_region"]], dtype=np.int16)
    contribution = np.array(spec["contribution_months"], dtype=np.int32)
    unclaimed = np.array(spec["unclaimed_months"], dtype=np.int32)
    count = len(region_index)
    period = spec["period"]

    def measure(amount_variable: str, premium_variable: str) -> tuple[list[dict], str]:
        timings = []
        for _ in range(spec.get("repeats", 3)):
            started = time.perf_counter()
            simulation = SimulationBuilder().build_default_simulation(system, count)
            simulation.set_input("paying_region", period, EnumArray(region_index, region_enum))
            simulation.set_input("contribution_months", period, contribution)
            simulation.set_input("unclaimed_months", period, unclaimed)
            built = time.perf_counter()
            months = simulation.calculate("ui_benefit_months", period)
            amount = simulation.calculate(amount_variable, period)
            premium = simulation.calculate(premium_variable, period)
            finished = time.perf_counter()
            timings.append({"build_s": built - started, "calculate_s": finished - built})
        return timings, digest(months, amount, premium)

    idiomatic, idiomatic_digest = measure("ui_benefit_amount", "medical_premium")
    indexed, indexed_digest = measure("ui_benefit_amount_indexed", "medical_premium_indexed")
    best = min(idiomatic, key=lambda t: t["build_s"] + t["calculate_s"])
    best_indexed = min(indexed, key=lambda t: t["build_s"] + t["calculate_s"])
    import openfisca_core

    print(
        json.dumps(
            {
                "openfisca_core": getattr(openfisca_core, "__version__", None)
                or _version("openfisca-core"),
                "numpy": np.__version__,
                "persons": count,
                "timings": idiomatic,
                "best_total_s": best["build_s"] + best["calculate_s"],
                "best_calculate_s": best["calculate_s"],
                "digest": idiomatic_digest,
                "indexed_timings": indexed,
                "indexed_best_total_s": best_indexed["build_s"] + best_indexed["calculate_s"],
                "indexed_digest": indexed_digest,
            }
        )
    )


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main(sys.argv[1])
