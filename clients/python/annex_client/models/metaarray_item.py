from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="MetaarrayItem")


@_attrs_define
class MetaarrayItem:
    """
    Attributes:
        key (str):
        value (list[str]):
    """

    key: str
    value: list[str]

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        value = cast(list[str], d.pop("value"))

        metaarray_item = cls(
            key=key,
            value=value,
        )

        return metaarray_item
