from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MetadataValueUpdate")


@_attrs_define
class MetadataValueUpdate:
    """
    Attributes:
        value (str):
        upsert (bool | Unset):  Default: False.
    """

    value: str
    upsert: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        upsert = self.upsert

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
            }
        )
        if upsert is not UNSET:
            field_dict["upsert"] = upsert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        value = d.pop("value")

        upsert = d.pop("upsert", UNSET)

        metadata_value_update = cls(
            value=value,
            upsert=upsert,
        )

        return metadata_value_update
