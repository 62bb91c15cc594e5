from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_send_meta import MessageSendMeta
    from ..models.metaarray_item import MetaarrayItem


T = TypeVar("T", bound="MessageSend")


@_attrs_define
class MessageSend:
    """
    Attributes:
        user_id (str):
        message (str):
        data (str | Unset):  Default: ''.
        sorted_metaarray (list[MetaarrayItem] | Unset):
        meta (MessageSendMeta | Unset):
    """

    user_id: str
    message: str
    data: str | Unset = ""
    sorted_metaarray: list[MetaarrayItem] | Unset = UNSET
    meta: MessageSendMeta | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        message = self.message

        data = self.data

        sorted_metaarray: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sorted_metaarray, Unset):
            sorted_metaarray = []
            for sorted_metaarray_item_data in self.sorted_metaarray:
                sorted_metaarray_item = sorted_metaarray_item_data.to_dict()
                sorted_metaarray.append(sorted_metaarray_item)

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
                "message": message,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data
        if sorted_metaarray is not UNSET:
            field_dict["sorted_metaarray"] = sorted_metaarray
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_send_meta import MessageSendMeta  # noqa: PLC0415
        from ..models.metaarray_item import MetaarrayItem  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        message = d.pop("message")

        data = d.pop("data", UNSET)

        _sorted_metaarray = d.pop("sorted_metaarray", UNSET)
        sorted_metaarray: list[MetaarrayItem] | Unset = UNSET
        if _sorted_metaarray is not UNSET:
            sorted_metaarray = []
            for sorted_metaarray_item_data in _sorted_metaarray:
                sorted_metaarray_item = MetaarrayItem.from_dict(sorted_metaarray_item_data)

                sorted_metaarray.append(sorted_metaarray_item)

        _meta = d.pop("meta", UNSET)
        meta: MessageSendMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = MessageSendMeta.from_dict(_meta)

        message_send = cls(
            user_id=user_id,
            message=message,
            data=data,
            sorted_metaarray=sorted_metaarray,
            meta=meta,
        )

        return message_send
