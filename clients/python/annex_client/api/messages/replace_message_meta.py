from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.message import Message
from ...models.meta_replace import MetaReplace
from ...types import UNSET, Response, Unset


def _get_kwargs(
    channel_type: str,
    channel_url: str,
    message_id: str,
    *,
    body: MetaReplace,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/{channel_type}/{channel_url}/messages/{message_id}".format(
            channel_type=quote(str(channel_type), safe=""),
            channel_url=quote(str(channel_url), safe=""),
            message_id=quote(str(message_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Message | None:
    if response.status_code == 200:
        response_200 = Message.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Error.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())

        return response_414

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Message]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    channel_type: str,
    channel_url: str,
    message_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: MetaReplace,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Message]:
    """PATCH /{channel_type}/{channel_url}/messages/{message_id}

    Args:
        channel_type (str):
        channel_url (str):
        message_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (MetaReplace):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Message]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
        message_id=message_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    channel_type: str,
    channel_url: str,
    message_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: MetaReplace,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | Message | None:
    """PATCH /{channel_type}/{channel_url}/messages/{message_id}

    Args:
        channel_type (str):
        channel_url (str):
        message_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (MetaReplace):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Message
    """

    return sync_detailed(
        channel_type=channel_type,
        channel_url=channel_url,
        message_id=message_id,
        client=client,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    channel_type: str,
    channel_url: str,
    message_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: MetaReplace,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Message]:
    """PATCH /{channel_type}/{channel_url}/messages/{message_id}

    Args:
        channel_type (str):
        channel_url (str):
        message_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (MetaReplace):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Message]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
        message_id=message_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    channel_type: str,
    channel_url: str,
    message_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: MetaReplace,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | Message | None:
    """PATCH /{channel_type}/{channel_url}/messages/{message_id}

    Args:
        channel_type (str):
        channel_url (str):
        message_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (MetaReplace):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Message
    """

    return (
        await asyncio_detailed(
            channel_type=channel_type,
            channel_url=channel_url,
            message_id=message_id,
            client=client,
            body=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )
    ).parsed
