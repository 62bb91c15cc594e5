"""Channels endpoint group: open and group channels, their key/value metadata and metacounters."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from annex import api
from annex.api.params import Cursor, Limit, Q
from annex.api.resource_routes import resource_routes
from annex.core.keyvalue import WriteMode
from annex.domain import metadata as kv
from annex.domain import resources
from annex.domain.keyvalue import metadata_mode
from annex.domain.resources import ChannelRef
from annex.models.keyvalue import (
    MetacounterCreate,
    MetacounterUpdate,
    MetacounterValueUpdate,
)
from annex.models.pages import Page
from annex.models.resources import Channel, ChannelCreate, ChannelUpdate

app = api.create_app()
Bound = Annotated[int | None, Query(ge=-(2**63), le=2**63 - 1)]
PREFIX = "/<channel_type>/<channel_url>"


def channel(channel_type: str, channel_url: str) -> ChannelRef:
    return ChannelRef(api.tenant(app), channel_type, channel_url)


@app.post(
    "/<channel_type>", responses={201: {"description": "Created", "content": {"application/json": {"model": Channel}}}}
)
def create_channel(channel_type: str, body: ChannelCreate) -> tuple[dict[str, Any], int]:
    return resources.create_channel(api.tenant(app), channel_type, body), 201


@app.get("/<channel_type>")
def list_channels(
    channel_type: str,
    limit: Limit = 20,
    next: Cursor = None,
    metadata_key: str | None = None,
    metadata_values: str | None = None,
    metacounter_key: str | None = None,
    metacounter_value_gt: Bound = None,
    metacounter_value_gte: Bound = None,
    metacounter_value_lt: Bound = None,
    metacounter_value_lte: Bound = None,
    q: Q = None,
) -> Page[Channel]:
    bounds = {
        op: value
        for op, value in {
            "gt": metacounter_value_gt,
            "gte": metacounter_value_gte,
            "lt": metacounter_value_lt,
            "lte": metacounter_value_lte,
        }.items()
        if value is not None
    }
    items, cursor = resources.list_channels(
        api.tenant(app), channel_type, limit, next, metadata_key, api.csv(metadata_values), metacounter_key, bounds, q
    )
    return Page[Channel](data=items, next=cursor)


@app.get(PREFIX)
def get_channel(channel_type: str, channel_url: str) -> Response[Channel]:
    ref = channel(channel_type, channel_url)
    record, version = resources.get(ref)
    return api.tagged(Channel.model_validate(record).model_dump(), version)


@app.put(PREFIX)
def update_channel(channel_type: str, channel_url: str, body: ChannelUpdate) -> Channel:
    return Channel.model_validate(resources.update_channel(channel(channel_type, channel_url), body, api.if_match(app)))


@app.delete(PREFIX)
def delete_channel(channel_type: str, channel_url: str) -> dict[str, Any]:
    from annex.domain import messages  # its messages go with it: the messages' store, loaded by a delete only

    messages.delete_channel(channel(channel_type, channel_url), api.if_match(app))
    return {}


@app.get(f"{PREFIX}/metacounter")
def get_metacounter(channel_type: str, channel_url: str, keys: str | None = None) -> Response[dict[str, int]]:
    return api.tagged(*kv.read(channel(channel_type, channel_url), kv.METACOUNTER, api.key_list(keys)))


@app.get(f"{PREFIX}/metacounter/<key>")
def get_metacounter_key(channel_type: str, channel_url: str, key: str) -> Response[dict[str, int]]:
    return api.tagged(*kv.read_one(channel(channel_type, channel_url), kv.METACOUNTER, key))


@app.post(f"{PREFIX}/metacounter")
def create_metacounter(channel_type: str, channel_url: str, body: MetacounterCreate) -> dict[str, int]:
    return kv.create_counters(channel(channel_type, channel_url), body.metacounter, api.if_match(app))


@app.put(f"{PREFIX}/metacounter")
def update_metacounter(channel_type: str, channel_url: str, body: MetacounterUpdate) -> dict[str, int]:
    mode = metadata_mode(body.upsert)
    return kv.update_counters(channel(channel_type, channel_url), body.metacounter, body.mode, mode, api.if_match(app))


@app.put(f"{PREFIX}/metacounter/<key>")
def update_metacounter_key(
    channel_type: str, channel_url: str, key: str, body: MetacounterValueUpdate
) -> dict[str, int]:
    mode = WriteMode.UPSERT if body.upsert else WriteMode.UPDATE_ONE
    return kv.update_counters(channel(channel_type, channel_url), {key: body.value}, body.mode, mode, api.if_match(app))


@app.delete(f"{PREFIX}/metacounter")
def delete_metacounter(channel_type: str, channel_url: str) -> dict[str, Any]:
    kv.delete_all(channel(channel_type, channel_url), kv.METACOUNTER, api.if_match(app))
    return {}


@app.delete(f"{PREFIX}/metacounter/<key>")
def delete_metacounter_key(channel_type: str, channel_url: str, key: str) -> dict[str, Any]:
    kv.delete_one(channel(channel_type, channel_url), kv.METACOUNTER, key, api.if_match(app))
    return {}


app.include_router(resource_routes(channel, Channel, answers_ts=True), prefix=PREFIX)  # metadata and meta

lambda_handler = api.lambda_handler(app)
