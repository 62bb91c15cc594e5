from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.user_meta import UserMeta
    from ..models.user_metadata import UserMetadata


T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        user_id (str):
        nickname (str):
        profile_url (str):
        metadata (UserMetadata):
        meta (UserMeta):
        created_at (int):
    """

    user_id: str
    nickname: str
    profile_url: str
    metadata: UserMetadata
    meta: UserMeta
    created_at: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        nickname = self.nickname

        profile_url = self.profile_url

        metadata = self.metadata.to_dict()

        meta = self.meta.to_dict()

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "nickname": nickname,
                "profile_url": profile_url,
                "metadata": metadata,
                "meta": meta,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_meta import UserMeta  # noqa: PLC0415
        from ..models.user_metadata import UserMetadata  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        nickname = d.pop("nickname")

        profile_url = d.pop("profile_url")

        metadata = UserMetadata.from_dict(d.pop("metadata"))

        meta = UserMeta.from_dict(d.pop("meta"))

        created_at = d.pop("created_at")

        user = cls(
            user_id=user_id,
            nickname=nickname,
            profile_url=profile_url,
            metadata=metadata,
            meta=meta,
            created_at=created_at,
        )

        user.additional_properties = d
        return user

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
