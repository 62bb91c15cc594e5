from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.analytics_row_change_type_0 import AnalyticsRowChangeType0
    from ..models.analytics_row_previous_type_0 import AnalyticsRowPreviousType0


T = TypeVar("T", bound="AnalyticsRow")


@_attrs_define
class AnalyticsRow:
    """A group's values (one field per ``group_by`` attribute, ``"other"`` for the folded groups)
    and its metrics (those ``aggregation`` names; all by default); with ``comparison`` the same
    metrics over the previous period (``previous``) and their relative ``change``.

        Attributes:
            session_count (int | None | Unset):
            session_unique_user_count (int | None | Unset):
            session_new_users_count (int | None | Unset):
            avg_session_duration (float | None | Unset):
            avg_session_gesture_count (float | None | Unset):
            avg_session_rage_gesture_count (float | None | Unset):
            avg_session_responsive_gesture_count (float | None | Unset):
            avg_session_unresponsive_gesture_count (float | None | Unset):
            avg_session_screen_count (float | None | Unset):
            avg_session_unique_screen_count (float | None | Unset):
            crash_rate (float | None | Unset):
            previous (AnalyticsRowPreviousType0 | None | Unset):
            change (AnalyticsRowChangeType0 | None | Unset):
    """

    session_count: int | None | Unset = UNSET
    session_unique_user_count: int | None | Unset = UNSET
    session_new_users_count: int | None | Unset = UNSET
    avg_session_duration: float | None | Unset = UNSET
    avg_session_gesture_count: float | None | Unset = UNSET
    avg_session_rage_gesture_count: float | None | Unset = UNSET
    avg_session_responsive_gesture_count: float | None | Unset = UNSET
    avg_session_unresponsive_gesture_count: float | None | Unset = UNSET
    avg_session_screen_count: float | None | Unset = UNSET
    avg_session_unique_screen_count: float | None | Unset = UNSET
    crash_rate: float | None | Unset = UNSET
    previous: AnalyticsRowPreviousType0 | None | Unset = UNSET
    change: AnalyticsRowChangeType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.analytics_row_change_type_0 import AnalyticsRowChangeType0  # noqa: PLC0415
        from ..models.analytics_row_previous_type_0 import AnalyticsRowPreviousType0  # noqa: PLC0415

        session_count: int | None | Unset
        if isinstance(self.session_count, Unset):
            session_count = UNSET
        else:
            session_count = self.session_count

        session_unique_user_count: int | None | Unset
        if isinstance(self.session_unique_user_count, Unset):
            session_unique_user_count = UNSET
        else:
            session_unique_user_count = self.session_unique_user_count

        session_new_users_count: int | None | Unset
        if isinstance(self.session_new_users_count, Unset):
            session_new_users_count = UNSET
        else:
            session_new_users_count = self.session_new_users_count

        avg_session_duration: float | None | Unset
        if isinstance(self.avg_session_duration, Unset):
            avg_session_duration = UNSET
        else:
            avg_session_duration = self.avg_session_duration

        avg_session_gesture_count: float | None | Unset
        if isinstance(self.avg_session_gesture_count, Unset):
            avg_session_gesture_count = UNSET
        else:
            avg_session_gesture_count = self.avg_session_gesture_count

        avg_session_rage_gesture_count: float | None | Unset
        if isinstance(self.avg_session_rage_gesture_count, Unset):
            avg_session_rage_gesture_count = UNSET
        else:
            avg_session_rage_gesture_count = self.avg_session_rage_gesture_count

        avg_session_responsive_gesture_count: float | None | Unset
        if isinstance(self.avg_session_responsive_gesture_count, Unset):
            avg_session_responsive_gesture_count = UNSET
        else:
            avg_session_responsive_gesture_count = self.avg_session_responsive_gesture_count

        avg_session_unresponsive_gesture_count: float | None | Unset
        if isinstance(self.avg_session_unresponsive_gesture_count, Unset):
            avg_session_unresponsive_gesture_count = UNSET
        else:
            avg_session_unresponsive_gesture_count = self.avg_session_unresponsive_gesture_count

        avg_session_screen_count: float | None | Unset
        if isinstance(self.avg_session_screen_count, Unset):
            avg_session_screen_count = UNSET
        else:
            avg_session_screen_count = self.avg_session_screen_count

        avg_session_unique_screen_count: float | None | Unset
        if isinstance(self.avg_session_unique_screen_count, Unset):
            avg_session_unique_screen_count = UNSET
        else:
            avg_session_unique_screen_count = self.avg_session_unique_screen_count

        crash_rate: float | None | Unset
        if isinstance(self.crash_rate, Unset):
            crash_rate = UNSET
        else:
            crash_rate = self.crash_rate

        previous: dict[str, Any] | None | Unset
        if isinstance(self.previous, Unset):
            previous = UNSET
        elif isinstance(self.previous, AnalyticsRowPreviousType0):
            previous = self.previous.to_dict()
        else:
            previous = self.previous

        change: dict[str, Any] | None | Unset
        if isinstance(self.change, Unset):
            change = UNSET
        elif isinstance(self.change, AnalyticsRowChangeType0):
            change = self.change.to_dict()
        else:
            change = self.change

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if session_count is not UNSET:
            field_dict["session_count"] = session_count
        if session_unique_user_count is not UNSET:
            field_dict["session_unique_user_count"] = session_unique_user_count
        if session_new_users_count is not UNSET:
            field_dict["session_new_users_count"] = session_new_users_count
        if avg_session_duration is not UNSET:
            field_dict["avg_session_duration"] = avg_session_duration
        if avg_session_gesture_count is not UNSET:
            field_dict["avg_session_gesture_count"] = avg_session_gesture_count
        if avg_session_rage_gesture_count is not UNSET:
            field_dict["avg_session_rage_gesture_count"] = avg_session_rage_gesture_count
        if avg_session_responsive_gesture_count is not UNSET:
            field_dict["avg_session_responsive_gesture_count"] = avg_session_responsive_gesture_count
        if avg_session_unresponsive_gesture_count is not UNSET:
            field_dict["avg_session_unresponsive_gesture_count"] = avg_session_unresponsive_gesture_count
        if avg_session_screen_count is not UNSET:
            field_dict["avg_session_screen_count"] = avg_session_screen_count
        if avg_session_unique_screen_count is not UNSET:
            field_dict["avg_session_unique_screen_count"] = avg_session_unique_screen_count
        if crash_rate is not UNSET:
            field_dict["crash_rate"] = crash_rate
        if previous is not UNSET:
            field_dict["previous"] = previous
        if change is not UNSET:
            field_dict["change"] = change

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.analytics_row_change_type_0 import AnalyticsRowChangeType0  # noqa: PLC0415
        from ..models.analytics_row_previous_type_0 import AnalyticsRowPreviousType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_session_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        session_count = _parse_session_count(d.pop("session_count", UNSET))

        def _parse_session_unique_user_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        session_unique_user_count = _parse_session_unique_user_count(d.pop("session_unique_user_count", UNSET))

        def _parse_session_new_users_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        session_new_users_count = _parse_session_new_users_count(d.pop("session_new_users_count", UNSET))

        def _parse_avg_session_duration(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_duration = _parse_avg_session_duration(d.pop("avg_session_duration", UNSET))

        def _parse_avg_session_gesture_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_gesture_count = _parse_avg_session_gesture_count(d.pop("avg_session_gesture_count", UNSET))

        def _parse_avg_session_rage_gesture_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_rage_gesture_count = _parse_avg_session_rage_gesture_count(
            d.pop("avg_session_rage_gesture_count", UNSET)
        )

        def _parse_avg_session_responsive_gesture_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_responsive_gesture_count = _parse_avg_session_responsive_gesture_count(
            d.pop("avg_session_responsive_gesture_count", UNSET)
        )

        def _parse_avg_session_unresponsive_gesture_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_unresponsive_gesture_count = _parse_avg_session_unresponsive_gesture_count(
            d.pop("avg_session_unresponsive_gesture_count", UNSET)
        )

        def _parse_avg_session_screen_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_screen_count = _parse_avg_session_screen_count(d.pop("avg_session_screen_count", UNSET))

        def _parse_avg_session_unique_screen_count(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_session_unique_screen_count = _parse_avg_session_unique_screen_count(
            d.pop("avg_session_unique_screen_count", UNSET)
        )

        def _parse_crash_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        crash_rate = _parse_crash_rate(d.pop("crash_rate", UNSET))

        def _parse_previous(data: object) -> AnalyticsRowPreviousType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                previous_type_0 = AnalyticsRowPreviousType0.from_dict(data)

                return previous_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalyticsRowPreviousType0 | None | Unset, data)

        previous = _parse_previous(d.pop("previous", UNSET))

        def _parse_change(data: object) -> AnalyticsRowChangeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                change_type_0 = AnalyticsRowChangeType0.from_dict(data)

                return change_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalyticsRowChangeType0 | None | Unset, data)

        change = _parse_change(d.pop("change", UNSET))

        analytics_row = cls(
            session_count=session_count,
            session_unique_user_count=session_unique_user_count,
            session_new_users_count=session_new_users_count,
            avg_session_duration=avg_session_duration,
            avg_session_gesture_count=avg_session_gesture_count,
            avg_session_rage_gesture_count=avg_session_rage_gesture_count,
            avg_session_responsive_gesture_count=avg_session_responsive_gesture_count,
            avg_session_unresponsive_gesture_count=avg_session_unresponsive_gesture_count,
            avg_session_screen_count=avg_session_screen_count,
            avg_session_unique_screen_count=avg_session_unique_screen_count,
            crash_rate=crash_rate,
            previous=previous,
            change=change,
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
