"""Bodies and objects of users and channels."""

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictStr

from annex.core.meta import MAX_META_BYTES, serialized_size
from annex.models import Model, ResourceId, Strict
from annex.models.keyvalue import Count, InitialMetadata, Key

MAX_DATA_BYTES = 64 * 1024


def _data_fits(data: str) -> str:
    if len(data.encode()) > MAX_DATA_BYTES:
        raise ValueError(f"data is at most {MAX_DATA_BYTES} bytes")
    return data


def _client_meta(meta: dict[str, Any]) -> dict[str, Any]:
    system = [k for k in meta if k.startswith("_")]
    if system:
        raise ValueError(f"keys starting with '_' are written only by Annex: {', '.join(system)}")
    if serialized_size(meta) > MAX_META_BYTES:
        raise ValueError(f"meta is at most {MAX_META_BYTES} bytes serialized")
    return meta


Meta = Annotated[dict[StrictStr, Any], AfterValidator(_client_meta)]


class UserCreate(Strict):
    user_id: ResourceId
    nickname: Annotated[StrictStr, Field(max_length=80)] = ""
    profile_url: Annotated[StrictStr, Field(max_length=2048)] = ""
    metadata: InitialMetadata = Field(default_factory=dict)
    meta: Meta = Field(default_factory=dict)


class MetaReplace(Strict):
    meta: Meta


class UserUpdate(Strict):
    nickname: Annotated[StrictStr, Field(max_length=80)] | None = None
    profile_url: Annotated[StrictStr, Field(max_length=2048)] | None = None


class User(Model):
    user_id: str
    nickname: str
    profile_url: str
    metadata: dict[str, str]
    meta: dict[str, Any]
    created_at: int


ChannelData = Annotated[StrictStr, AfterValidator(_data_fits)]


class ChannelCreate(Strict):
    channel_url: ResourceId | None = None
    name: Annotated[StrictStr, Field(max_length=191)] = ""
    data: ChannelData = ""
    metadata: InitialMetadata = Field(default_factory=dict)
    metacounter: Annotated[dict[Key, Count], Field(max_length=5)] = Field(default_factory=dict)
    meta: Meta = Field(default_factory=dict)


class ChannelUpdate(Strict):
    name: Annotated[StrictStr, Field(max_length=191)] | None = None
    data: ChannelData | None = None


class Channel(Model):
    channel_url: str
    channel_type: str
    name: str
    data: str
    metadata: dict[str, str]
    metacounter: dict[str, int]
    meta: dict[str, Any]
    created_at: int
