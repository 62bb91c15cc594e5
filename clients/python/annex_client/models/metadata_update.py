from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata_update_metadata import MetadataUpdateMetadata


T = TypeVar("T", bound="MetadataUpdate")


@_attrs_define
class MetadataUpdate:
    """
    Attributes:
        metadata (MetadataUpdateMetadata):
        upsert (bool | Unset):  Default: False.
    """

    metadata: MetadataUpdateMetadata
    upsert: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        metadata = self.metadata.to_dict()

        upsert = self.upsert

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metadata": metadata,
            }
        )
        if upsert is not UNSET:
            field_dict["upsert"] = upsert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata_update_metadata import MetadataUpdateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        metadata = MetadataUpdateMetadata.from_dict(d.pop("metadata"))

        upsert = d.pop("upsert", UNSET)

        metadata_update = cls(
            metadata=metadata,
            upsert=upsert,
        )

        return metadata_update
