from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.channel_create_meta import ChannelCreateMeta
    from ..models.channel_create_metacounter import ChannelCreateMetacounter
    from ..models.channel_create_metadata import ChannelCreateMetadata


T = TypeVar("T", bound="ChannelCreate")


@_attrs_define
class ChannelCreate:
    """
    Attributes:
        channel_url (None | str | Unset):
        name (str | Unset):  Default: ''.
        data (str | Unset):  Default: ''.
        metadata (ChannelCreateMetadata | Unset):
        metacounter (ChannelCreateMetacounter | Unset):
        meta (ChannelCreateMeta | Unset):
    """

    channel_url: None | str | Unset = UNSET
    name: str | Unset = ""
    data: str | Unset = ""
    metadata: ChannelCreateMetadata | Unset = UNSET
    metacounter: ChannelCreateMetacounter | Unset = UNSET
    meta: ChannelCreateMeta | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        channel_url: None | str | Unset
        if isinstance(self.channel_url, Unset):
            channel_url = UNSET
        else:
            channel_url = self.channel_url

        name = self.name

        data = self.data

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        metacounter: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metacounter, Unset):
            metacounter = self.metacounter.to_dict()

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if channel_url is not UNSET:
            field_dict["channel_url"] = channel_url
        if name is not UNSET:
            field_dict["name"] = name
        if data is not UNSET:
            field_dict["data"] = data
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if metacounter is not UNSET:
            field_dict["metacounter"] = metacounter
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.channel_create_meta import ChannelCreateMeta  # noqa: PLC0415
        from ..models.channel_create_metacounter import ChannelCreateMetacounter  # noqa: PLC0415
        from ..models.channel_create_metadata import ChannelCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_channel_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        channel_url = _parse_channel_url(d.pop("channel_url", UNSET))

        name = d.pop("name", UNSET)

        data = d.pop("data", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: ChannelCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = ChannelCreateMetadata.from_dict(_metadata)

        _metacounter = d.pop("metacounter", UNSET)
        metacounter: ChannelCreateMetacounter | Unset
        if isinstance(_metacounter, Unset):
            metacounter = UNSET
        else:
            metacounter = ChannelCreateMetacounter.from_dict(_metacounter)

        _meta = d.pop("meta", UNSET)
        meta: ChannelCreateMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = ChannelCreateMeta.from_dict(_meta)

        channel_create = cls(
            channel_url=channel_url,
            name=name,
            data=data,
            metadata=metadata,
            metacounter=metacounter,
            meta=meta,
        )

        return channel_create
