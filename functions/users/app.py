"""Users endpoint group: users and their key/value metadata."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from annex import api
from annex.api.params import Cursor, Limit, Q
from annex.api.resource_routes import resource_routes
from annex.domain import resources
from annex.domain.resources import UserRef
from annex.models.pages import Page
from annex.models.resources import User, UserCreate, UserUpdate

app = api.create_app()


def user(user_id: str) -> UserRef:
    return UserRef(api.tenant(app), user_id)


@app.post("/users", responses={201: {"description": "Created", "content": {"application/json": {"model": User}}}})
def create_user(body: UserCreate) -> tuple[dict[str, Any], int]:
    return resources.create_user(api.tenant(app), body), 201


@app.get("/users")
def list_users(
    limit: Limit = 20,
    next: Cursor = None,
    metadatakey: str | None = None,
    metadatavalues_in: str | None = None,
    q: Q = None,
) -> Page[User]:
    items, cursor = resources.list_users(api.tenant(app), limit, next, metadatakey, api.csv(metadatavalues_in), q)
    return Page[User](data=items, next=cursor)


@app.get("/users/<user_id>")
def get_user(user_id: str) -> Response[User]:
    ref = user(user_id)
    record, version = resources.get(ref)
    return api.tagged(User.model_validate(record).model_dump(), version)


@app.put("/users/<user_id>")
def update_user(user_id: str, body: UserUpdate) -> User:
    return User.model_validate(resources.update_user(user(user_id), body, api.if_match(app)))


@app.delete("/users/<user_id>")
def delete_user(user_id: str) -> dict[str, Any]:
    ref = user(user_id)
    resources.delete(ref, api.if_match(app))
    return {}


app.include_router(resource_routes(user, User), prefix="/users/<user_id>")  # metadata and meta

lambda_handler = api.lambda_handler(app)
