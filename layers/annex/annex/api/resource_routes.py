"""The key/value metadata and meta routes users and channels share (SPEC "Metadata", "Meta"), defined once.

``resource_routes(ref, model)`` is a Powertools ``Router`` of the ten routes below a resource; a
function mounts it under the resource's path::

    app.include_router(resource_routes(user, User), prefix="/users/<user_id>")

Each handler below takes the resource (an ``Owner``) as its first argument. ``ref`` builds it from the
path parameters, and ``ref``'s own parameters (``user_id``; ``channel_type, channel_url``) are what the
mounted route declares in their place, so validation and the OpenAPI document see the resource's path
parameters by their names, exactly as if each route were written out in the function.
"""

# No `from __future__ import annotations`: the handlers' annotations are read as objects and
# handed to Powertools in the signatures `_owner_from_path` builds.

import inspect
from collections.abc import Callable
from typing import Annotated, Any, get_type_hints

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from annex.api.exchange import if_match, key_list, tagged
from annex.core.clock import now_ms
from annex.core.keyvalue import WriteMode
from annex.domain import meta
from annex.domain import metadata as kv
from annex.domain.keyvalue import metadata_mode
from annex.domain.metadata import Owner
from annex.models.keyvalue import MetadataCreate, MetadataUpdate, MetadataValueUpdate
from annex.models.resources import Meta, MetaReplace

Route = Callable[..., Any]


def resource_routes(ref: Callable[..., Owner], model: type[BaseModel], *, answers_ts: bool = False) -> Router:
    """The metadata and meta routes of the resources ``ref`` names; ``model`` is the resource's answer
    (``PATCH`` replaces its meta and answers it). With ``answers_ts``, a metadata ``POST`` asking for
    ``include_ts`` answers ``{"metadata", "include_ts": <ms>}`` (SPEC: channels do)."""
    router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves its __init__ unannotated
    at = _owner_from_path(ref)

    @router.get("/metadata")
    @at()
    def get_metadata(owner: Owner, keys: str | None = None) -> Response[dict[str, str]]:
        return tagged(*kv.read(owner, kv.METADATA, key_list(keys)))

    @router.get("/metadata/<key>")
    @at()
    def get_metadata_key(owner: Owner, key: str) -> Response[dict[str, str]]:
        return tagged(*kv.read_one(owner, kv.METADATA, key))

    @router.post("/metadata")
    @at()
    def create_metadata(owner: Owner, body: MetadataCreate) -> dict[str, Any]:
        stored = kv.create_metadata(owner, body.metadata, if_match(router))
        return {"metadata": stored, "include_ts": now_ms()} if answers_ts and body.include_ts else stored

    @router.put("/metadata")
    @at()
    def update_metadata(owner: Owner, body: MetadataUpdate) -> dict[str, str]:
        return kv.update_metadata(owner, body.metadata, metadata_mode(body.upsert), if_match(router))

    @router.put("/metadata/<key>")
    @at()
    def update_metadata_key(owner: Owner, key: str, body: MetadataValueUpdate) -> dict[str, str]:
        mode = WriteMode.UPSERT if body.upsert else WriteMode.UPDATE_ONE
        return kv.update_metadata(owner, {key: body.value}, mode, if_match(router))

    @router.delete("/metadata")
    @at()
    def delete_metadata(owner: Owner) -> dict[str, Any]:
        kv.delete_all(owner, kv.METADATA, if_match(router))
        return {}

    @router.delete("/metadata/<key>")
    @at()
    def delete_metadata_key(owner: Owner, key: str) -> dict[str, Any]:
        kv.delete_one(owner, kv.METADATA, key, if_match(router))
        return {}

    @router.patch("/")  # the resource's own path
    @at(answers=model)
    def replace_meta(owner: Owner, body: MetaReplace) -> BaseModel:
        return model.model_validate(meta.replace(owner, body.meta, if_match(router)))

    @router.get("/meta")
    @at()
    def get_meta(owner: Owner) -> Response[dict[str, Any]]:
        return tagged(*meta.read(owner))

    @router.post("/meta")
    @at()
    def merge_meta(owner: Owner, body: Annotated[Meta, Body()]) -> dict[str, Any]:
        return meta.merge(owner, body, if_match(router))

    return router


def _owner_from_path(ref: Callable[..., Owner]) -> Callable[..., Callable[[Route], Route]]:
    """A decorator factory: ``@at()`` turns ``handler(owner, ...)`` into the route handler
    ``(<ref's parameters>, ...)`` that builds the owner with ``ref`` and calls ``handler``
    (``answers``: the route's response model, when it is the resource's)."""
    hints = get_type_hints(ref, include_extras=True)
    path = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in inspect.signature(ref).parameters.values()]
    names = [p.name for p in path]

    def at(answers: type[BaseModel] | None = None) -> Callable[[Route], Route]:
        def bind(handler: Route) -> Route:
            own = inspect.signature(handler)
            signature = own.replace(parameters=[*path, *list(own.parameters.values())[1:]])
            if answers is not None:
                signature = signature.replace(return_annotation=answers)

            def route(**arguments: Any) -> Any:
                owner = ref(**{name: arguments.pop(name) for name in names})
                return handler(owner, **arguments)

            route.__name__ = route.__qualname__ = handler.__name__  # the OpenAPI operation's name
            route.__doc__ = handler.__doc__
            route.__signature__ = signature  # type: ignore[attr-defined]
            route.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
            route.__annotations__["return"] = signature.return_annotation
            return route

        return bind

    return at
