from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.utm import Utm


T = TypeVar("T", bound="PageContext")


@_attrs_define
class PageContext:
    """Where a (web) session landed: its URL, the referring URL and the landing page's UTM.

    Attributes:
        url (None | str | Unset):
        referer (None | str | Unset):
        utm (None | Unset | Utm):
    """

    url: None | str | Unset = UNSET
    referer: None | str | Unset = UNSET
    utm: None | Unset | Utm = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.utm import Utm  # noqa: PLC0415

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        referer: None | str | Unset
        if isinstance(self.referer, Unset):
            referer = UNSET
        else:
            referer = self.referer

        utm: dict[str, Any] | None | Unset
        if isinstance(self.utm, Unset):
            utm = UNSET
        elif isinstance(self.utm, Utm):
            utm = self.utm.to_dict()
        else:
            utm = self.utm

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url
        if referer is not UNSET:
            field_dict["referer"] = referer
        if utm is not UNSET:
            field_dict["utm"] = utm

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.utm import Utm  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_referer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        referer = _parse_referer(d.pop("referer", UNSET))

        def _parse_utm(data: object) -> None | Unset | Utm:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                utm_type_0 = Utm.from_dict(data)

                return utm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | Utm, data)

        utm = _parse_utm(d.pop("utm", UNSET))

        page_context = cls(
            url=url,
            referer=referer,
            utm=utm,
        )

        return page_context
