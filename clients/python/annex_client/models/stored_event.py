from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_type import EventType

T = TypeVar("T", bound="StoredEvent")


@_attrs_define
class StoredEvent:
    """
    Attributes:
        session_id (str):
        user_id (None | str):
        type_ (EventType):
        name (None | str):
        properties (Any):
        timestamp (int):
        received_at (int):
    """

    session_id: str
    user_id: None | str
    type_: EventType
    name: None | str
    properties: Any
    timestamp: int
    received_at: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        user_id: None | str
        user_id = self.user_id

        type_ = self.type_.value

        name: None | str
        name = self.name

        properties = self.properties

        timestamp = self.timestamp

        received_at = self.received_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "user_id": user_id,
                "type": type_,
                "name": name,
                "properties": properties,
                "timestamp": timestamp,
                "received_at": received_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        type_ = EventType(d.pop("type"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        properties = d.pop("properties")

        timestamp = d.pop("timestamp")

        received_at = d.pop("received_at")

        stored_event = cls(
            session_id=session_id,
            user_id=user_id,
            type_=type_,
            name=name,
            properties=properties,
            timestamp=timestamp,
            received_at=received_at,
        )

        stored_event.additional_properties = d
        return stored_event

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
