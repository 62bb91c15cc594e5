from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_message import PageMessage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    channel_type: str,
    channel_url: str,
    *,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metaarray_key: None | str | Unset = UNSET,
    metaarray_values: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_next_: None | str | Unset
    if isinstance(next_, Unset):
        json_next_ = UNSET
    else:
        json_next_ = next_
    params["next"] = json_next_

    json_metaarray_key: None | str | Unset
    if isinstance(metaarray_key, Unset):
        json_metaarray_key = UNSET
    else:
        json_metaarray_key = metaarray_key
    params["metaarray_key"] = json_metaarray_key

    json_metaarray_values: None | str | Unset
    if isinstance(metaarray_values, Unset):
        json_metaarray_values = UNSET
    else:
        json_metaarray_values = metaarray_values
    params["metaarray_values"] = json_metaarray_values

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/{channel_type}/{channel_url}/messages".format(
            channel_type=quote(str(channel_type), safe=""),
            channel_url=quote(str(channel_url), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PageMessage | None:
    if response.status_code == 200:
        response_200 = PageMessage.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PageMessage]:
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
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metaarray_key: None | str | Unset = UNSET,
    metaarray_values: None | str | Unset = UNSET,
) -> Response[Error | PageMessage]:
    """GET /{channel_type}/{channel_url}/messages

    Args:
        channel_type (str):
        channel_url (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metaarray_key (None | str | Unset):
        metaarray_values (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageMessage]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
        limit=limit,
        next_=next_,
        metaarray_key=metaarray_key,
        metaarray_values=metaarray_values,
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
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metaarray_key: None | str | Unset = UNSET,
    metaarray_values: None | str | Unset = UNSET,
) -> Error | PageMessage | None:
    """GET /{channel_type}/{channel_url}/messages

    Args:
        channel_type (str):
        channel_url (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metaarray_key (None | str | Unset):
        metaarray_values (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageMessage
    """

    return sync_detailed(
        channel_type=channel_type,
        channel_url=channel_url,
        client=client,
        limit=limit,
        next_=next_,
        metaarray_key=metaarray_key,
        metaarray_values=metaarray_values,
    ).parsed


async def asyncio_detailed(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metaarray_key: None | str | Unset = UNSET,
    metaarray_values: None | str | Unset = UNSET,
) -> Response[Error | PageMessage]:
    """GET /{channel_type}/{channel_url}/messages

    Args:
        channel_type (str):
        channel_url (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metaarray_key (None | str | Unset):
        metaarray_values (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageMessage]
    """

    kwargs = _get_kwargs(
        channel_type=channel_type,
        channel_url=channel_url,
        limit=limit,
        next_=next_,
        metaarray_key=metaarray_key,
        metaarray_values=metaarray_values,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    channel_type: str,
    channel_url: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metaarray_key: None | str | Unset = UNSET,
    metaarray_values: None | str | Unset = UNSET,
) -> Error | PageMessage | None:
    """GET /{channel_type}/{channel_url}/messages

    Args:
        channel_type (str):
        channel_url (str):
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metaarray_key (None | str | Unset):
        metaarray_values (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageMessage
    """

    return (
        await asyncio_detailed(
            channel_type=channel_type,
            channel_url=channel_url,
            client=client,
            limit=limit,
            next_=next_,
            metaarray_key=metaarray_key,
            metaarray_values=metaarray_values,
        )
    ).parsed
