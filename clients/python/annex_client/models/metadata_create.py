from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata_create_metadata import MetadataCreateMetadata


T = TypeVar("T", bound="MetadataCreate")


@_attrs_define
class MetadataCreate:
    """
    Attributes:
        metadata (MetadataCreateMetadata):
        include_ts (bool | Unset):  Default: False.
    """

    metadata: MetadataCreateMetadata
    include_ts: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        metadata = self.metadata.to_dict()

        include_ts = self.include_ts

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metadata": metadata,
            }
        )
        if include_ts is not UNSET:
            field_dict["include_ts"] = include_ts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata_create_metadata import MetadataCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        metadata = MetadataCreateMetadata.from_dict(d.pop("metadata"))

        include_ts = d.pop("include_ts", UNSET)

        metadata_create = cls(
            metadata=metadata,
            include_ts=include_ts,
        )

        return metadata_create
