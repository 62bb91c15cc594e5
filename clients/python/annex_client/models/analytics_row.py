from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AnalyticsRow")


@_attrs_define
class AnalyticsRow:
    """A group's values (one field per ``group_by`` attribute, ``"other"`` for the folded groups)
    and its metrics.

        Attributes:
            session_count (int):
            session_unique_user_count (int):
            session_new_users_count (int):
            avg_session_duration (float):
            avg_session_gesture_count (float):
            avg_session_rage_gesture_count (float):
            avg_session_screen_count (float):
            avg_session_unique_screen_count (float):
            crash_rate (float):
    """

    session_count: int
    session_unique_user_count: int
    session_new_users_count: int
    avg_session_duration: float
    avg_session_gesture_count: float
    avg_session_rage_gesture_count: float
    avg_session_screen_count: float
    avg_session_unique_screen_count: float
    crash_rate: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_count = self.session_count

        session_unique_user_count = self.session_unique_user_count

        session_new_users_count = self.session_new_users_count

        avg_session_duration = self.avg_session_duration

        avg_session_gesture_count = self.avg_session_gesture_count

        avg_session_rage_gesture_count = self.avg_session_rage_gesture_count

        avg_session_screen_count = self.avg_session_screen_count

        avg_session_unique_screen_count = self.avg_session_unique_screen_count

        crash_rate = self.crash_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_count": session_count,
                "session_unique_user_count": session_unique_user_count,
                "session_new_users_count": session_new_users_count,
                "avg_session_duration": avg_session_duration,
                "avg_session_gesture_count": avg_session_gesture_count,
                "avg_session_rage_gesture_count": avg_session_rage_gesture_count,
                "avg_session_screen_count": avg_session_screen_count,
                "avg_session_unique_screen_count": avg_session_unique_screen_count,
                "crash_rate": crash_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_count = d.pop("session_count")

        session_unique_user_count = d.pop("session_unique_user_count")

        session_new_users_count = d.pop("session_new_users_count")

        avg_session_duration = d.pop("avg_session_duration")

        avg_session_gesture_count = d.pop("avg_session_gesture_count")

        avg_session_rage_gesture_count = d.pop("avg_session_rage_gesture_count")

        avg_session_screen_count = d.pop("avg_session_screen_count")

        avg_session_unique_screen_count = d.pop("avg_session_unique_screen_count")

        crash_rate = d.pop("crash_rate")

        analytics_row = cls(
            session_count=session_count,
            session_unique_user_count=session_unique_user_count,
            session_new_users_count=session_new_users_count,
            avg_session_duration=avg_session_duration,
            avg_session_gesture_count=avg_session_gesture_count,
            avg_session_rage_gesture_count=avg_session_rage_gesture_count,
            avg_session_screen_count=avg_session_screen_count,
            avg_session_unique_screen_count=avg_session_unique_screen_count,
            crash_rate=crash_rate,
        )

        analytics_row.additional_properties = d
        return analytics_row

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
