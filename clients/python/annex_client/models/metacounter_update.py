from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.counter_mode import CounterMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metacounter_update_metacounter import MetacounterUpdateMetacounter


T = TypeVar("T", bound="MetacounterUpdate")


@_attrs_define
class MetacounterUpdate:
    """
    Attributes:
        metacounter (MetacounterUpdateMetacounter):
        mode (CounterMode | Unset):
        upsert (bool | Unset):  Default: False.
    """

    metacounter: MetacounterUpdateMetacounter
    mode: CounterMode | Unset = UNSET
    upsert: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        metacounter = self.metacounter.to_dict()

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        upsert = self.upsert

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metacounter": metacounter,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode
        if upsert is not UNSET:
            field_dict["upsert"] = upsert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metacounter_update_metacounter import MetacounterUpdateMetacounter  # noqa: PLC0415

        d = dict(src_dict)
        metacounter = MetacounterUpdateMetacounter.from_dict(d.pop("metacounter"))

        _mode = d.pop("mode", UNSET)
        mode: CounterMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = CounterMode(_mode)

        upsert = d.pop("upsert", UNSET)

        metacounter_update = cls(
            metacounter=metacounter,
            mode=mode,
            upsert=upsert,
        )

        return metacounter_update
