from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.mode import Mode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metaarray_item import MetaarrayItem


T = TypeVar("T", bound="MetaarrayUpdate")


@_attrs_define
class MetaarrayUpdate:
    """
    Attributes:
        sorted_metaarray (list[MetaarrayItem]):
        mode (Mode | Unset):
        upsert (bool | Unset):  Default: False.
    """

    sorted_metaarray: list[MetaarrayItem]
    mode: Mode | Unset = UNSET
    upsert: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        sorted_metaarray = []
        for sorted_metaarray_item_data in self.sorted_metaarray:
            sorted_metaarray_item = sorted_metaarray_item_data.to_dict()
            sorted_metaarray.append(sorted_metaarray_item)

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        upsert = self.upsert

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sorted_metaarray": sorted_metaarray,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode
        if upsert is not UNSET:
            field_dict["upsert"] = upsert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metaarray_item import MetaarrayItem  # noqa: PLC0415

        d = dict(src_dict)
        sorted_metaarray = []
        _sorted_metaarray = d.pop("sorted_metaarray")
        for sorted_metaarray_item_data in _sorted_metaarray:
            sorted_metaarray_item = MetaarrayItem.from_dict(sorted_metaarray_item_data)

            sorted_metaarray.append(sorted_metaarray_item)

        _mode = d.pop("mode", UNSET)
        mode: Mode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = Mode(_mode)

        upsert = d.pop("upsert", UNSET)

        metaarray_update = cls(
            sorted_metaarray=sorted_metaarray,
            mode=mode,
            upsert=upsert,
        )

        return metaarray_update
