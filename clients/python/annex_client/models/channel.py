from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.channel_meta import ChannelMeta
    from ..models.channel_metacounter import ChannelMetacounter
    from ..models.channel_metadata import ChannelMetadata


T = TypeVar("T", bound="Channel")


@_attrs_define
class Channel:
    """
    Attributes:
        channel_url (str):
        channel_type (str):
        name (str):
        data (str):
        metadata (ChannelMetadata):
        metacounter (ChannelMetacounter):
        meta (ChannelMeta):
        created_at (int):
    """

    channel_url: str
    channel_type: str
    name: str
    data: str
    metadata: ChannelMetadata
    metacounter: ChannelMetacounter
    meta: ChannelMeta
    created_at: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel_url = self.channel_url

        channel_type = self.channel_type

        name = self.name

        data = self.data

        metadata = self.metadata.to_dict()

        metacounter = self.metacounter.to_dict()

        meta = self.meta.to_dict()

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel_url": channel_url,
                "channel_type": channel_type,
                "name": name,
                "data": data,
                "metadata": metadata,
                "metacounter": metacounter,
                "meta": meta,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.channel_meta import ChannelMeta  # noqa: PLC0415
        from ..models.channel_metacounter import ChannelMetacounter  # noqa: PLC0415
        from ..models.channel_metadata import ChannelMetadata  # noqa: PLC0415

        d = dict(src_dict)
        channel_url = d.pop("channel_url")

        channel_type = d.pop("channel_type")

        name = d.pop("name")

        data = d.pop("data")

        metadata = ChannelMetadata.from_dict(d.pop("metadata"))

        metacounter = ChannelMetacounter.from_dict(d.pop("metacounter"))

        meta = ChannelMeta.from_dict(d.pop("meta"))

        created_at = d.pop("created_at")

        channel = cls(
            channel_url=channel_url,
            channel_type=channel_type,
            name=name,
            data=data,
            metadata=metadata,
            metacounter=metacounter,
            meta=meta,
            created_at=created_at,
        )

        channel.additional_properties = d
        return channel

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
