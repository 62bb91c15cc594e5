"""Users endpoint group: users and their key/value metadata."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from annex import api
from annex.core.keyvalue import WriteMode
from annex.domain import meta, resources
from annex.domain import metadata as kv
from annex.domain.keyvalue import metadata_mode
from annex.domain.resources import UserRef
from annex.models.keyvalue import MetadataCreate, MetadataUpdate, MetadataValueUpdate
from annex.models.pages import Page
from annex.models.resources import Meta, MetaReplace, User, UserCreate, UserUpdate
from annex.store import records

app = api.create_app()
Limit = Annotated[int, Query(ge=1, le=100)]


def user(user_id: str) -> UserRef:
    return UserRef(api.tenant(app), unquote(user_id))


@app.post("/users", responses={201: {"description": "Created", "content": {"application/json": {"model": User}}}})
def create_user(body: UserCreate) -> tuple[dict[str, Any], int]:
    return resources.create_user(api.tenant(app), body), 201


@app.get("/users")
def list_users(
    limit: Limit = 20,
    next: Annotated[str | None, Query(max_length=2048)] = None,
    metadatakey: str | None = None,
    metadatavalues_in: str | None = None,
    q: Annotated[str | None, Query(max_length=4096)] = None,
) -> Page[User]:
    items, cursor = resources.list_users(api.tenant(app), limit, next, metadatakey, api.csv(metadatavalues_in), q)
    return Page[User](data=items, next=cursor)


@app.get("/users/<user_id>")
def get_user(user_id: str) -> Response[User]:
    ref = user(user_id)
    record, version = records.get_versioned(ref.ref, ref.missing)
    return api.tagged(User.model_validate(record).model_dump(), version)


@app.put("/users/<user_id>")
def update_user(user_id: str, body: UserUpdate) -> User:
    return User.model_validate(resources.update_user(user(user_id), body, api.if_match(app)))


@app.delete("/users/<user_id>")
def delete_user(user_id: str) -> dict[str, Any]:
    ref = user(user_id)
    records.delete(ref.ref, ref.missing, api.if_match(app))
    return {}


@app.get("/users/<user_id>/metadata")
def get_metadata(user_id: str, keys: str | None = None) -> Response[dict[str, str]]:
    return api.tagged(*kv.read(user(user_id), kv.METADATA, api.csv(keys)))


@app.get("/users/<user_id>/metadata/<key>")
def get_metadata_key(user_id: str, key: str) -> Response[dict[str, str]]:
    return api.tagged(*kv.read_one(user(user_id), kv.METADATA, unquote(key)))


@app.post("/users/<user_id>/metadata")
def create_metadata(user_id: str, body: MetadataCreate) -> dict[str, Any]:
    return kv.create_metadata(user(user_id), body.metadata, api.if_match(app))


@app.put("/users/<user_id>/metadata")
def update_metadata(user_id: str, body: MetadataUpdate) -> dict[str, str]:
    return kv.update_metadata(user(user_id), body.metadata, metadata_mode(body.upsert), api.if_match(app))


@app.put("/users/<user_id>/metadata/<key>")
def update_metadata_key(user_id: str, key: str, body: MetadataValueUpdate) -> dict[str, str]:
    mode = WriteMode.UPSERT if body.upsert else WriteMode.UPDATE_ONE
    return kv.update_metadata(user(user_id), {unquote(key): body.value}, mode, api.if_match(app))


@app.delete("/users/<user_id>/metadata")
def delete_metadata(user_id: str) -> dict[str, Any]:
    kv.delete_all(user(user_id), kv.METADATA, api.if_match(app))
    return {}


@app.delete("/users/<user_id>/metadata/<key>")
def delete_metadata_key(user_id: str, key: str) -> dict[str, Any]:
    kv.delete_one(user(user_id), kv.METADATA, unquote(key), api.if_match(app))
    return {}


@app.patch("/users/<user_id>")
def replace_meta(user_id: str, body: MetaReplace) -> User:
    return User.model_validate(meta.replace(user(user_id), body.meta, api.if_match(app)))


@app.get("/users/<user_id>/meta")
def get_meta(user_id: str) -> Response[dict[str, Any]]:
    return api.tagged(*meta.read(user(user_id)))


@app.post("/users/<user_id>/meta")
def merge_meta(user_id: str, body: Annotated[Meta, Body()]) -> dict[str, Any]:
    return meta.merge(user(user_id), body, api.if_match(app))


lambda_handler = api.lambda_handler(app)
