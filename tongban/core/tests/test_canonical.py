"""One canonical text per recorded document (``core.canonical``)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_OBJECTS = st.dictionaries(st.text(), _JSON, max_size=5)


@given(first=_OBJECTS, second=_OBJECTS, nested=_OBJECTS, canonical_first=st.booleans())
def test_a_document_made_of_parts_has_the_text_encoding_it_whole_gives(
    first, second, nested, canonical_first
):
    part = CanonicalJson.of(first) if canonical_first else first
    document = CanonicalJson.of(part, second, {"nested": CanonicalJson(nested)})
    whole = {**first, **second, "nested": nested}
    assert document == whole
    assert document.text == canonical_json(whole)
    assert document.sha256 == sha256_of(whole)


def test_a_part_made_by_of_is_not_encoded_again():
    assessment = CanonicalJson.of({"months": 12, "steps": ["失业"]})
    assert assessment._texts is not None
    assessment._texts["steps"] = '["made once"]'  # shows the part's own texts are taken
    inputs = CanonicalJson({"x": 1})
    inputs.text = '{"x":"made once"}'
    document = CanonicalJson.of(assessment, {"inputs": inputs})
    assert document.text == '{"inputs":{"x":"made once"},"months":12,"steps":["made once"]}'


def test_parts_with_a_key_that_is_not_text_are_refused():
    with pytest.raises(TypeError):
        CanonicalJson.of({1: "a"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        CanonicalJson.of({"on": date(2026, 11, 26)})


# JSON without floats: what every recorded document is (money in fen, rates as text).
_EXACT = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(st.characters(codec="utf-8")), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(value=_EXACT)
def test_the_canonical_text_is_the_standard_encoders_byte_for_byte(value):
    """orjson writes the text (ADR 0214); documents hashed before it must hash the same."""
    standard = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(value) == standard
    assert json.dumps(value, cls=RecordJSONEncoder) == standard


def test_what_a_record_cannot_hold_is_refused():
    for value in ({1: "int key"}, {"n": 2**64}, {"at": datetime(2026, 11, 26, tzinfo=UTC)}):
        with pytest.raises(TypeError):
            CanonicalJson(value)
        with pytest.raises(TypeError):
            json.dumps(value, cls=RecordJSONEncoder)


def test_a_date_is_hashed_as_its_text():
    moment = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert canonical_json({"at": moment}) == '{"at":"2026-11-26 09:30:00+00:00"}'  # str(): no "T"


def test_a_float_is_written_as_orjson_writes_it():
    assert canonical_json([1.5, 0.00001, 1e16, float("nan")]) == "[1.5,0.00001,1e+16,null]"
