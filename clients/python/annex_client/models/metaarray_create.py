from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.metaarray_item import MetaarrayItem


T = TypeVar("T", bound="MetaarrayCreate")


@_attrs_define
class MetaarrayCreate:
    """
    Attributes:
        sorted_metaarray (list[MetaarrayItem]):
    """

    sorted_metaarray: list[MetaarrayItem]

    def to_dict(self) -> dict[str, Any]:
        sorted_metaarray = []
        for sorted_metaarray_item_data in self.sorted_metaarray:
            sorted_metaarray_item = sorted_metaarray_item_data.to_dict()
            sorted_metaarray.append(sorted_metaarray_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sorted_metaarray": sorted_metaarray,
            }
        )

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

        metaarray_create = cls(
            sorted_metaarray=sorted_metaarray,
        )

        return metaarray_create
