"""Messages endpoint group: messages of open and group channels, their sorted_metaarray and meta."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from annex import api
from annex.api.params import Cursor, Limit
from annex.domain import messages
from annex.domain.messages import MessageRef
from annex.domain.resources import ChannelRef
from annex.models.messages import Message, MessageSend, MetaarrayCreate, MetaarrayUpdate, items
from annex.models.pages import Page
from annex.models.resources import Meta, MetaReplace

app = api.create_app()
PREFIX = "/<channel_type>/<channel_url>/messages"
ONE = f"{PREFIX}/<message_id>"


def channel(channel_type: str, channel_url: str) -> ChannelRef:
    return ChannelRef(api.tenant(app), channel_type, channel_url)


def message(channel_type: str, channel_url: str, message_id: str) -> MessageRef:
    return MessageRef(channel(channel_type, channel_url), message_id)


@app.post(PREFIX, responses={201: {"description": "Sent", "content": {"application/json": {"model": Message}}}})
def send_message(channel_type: str, channel_url: str, body: MessageSend) -> tuple[dict[str, Any], int]:
    fields = body.model_dump(exclude={"sorted_metaarray"})
    return messages.send(channel(channel_type, channel_url), fields, items(body.sorted_metaarray)), 201


@app.get(PREFIX)
def list_messages(
    channel_type: str,
    channel_url: str,
    limit: Limit = 20,
    next: Cursor = None,
    metaarray_key: str | None = None,
    metaarray_values: str | None = None,
) -> Page[Message]:
    found, cursor = messages.list_messages(
        channel(channel_type, channel_url), limit, next, metaarray_key, api.csv(metaarray_values)
    )
    return Page[Message](data=found, next=cursor)


@app.get(ONE)
def get_message(channel_type: str, channel_url: str, message_id: str) -> Response[Message]:
    return api.tagged(*messages.read(message(channel_type, channel_url, message_id)))


@app.delete(ONE)
def delete_message(channel_type: str, channel_url: str, message_id: str) -> dict[str, Any]:
    messages.delete(message(channel_type, channel_url, message_id), api.if_match(app))
    return {}


@app.patch(ONE)
def replace_meta(channel_type: str, channel_url: str, message_id: str, body: MetaReplace) -> Message:
    ref = message(channel_type, channel_url, message_id)
    return Message.model_validate(messages.replace_meta(ref, body.meta, api.if_match(app)))


@app.get(f"{ONE}/meta")
def get_meta(channel_type: str, channel_url: str, message_id: str) -> Response[dict[str, Any]]:
    return api.tagged(*messages.read_meta(message(channel_type, channel_url, message_id)))


@app.post(f"{ONE}/meta")
def merge_meta(channel_type: str, channel_url: str, message_id: str, body: Annotated[Meta, Body()]) -> dict[str, Any]:
    return messages.merge_meta(message(channel_type, channel_url, message_id), body, api.if_match(app))


@app.post(f"{ONE}/sorted_metaarray")
def create_metaarray_keys(channel_type: str, channel_url: str, message_id: str, body: MetaarrayCreate) -> Message:
    ref = message(channel_type, channel_url, message_id)
    return Message.model_validate(messages.create_keys(ref, items(body.sorted_metaarray), api.if_match(app)))


@app.put(f"{ONE}/sorted_metaarray")
def update_metaarray_values(channel_type: str, channel_url: str, message_id: str, body: MetaarrayUpdate) -> Message:
    ref = message(channel_type, channel_url, message_id)
    changed = messages.update_values(ref, items(body.sorted_metaarray), body.mode, body.upsert, api.if_match(app))
    return Message.model_validate(changed)


@app.delete(f"{ONE}/sorted_metaarray")
def delete_metaarray_keys(channel_type: str, channel_url: str, message_id: str, keys: str | None = None) -> Message:
    ref = message(channel_type, channel_url, message_id)
    return Message.model_validate(messages.delete_keys(ref, api.key_list(keys), api.if_match(app)))


lambda_handler = api.lambda_handler(app)
