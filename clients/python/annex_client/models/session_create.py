from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.device import Device
    from ..models.location import Location
    from ..models.page_context import PageContext


T = TypeVar("T", bound="SessionCreate")


@_attrs_define
class SessionCreate:
    """
    Attributes:
        session_id (None | str | Unset):
        user_id (None | str | Unset):
        user_metadata (Any | Unset):
        device (Device | Unset):
        location (Location | Unset):
        page (PageContext | Unset): Where a (web) session landed: its URL, the referring URL and the landing page's UTM.
    """

    session_id: None | str | Unset = UNSET
    user_id: None | str | Unset = UNSET
    user_metadata: Any | Unset = UNSET
    device: Device | Unset = UNSET
    location: Location | Unset = UNSET
    page: PageContext | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        user_metadata = self.user_metadata

        device: dict[str, Any] | Unset = UNSET
        if not isinstance(self.device, Unset):
            device = self.device.to_dict()

        location: dict[str, Any] | Unset = UNSET
        if not isinstance(self.location, Unset):
            location = self.location.to_dict()

        page: dict[str, Any] | Unset = UNSET
        if not isinstance(self.page, Unset):
            page = self.page.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if user_metadata is not UNSET:
            field_dict["user_metadata"] = user_metadata
        if device is not UNSET:
            field_dict["device"] = device
        if location is not UNSET:
            field_dict["location"] = location
        if page is not UNSET:
            field_dict["page"] = page

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.device import Device  # noqa: PLC0415
        from ..models.location import Location  # noqa: PLC0415
        from ..models.page_context import PageContext  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))

        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        user_metadata = d.pop("user_metadata", UNSET)

        _device = d.pop("device", UNSET)
        device: Device | Unset
        if isinstance(_device, Unset):
            device = UNSET
        else:
            device = Device.from_dict(_device)

        _location = d.pop("location", UNSET)
        location: Location | Unset
        if isinstance(_location, Unset):
            location = UNSET
        else:
            location = Location.from_dict(_location)

        _page = d.pop("page", UNSET)
        page: PageContext | Unset
        if isinstance(_page, Unset):
            page = UNSET
        else:
            page = PageContext.from_dict(_page)

        session_create = cls(
            session_id=session_id,
            user_id=user_id,
            user_metadata=user_metadata,
            device=device,
            location=location,
            page=page,
        )

        return session_create
