"""Key/value rules and body models, without I/O."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from annex.core.keyvalue import INT64_MAX, INT64_MIN, Add, CounterMode, Put
from annex.domain.keyvalue import check_key, counter_change
from annex.errors import BadRequest
from annex.models.keyvalue import MetacounterUpdate, MetadataCreate, MetadataUpdate
from annex.models.resources import ChannelCreate, UserCreate


def test_counter_modes_become_changes() -> None:
    assert counter_change(CounterMode.SET, 5) == Put(5)
    assert counter_change(CounterMode.INCREASE, 5) == Add(5)
    assert counter_change(CounterMode.DECREASE, 5) == Add(-5)
    with pytest.raises(BadRequest):
        counter_change(CounterMode.DECREASE, INT64_MIN)  # +2**63 is out of range


@pytest.mark.parametrize(
    ("delta", "old", "fits"),
    [(1, INT64_MAX - 1, True), (1, INT64_MAX, False), (-1, INT64_MIN + 1, True), (-1, INT64_MIN, False), (0, 5, True)],
)
def test_add_fits_only_inside_int64(delta: int, old: int, fits: bool) -> None:
    assert Add(delta).fits(old) is fits
    lo, hi = Add(delta).old_bounds()
    assert ((lo is None or old >= lo) and (hi is None or old <= hi)) is fits


@pytest.mark.parametrize("key", ["", "a,b", "k" * 129])
def test_bad_keys(key: str) -> None:
    with pytest.raises(BadRequest):
        check_key(key)
    with pytest.raises(ValidationError):
        MetadataCreate.model_validate({"metadata": {key: "v"}})


def test_limits_are_inclusive() -> None:
    MetadataCreate.model_validate({"metadata": {"k" * 128: "v" * 190}})
    MetadataUpdate.model_validate({"metadata": {f"k{i}": "v" for i in range(5)}})
    MetacounterUpdate.model_validate({"metacounter": {"a": INT64_MAX, "b": INT64_MIN}, "mode": "decrease"})


@pytest.mark.parametrize(
    "body",
    [
        {"metacounter": {"a": True}},
        {"metacounter": {"a": 1.0}},
        {"metacounter": {"a": "1"}},
        {"metacounter": {"a": INT64_MAX + 1}},
        {"metacounter": {"a": 1}, "mode": "multiply"},
        {"metacounter": {"a": 1}, "upsert": 1},
    ],
)
def test_counter_values_are_strict_int64(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MetacounterUpdate.model_validate(body)


def test_channel_data_limit_counts_bytes() -> None:
    ChannelCreate.model_validate({"data": "a" * 65536})
    with pytest.raises(ValidationError):
        ChannelCreate.model_validate({"data": "é" * 32769})


def test_meta_refuses_system_keys_and_size() -> None:
    with pytest.raises(ValidationError):
        UserCreate.model_validate({"user_id": "u", "meta": {"_internal": 1}})
    with pytest.raises(ValidationError):
        UserCreate.model_validate({"user_id": "u", "meta": {"big": "x" * 8200}})
    UserCreate.model_validate({"user_id": "u", "meta": {"nested": {"_ok": 1}}})
