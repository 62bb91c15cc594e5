from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Device")


@_attrs_define
class Device:
    """
    Attributes:
        app_version (None | str | Unset):
        class_ (None | str | Unset):
        id (None | str | Unset):
        manufacturer (None | str | Unset):
        model (None | str | Unset):
        os_version (None | str | Unset):
        platform (None | str | Unset):
        browser_name (None | str | Unset):
        browser_version (None | str | Unset):
        os_name (None | str | Unset):
        type_ (None | str | Unset):
        sdk_version (None | str | Unset):
    """

    app_version: None | str | Unset = UNSET
    class_: None | str | Unset = UNSET
    id: None | str | Unset = UNSET
    manufacturer: None | str | Unset = UNSET
    model: None | str | Unset = UNSET
    os_version: None | str | Unset = UNSET
    platform: None | str | Unset = UNSET
    browser_name: None | str | Unset = UNSET
    browser_version: None | str | Unset = UNSET
    os_name: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    sdk_version: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        app_version: None | str | Unset
        if isinstance(self.app_version, Unset):
            app_version = UNSET
        else:
            app_version = self.app_version

        class_: None | str | Unset
        if isinstance(self.class_, Unset):
            class_ = UNSET
        else:
            class_ = self.class_

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        manufacturer: None | str | Unset
        if isinstance(self.manufacturer, Unset):
            manufacturer = UNSET
        else:
            manufacturer = self.manufacturer

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        os_version: None | str | Unset
        if isinstance(self.os_version, Unset):
            os_version = UNSET
        else:
            os_version = self.os_version

        platform: None | str | Unset
        if isinstance(self.platform, Unset):
            platform = UNSET
        else:
            platform = self.platform

        browser_name: None | str | Unset
        if isinstance(self.browser_name, Unset):
            browser_name = UNSET
        else:
            browser_name = self.browser_name

        browser_version: None | str | Unset
        if isinstance(self.browser_version, Unset):
            browser_version = UNSET
        else:
            browser_version = self.browser_version

        os_name: None | str | Unset
        if isinstance(self.os_name, Unset):
            os_name = UNSET
        else:
            os_name = self.os_name

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        sdk_version: None | str | Unset
        if isinstance(self.sdk_version, Unset):
            sdk_version = UNSET
        else:
            sdk_version = self.sdk_version

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if app_version is not UNSET:
            field_dict["app_version"] = app_version
        if class_ is not UNSET:
            field_dict["class"] = class_
        if id is not UNSET:
            field_dict["id"] = id
        if manufacturer is not UNSET:
            field_dict["manufacturer"] = manufacturer
        if model is not UNSET:
            field_dict["model"] = model
        if os_version is not UNSET:
            field_dict["os_version"] = os_version
        if platform is not UNSET:
            field_dict["platform"] = platform
        if browser_name is not UNSET:
            field_dict["browser_name"] = browser_name
        if browser_version is not UNSET:
            field_dict["browser_version"] = browser_version
        if os_name is not UNSET:
            field_dict["os_name"] = os_name
        if type_ is not UNSET:
            field_dict["type"] = type_
        if sdk_version is not UNSET:
            field_dict["sdk_version"] = sdk_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_app_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        app_version = _parse_app_version(d.pop("app_version", UNSET))

        def _parse_class_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_ = _parse_class_(d.pop("class", UNSET))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_manufacturer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        manufacturer = _parse_manufacturer(d.pop("manufacturer", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_os_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        os_version = _parse_os_version(d.pop("os_version", UNSET))

        def _parse_platform(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        platform = _parse_platform(d.pop("platform", UNSET))

        def _parse_browser_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        browser_name = _parse_browser_name(d.pop("browser_name", UNSET))

        def _parse_browser_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        browser_version = _parse_browser_version(d.pop("browser_version", UNSET))

        def _parse_os_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        os_name = _parse_os_name(d.pop("os_name", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_sdk_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sdk_version = _parse_sdk_version(d.pop("sdk_version", UNSET))

        device = cls(
            app_version=app_version,
            class_=class_,
            id=id,
            manufacturer=manufacturer,
            model=model,
            os_version=os_version,
            platform=platform,
            browser_name=browser_name,
            browser_version=browser_version,
            os_name=os_name,
            type_=type_,
            sdk_version=sdk_version,
        )

        return device
