"""JSON documents kept as records: one canonical text, hashed and stored as it is.

A decision records what its reviewer saw and a finished case is sealed into its office's
archive; each keeps a SHA-256 of its document's canonical text (sorted keys, no spaces, UTF-8).
The text is made once: :class:`CanonicalJson` carries it, and a JSON field that keeps records
(``encoder=RecordJSONEncoder``) stores that same text instead of encoding the document again.
Any other value such a field is given is stored in the same canonical form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# The canonical form: sorted keys, no spaces, characters as they are. One encoder each, made
# once (``json.dumps`` with options makes a new one at every call); they keep no state.
_FORM: dict[str, Any] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
_strict = json.JSONEncoder(**_FORM).encode
_lenient = json.JSONEncoder(default=str, **_FORM).encode


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
    encoder, a value that is not JSON raises TypeError)."""

    def __init__(self, **options: Any) -> None:
        options.update(_FORM)
        super().__init__(**options)

    def encode(self, o: Any) -> str:
        if isinstance(o, CanonicalJson):
            return o.text
        return super().encode(o)
