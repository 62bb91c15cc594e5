"""Meta document rules: replace keeps Annex's `_` keys, merge is top-level, 8 KiB serialized."""

from __future__ import annotations

import pytest

from annex.core.meta import MAX_META_BYTES, serialized_size
from annex.domain.meta import merged, replaced
from annex.errors import BadRequest


def test_replace_keeps_system_keys_and_drops_the_rest() -> None:
    current = {"_annex": {"v": 1}, "a": 1, "nested": {"x": 1}}
    assert replaced(current, {"nested": {"y": 2}}) == {"_annex": {"v": 1}, "nested": {"y": 2}}


def test_merge_replaces_nested_objects_instead_of_deep_merging() -> None:
    assert merged({"a": 1, "n": {"x": 1}}, {"n": {"y": 2}, "b": None}) == {"a": 1, "n": {"y": 2}, "b": None}


def test_size_is_compact_utf8_json() -> None:
    assert serialized_size({"é": "ü"}) == len('{"é":"ü"}'.encode())
    limit_value = "x" * (MAX_META_BYTES - len('{"k":""}'))
    assert merged({}, {"k": limit_value}) == {"k": limit_value}
    with pytest.raises(BadRequest):
        merged({}, {"k": limit_value + "x"})
    with pytest.raises(BadRequest):
        replaced({"_big": "y" * 5000}, {"k": "x" * 4000})
