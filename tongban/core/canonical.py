"""JSON documents kept as records: one canonical text, hashed and stored as it is.

A decision records what its reviewer saw and a finished case is sealed into its office's
archive; each keeps a SHA-256 of its document's canonical text (sorted keys, no spaces, UTF-8).
The text is made once: :class:`CanonicalJson` carries it, and a JSON field that keeps records
(``encoder=RecordJSONEncoder``) stores that same text instead of encoding the document again.
Any other value such a field is given is stored in the same canonical form.

The text is written by orjson (ADR 0214): the standard library's encoder made the same text
seven times slower, and a claim encodes about 40 kB of documents. For strings, integers,
booleans, null, lists and objects the two write the same bytes (a test holds them to it), so
a document hashed before still hashes the same. A float is written as orjson writes it, which
differs from ``repr`` between 1e-10 and 1e-4 only (``0.00001``, not ``1e-05``); NaN and the
infinities, which JSON has not, are written as null. No document the system records holds a
float: money is in fen and rates are text. What a record cannot hold is refused with
TypeError: an object key that is not text (it would be written as text but sorted as what it
was, and the text read back would hash differently) and an integer beyond 64 bits (the
database would give it back as a float).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import orjson
from django.db import models
from psycopg.types.json import Json, Jsonb

# The canonical form: sorted keys, no spaces, characters as they are (the standard encoder's
# ``sort_keys=True, ensure_ascii=False, separators=(",", ":")``). Dates, times and dataclasses
# go to ``default``, as they do in the standard encoder (orjson would write a datetime with a
# "T" where ``str`` writes a space).
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _strict(value: Any) -> str:
    return orjson.dumps(value, default=_refuse, option=_OPTIONS).decode()


def _lenient(value: Any) -> str:
    return orjson.dumps(value, default=str, option=_OPTIONS).decode()


def canonical_json(value: Any) -> str:
    """The canonical text of ``value``; a date or a Decimal as its text."""
    return _lenient(value)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_of(value: Any) -> str:
    return _sha256(canonical_json(value))


class CanonicalJson(dict[str, Any]):
    """A JSON object with its canonical text, made once: hashed (:attr:`sha256`) and stored
    (:class:`RecordJSONEncoder`) from the same text.

    Its values are JSON already, as the database gives them back: strings, numbers, booleans,
    None, lists and objects whose keys are strings (an integer key would be written as text but
    sorted as a number, so the text read back would hash differently). A date or a Decimal
    raises TypeError. Change nothing in it afterwards: the text would no longer say what the
    object holds.

    A step stores some documents inside others (the assessment in what the reviewer saw and in
    the entitlement): :meth:`of` makes a document from parts whose texts are made already."""

    __slots__ = ("_texts", "text")

    def __init__(self, value: Mapping[str, Any]) -> None:
        super().__init__(value)
        self._texts: dict[str, str] | None = None
        self.text = _strict(self)

    @classmethod
    def of(cls, *parts: Mapping[str, Any]) -> CanonicalJson:
        """The object of ``parts`` merged (a later part's key wins), with the text that encoding
        it would give, put together from the texts already made: a value that is a
        ``CanonicalJson`` is its text, and a part made by ``of`` gives each of its values' texts
        (so ``of(assessment, {"inputs": inputs})`` encodes neither again)."""
        merged = cls.__new__(cls)
        texts: dict[str, str] = {}
        for part in parts:
            known = part._texts if isinstance(part, CanonicalJson) else None
            for key, value in part.items():
                if not isinstance(key, str):
                    raise TypeError(f"keys of a canonical document are text, not {key!r}")
                if known is not None:
                    texts[key] = known[key]
                elif isinstance(value, CanonicalJson):
                    texts[key] = value.text
                else:
                    texts[key] = _strict(value)
                dict.__setitem__(merged, key, value)
        merged._texts = texts
        merged.text = "{" + ",".join(f"{_strict(key)}:{texts[key]}" for key in sorted(texts)) + "}"
        return merged

    @property
    def sha256(self) -> str:
        return _sha256(self.text)


class RecordJSONEncoder(json.JSONEncoder):
    """The encoder of the JSON fields that keep records: a :class:`CanonicalJson` is stored as
    its text; any other value is encoded in the same canonical form (and, as with Django's own
    encoder, a value that is not JSON raises TypeError). Django's field makes one with
    ``json.dumps(value, cls=RecordJSONEncoder)``; the standard encoder's options do not apply."""

    def encode(self, o: Any) -> str:
        if isinstance(o, CanonicalJson):
            return o.text
        return _strict(o)


class RecordJSONField(models.JSONField):
    """A JSON field that keeps records: stored in the canonical form (:class:`RecordJSONEncoder`)
    and, on PostgreSQL, in a column of type ``json``, which keeps the text as it is written.
    So the stored text is the text whose SHA-256 the record keeps (``seen::text`` hashes to
    ``seen_sha256``), and PostgreSQL does not parse it into ``jsonb``'s binary form at every
    write (ADR 0217). The records are written whole and read whole, never searched inside
    (``json`` has no equality, so no ``DISTINCT`` over a row that holds one either).

    The value is sent as psycopg's ``Json``: Django's ``Jsonb`` would make PostgreSQL parse
    it as ``jsonb`` and write it out again as text for the column. Read back, the driver has
    parsed it already. A record is an object; a bare JSON string would not come back as the
    string it was."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("encoder", RecordJSONEncoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("encoder") is RecordJSONEncoder:
            del kwargs["encoder"]
        return name, path, args, kwargs

    def db_type(self, connection: Any) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if isinstance(value, Jsonb):
            return Json(value.obj, dumps=value.dumps)
        return value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not isinstance(value, str):
            return value  # None, or parsed by the driver (PostgreSQL's json)
        return super().from_db_value(value, expression, connection)
