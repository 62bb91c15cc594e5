from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """
    Attributes:
        nickname (None | str | Unset):
        profile_url (None | str | Unset):
    """

    nickname: None | str | Unset = UNSET
    profile_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        profile_url: None | str | Unset
        if isinstance(self.profile_url, Unset):
            profile_url = UNSET
        else:
            profile_url = self.profile_url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if profile_url is not UNSET:
            field_dict["profile_url"] = profile_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_profile_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        profile_url = _parse_profile_url(d.pop("profile_url", UNSET))

        user_update = cls(
            nickname=nickname,
            profile_url=profile_url,
        )

        return user_update
