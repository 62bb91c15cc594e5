from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EventBatch")


@_attrs_define
class EventBatch:
    """
    Attributes:
        batch (list[Any]):
    """

    batch: list[Any]

    def to_dict(self) -> dict[str, Any]:
        batch = self.batch

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "batch": batch,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        batch = cast(list[Any], d.pop("batch"))

        event_batch = cls(
            batch=batch,
        )

        return event_batch
