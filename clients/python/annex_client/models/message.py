from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.message_meta import MessageMeta
    from ..models.metaarray_entry import MetaarrayEntry


T = TypeVar("T", bound="Message")


@_attrs_define
class Message:
    """
    Attributes:
        message_id (int):
        channel_url (str):
        user_id (str):
        message (str):
        data (str):
        sorted_metaarray (list[MetaarrayEntry]):
        meta (MessageMeta):
        created_at (int):
    """

    message_id: int
    channel_url: str
    user_id: str
    message: str
    data: str
    sorted_metaarray: list[MetaarrayEntry]
    meta: MessageMeta
    created_at: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        channel_url = self.channel_url

        user_id = self.user_id

        message = self.message

        data = self.data

        sorted_metaarray = []
        for sorted_metaarray_item_data in self.sorted_metaarray:
            sorted_metaarray_item = sorted_metaarray_item_data.to_dict()
            sorted_metaarray.append(sorted_metaarray_item)

        meta = self.meta.to_dict()

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message_id": message_id,
                "channel_url": channel_url,
                "user_id": user_id,
                "message": message,
                "data": data,
                "sorted_metaarray": sorted_metaarray,
                "meta": meta,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_meta import MessageMeta  # noqa: PLC0415
        from ..models.metaarray_entry import MetaarrayEntry  # noqa: PLC0415

        d = dict(src_dict)
        message_id = d.pop("message_id")

        channel_url = d.pop("channel_url")

        user_id = d.pop("user_id")

        message = d.pop("message")

        data = d.pop("data")

        sorted_metaarray = []
        _sorted_metaarray = d.pop("sorted_metaarray")
        for sorted_metaarray_item_data in _sorted_metaarray:
            sorted_metaarray_item = MetaarrayEntry.from_dict(sorted_metaarray_item_data)

            sorted_metaarray.append(sorted_metaarray_item)

        meta = MessageMeta.from_dict(d.pop("meta"))

        created_at = d.pop("created_at")

        message = cls(
            message_id=message_id,
            channel_url=channel_url,
            user_id=user_id,
            message=message,
            data=data,
            sorted_metaarray=sorted_metaarray,
            meta=meta,
            created_at=created_at,
        )

        message.additional_properties = d
        return message

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
