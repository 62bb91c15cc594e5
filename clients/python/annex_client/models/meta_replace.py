from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.meta_replace_meta import MetaReplaceMeta


T = TypeVar("T", bound="MetaReplace")


@_attrs_define
class MetaReplace:
    """
    Attributes:
        meta (MetaReplaceMeta):
    """

    meta: MetaReplaceMeta

    def to_dict(self) -> dict[str, Any]:
        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.meta_replace_meta import MetaReplaceMeta  # noqa: PLC0415

        d = dict(src_dict)
        meta = MetaReplaceMeta.from_dict(d.pop("meta"))

        meta_replace = cls(
            meta=meta,
        )

        return meta_replace
