"""One canonical text per recorded document (``core.canonical``)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from tongban.core.canonical import CanonicalJson, RecordJSONEncoder, canonical_json, sha256_of

DOCUMENT = {"b": [1, {"y": "失业", "x": None}], "a": date(2026, 11, 26), "c": Decimal("1.50")}


def test_the_canonical_text_sorts_keys_keeps_characters_and_writes_dates_as_text():
    assert canonical_json(DOCUMENT) == (
        '{"a":"2026-11-26","b":[1,{"x":null,"y":"失业"}],"c":"1.50"}'
    )
    assert sha256_of(DOCUMENT) == hashlib.sha256(canonical_json(DOCUMENT).encode()).hexdigest()


def test_a_canonical_document_carries_its_text_and_hash():
    value = {"b": [1, {"y": "失业", "x": None}], "a": "2026-11-26"}
    document = CanonicalJson(value)
    assert document == value
    assert (
        document.text == canonical_json(value) == '{"a":"2026-11-26","b":[1,{"x":null,"y":"失业"}]}'
    )
    assert document.sha256 == sha256_of(value)


def test_a_value_that_is_not_json_is_refused_as_the_field_would_refuse_it():
    with pytest.raises(TypeError):
        CanonicalJson({"on": date(2026, 11, 26)})
    with pytest.raises(TypeError):
        json.dumps({"on": date(2026, 11, 26)}, cls=RecordJSONEncoder)


def test_the_record_encoder_stores_the_text_as_it_was_made():
    document = CanonicalJson({"k": 1})
    document.text = '{"k":1,"made":"once"}'  # shows the text is taken, not encoded again
    assert json.dumps(document, cls=RecordJSONEncoder) == '{"k":1,"made":"once"}'


def test_the_record_encoder_writes_other_values_canonically():
    value = {"b": 2, "a": ["失业", 1.5]}
    assert json.dumps(value, cls=RecordJSONEncoder) == '{"a":["失业",1.5],"b":2}'
    assert json.dumps([value], cls=RecordJSONEncoder) == '[{"a":["失业",1.5],"b":2}]'
