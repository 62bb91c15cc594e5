from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status import Status

if TYPE_CHECKING:
    from ..models.session_device import SessionDevice
    from ..models.session_location import SessionLocation
    from ..models.session_page import SessionPage


T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """
    Attributes:
        id (str):
        status (Status):
        user_id (None | str):
        user_metadata (Any):
        device (SessionDevice):
        location (SessionLocation):
        page (SessionPage):
        created_at (int):
        updated_at (int):
        ended_at (int | None):
        last_event_at (int | None):
        session_number (int | None):
        duration_s (float):
        event_count (int):
        screen_count (int):
        unique_screen_count (int):
        gesture_count (int):
        rage_gesture_count (int):
        responsive_gesture_count (int):
        unresponsive_gesture_count (int):
        event_names (list[str]):
        screens (list[str]):
    """

    id: str
    status: Status
    user_id: None | str
    user_metadata: Any
    device: SessionDevice
    location: SessionLocation
    page: SessionPage
    created_at: int
    updated_at: int
    ended_at: int | None
    last_event_at: int | None
    session_number: int | None
    duration_s: float
    event_count: int
    screen_count: int
    unique_screen_count: int
    gesture_count: int
    rage_gesture_count: int
    responsive_gesture_count: int
    unresponsive_gesture_count: int
    event_names: list[str]
    screens: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        user_id: None | str
        user_id = self.user_id

        user_metadata = self.user_metadata

        device = self.device.to_dict()

        location = self.location.to_dict()

        page = self.page.to_dict()

        created_at = self.created_at

        updated_at = self.updated_at

        ended_at: int | None
        ended_at = self.ended_at

        last_event_at: int | None
        last_event_at = self.last_event_at

        session_number: int | None
        session_number = self.session_number

        duration_s = self.duration_s

        event_count = self.event_count

        screen_count = self.screen_count

        unique_screen_count = self.unique_screen_count

        gesture_count = self.gesture_count

        rage_gesture_count = self.rage_gesture_count

        responsive_gesture_count = self.responsive_gesture_count

        unresponsive_gesture_count = self.unresponsive_gesture_count

        event_names = self.event_names

        screens = self.screens

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "user_id": user_id,
                "user_metadata": user_metadata,
                "device": device,
                "location": location,
                "page": page,
                "created_at": created_at,
                "updated_at": updated_at,
                "ended_at": ended_at,
                "last_event_at": last_event_at,
                "session_number": session_number,
                "duration_s": duration_s,
                "event_count": event_count,
                "screen_count": screen_count,
                "unique_screen_count": unique_screen_count,
                "gesture_count": gesture_count,
                "rage_gesture_count": rage_gesture_count,
                "responsive_gesture_count": responsive_gesture_count,
                "unresponsive_gesture_count": unresponsive_gesture_count,
                "event_names": event_names,
                "screens": screens,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_device import SessionDevice  # noqa: PLC0415
        from ..models.session_location import SessionLocation  # noqa: PLC0415
        from ..models.session_page import SessionPage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        status = Status(d.pop("status"))

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        user_metadata = d.pop("user_metadata")

        device = SessionDevice.from_dict(d.pop("device"))

        location = SessionLocation.from_dict(d.pop("location"))

        page = SessionPage.from_dict(d.pop("page"))

        created_at = d.pop("created_at")

        updated_at = d.pop("updated_at")

        def _parse_ended_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        def _parse_last_event_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_event_at = _parse_last_event_at(d.pop("last_event_at"))

        def _parse_session_number(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        session_number = _parse_session_number(d.pop("session_number"))

        duration_s = d.pop("duration_s")

        event_count = d.pop("event_count")

        screen_count = d.pop("screen_count")

        unique_screen_count = d.pop("unique_screen_count")

        gesture_count = d.pop("gesture_count")

        rage_gesture_count = d.pop("rage_gesture_count")

        responsive_gesture_count = d.pop("responsive_gesture_count")

        unresponsive_gesture_count = d.pop("unresponsive_gesture_count")

        event_names = cast(list[str], d.pop("event_names"))

        screens = cast(list[str], d.pop("screens"))

        session = cls(
            id=id,
            status=status,
            user_id=user_id,
            user_metadata=user_metadata,
            device=device,
            location=location,
            page=page,
            created_at=created_at,
            updated_at=updated_at,
            ended_at=ended_at,
            last_event_at=last_event_at,
            session_number=session_number,
            duration_s=duration_s,
            event_count=event_count,
            screen_count=screen_count,
            unique_screen_count=unique_screen_count,
            gesture_count=gesture_count,
            rage_gesture_count=rage_gesture_count,
            responsive_gesture_count=responsive_gesture_count,
            unresponsive_gesture_count=unresponsive_gesture_count,
            event_names=event_names,
            screens=screens,
        )

        session.additional_properties = d
        return session

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
