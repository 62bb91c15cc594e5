"""Every DynamoDB key Annex writes is built here and nowhere else (see docs/data-model.md).

Tenant data lives under partition keys that start with the application id, so two applications
never share a partition. The one key that does not is a token's directory entry: the token is
what tells us the application, so that entry is keyed by the token's SHA-256 hash.
"""

from __future__ import annotations

from dataclasses import dataclass

PK, SK = "PK", "SK"
GSI1, GSI1PK, GSI1SK = "GSI1", "GSI1PK", "GSI1SK"
VERSION = "version"  # every write to a record's item adds 1: optimistic concurrency, and its ETag


@dataclass(frozen=True)
class Ref:
    """Where one record lives: its primary key, and the list (GSI1 partition) it is listed in."""

    pk: str
    sk: str
    list_pk: str | None = None
    list_sk: str | None = None

    @property
    def key(self) -> dict[str, str]:
        return {PK: self.pk, SK: self.sk}

    def attributes(self) -> dict[str, str]:
        """The key attributes to store on the item (primary key plus list-index key)."""
        attrs = dict(self.key)
        if self.list_pk is not None and self.list_sk is not None:
            attrs |= {GSI1PK: self.list_pk, GSI1SK: self.list_sk}
        return attrs


def application(app_id: str) -> Ref:
    return Ref(f"{app_id}#APP", "APP")


def token(token_hash: str) -> Ref:
    return Ref(f"TOKEN#{token_hash}", "TOKEN")


def users_list(app_id: str) -> str:
    return f"{app_id}#USERS"


def user(app_id: str, user_id: str) -> Ref:
    return Ref(f"{app_id}#USER#{user_id}", "USER", users_list(app_id), user_id)


def channels_list(app_id: str, channel_type: str) -> str:
    return f"{app_id}#CHANNELS#{channel_type}"


def channel(app_id: str, channel_type: str, channel_url: str) -> Ref:
    return Ref(
        f"{app_id}#CHANNEL#{channel_type}#{channel_url}",
        "CHANNEL",
        channels_list(app_id, channel_type),
        channel_url,
    )


def idempotency_partition(app_id: str) -> str:
    """Where Powertools idempotency keeps an application's Idempotency-Key records (SK: the key's hash)."""
    return f"{app_id}#IDEMPOTENCY"


def application_of(pk: str) -> str:
    """The application id a tenant partition key starts with (application ids never contain '#')."""
    return pk.split("#", 1)[0]
