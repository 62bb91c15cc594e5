from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.channel import Channel
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    channel_type: str,
    channel_url: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/{channel_type}/{channel_url}".format(
            channel_type=quote(str(channel_type), safe=""),
            channel_url=quote(str(channel_url), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Channel | Error | None:
    if response.status_code == 200:
        response_200 = Channel.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Channel | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Channel | Error]:
    """GET /{channel_type}/{channel_url}

    Args:
        channel_type (str):
        channel_url (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Channel | Error]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
) -> Channel | Error | None:
    """GET /{channel_type}/{channel_url}

    Args:
        channel_type (str):
        channel_url (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Channel | Error
    """

    return sync_detailed(
        channel_type=channel_type,
        channel_url=channel_url,
        client=client,
    ).parsed


async def asyncio_detailed(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Channel | Error]:
    """GET /{channel_type}/{channel_url}

    Args:
        channel_type (str):
        channel_url (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Channel | Error]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
) -> Channel | Error | None:
    """GET /{channel_type}/{channel_url}

    Args:
        channel_type (str):
        channel_url (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Channel | Error
    """

    return (
        await asyncio_detailed(
            channel_type=channel_type,
            channel_url=channel_url,
            client=client,
        )
    ).parsed
