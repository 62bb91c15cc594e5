from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.user_create_meta import UserCreateMeta
    from ..models.user_create_metadata import UserCreateMetadata


T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """
    Attributes:
        user_id (str):
        nickname (str | Unset):  Default: ''.
        profile_url (str | Unset):  Default: ''.
        metadata (UserCreateMetadata | Unset):
        meta (UserCreateMeta | Unset):
    """

    user_id: str
    nickname: str | Unset = ""
    profile_url: str | Unset = ""
    metadata: UserCreateMetadata | Unset = UNSET
    meta: UserCreateMeta | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        nickname = self.nickname

        profile_url = self.profile_url

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
            }
        )
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if profile_url is not UNSET:
            field_dict["profile_url"] = profile_url
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_create_meta import UserCreateMeta  # noqa: PLC0415
        from ..models.user_create_metadata import UserCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        nickname = d.pop("nickname", UNSET)

        profile_url = d.pop("profile_url", UNSET)

        _metadata = d.pop("metadata", UNSET)
        metadata: UserCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = UserCreateMetadata.from_dict(_metadata)

        _meta = d.pop("meta", UNSET)
        meta: UserCreateMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = UserCreateMeta.from_dict(_meta)

        user_create = cls(
            user_id=user_id,
            nickname=nickname,
            profile_url=profile_url,
            metadata=metadata,
            meta=meta,
        )

        return user_create
