from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SessionPatch")


@_attrs_define
class SessionPatch:
    """
    Attributes:
        user_metadata (Any):
    """

    user_metadata: Any

    def to_dict(self) -> dict[str, Any]:
        user_metadata = self.user_metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_metadata": user_metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_metadata = d.pop("user_metadata")

        session_patch = cls(
            user_metadata=user_metadata,
        )

        return session_patch
