from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="SessionRelease")


@_attrs_define
class SessionRelease:
    """
    Attributes:
        status (Literal['REQUEST_RELEASE']):
    """

    status: Literal["REQUEST_RELEASE"]

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = cast(Literal["REQUEST_RELEASE"], d.pop("status"))
        if status != "REQUEST_RELEASE":
            raise ValueError(f"status must match const 'REQUEST_RELEASE', got '{status}'")

        session_release = cls(
            status=status,
        )

        return session_release
