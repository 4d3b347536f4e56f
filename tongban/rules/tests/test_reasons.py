"""The reason catalogue: stable codes, both languages, and the separation reasons it quotes."""

from pathlib import Path

import yaml

from tongban.rules.reasons import CATALOGUE, SEPARATION_REASONS

REGISTRY_REASONS = Path(__file__).parents[2] / "registry" / "data" / "separation_reasons.yaml"


def test_separation_reasons_mirror_the_registry_file():
    rows = yaml.safe_load(REGISTRY_REASONS.read_text(encoding="utf-8"))["reasons"]
    # the rules engine is pure, so it keeps its own copy of the names; this keeps them equal
    assert {row["code"]: (row["zh"], row["en"]) for row in rows} == SEPARATION_REASONS


def test_every_reason_has_a_kind_and_both_languages():
    for code, (kind, zh, en) in CATALOGUE.items():
        assert code.isidentifier()
        assert kind in ("refusal", "pending", "note")
        assert zh.strip()
        assert en.strip()
        assert zh.count("{") == zh.count("}")
