from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.counter_mode import CounterMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="MetacounterValueUpdate")


@_attrs_define
class MetacounterValueUpdate:
    """
    Attributes:
        value (int):
        mode (CounterMode | Unset):
        upsert (bool | Unset):  Default: False.
    """

    value: int
    mode: CounterMode | Unset = UNSET
    upsert: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        upsert = self.upsert

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode
        if upsert is not UNSET:
            field_dict["upsert"] = upsert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        value = d.pop("value")

        _mode = d.pop("mode", UNSET)
        mode: CounterMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = CounterMode(_mode)

        upsert = d.pop("upsert", UNSET)

        metacounter_value_update = cls(
            value=value,
            mode=mode,
            upsert=upsert,
        )

        return metacounter_value_update
