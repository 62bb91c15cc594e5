from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.page_user import PageUser
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadatakey: None | str | Unset = UNSET,
    metadatavalues_in: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_next_: None | str | Unset
    if isinstance(next_, Unset):
        json_next_ = UNSET
    else:
        json_next_ = next_
    params["next"] = json_next_

    json_metadatakey: None | str | Unset
    if isinstance(metadatakey, Unset):
        json_metadatakey = UNSET
    else:
        json_metadatakey = metadatakey
    params["metadatakey"] = json_metadatakey

    json_metadatavalues_in: None | str | Unset
    if isinstance(metadatavalues_in, Unset):
        json_metadatavalues_in = UNSET
    else:
        json_metadatavalues_in = metadatavalues_in
    params["metadatavalues_in"] = json_metadatavalues_in

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PageUser | None:
    if response.status_code == 200:
        response_200 = PageUser.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | PageUser]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadatakey: None | str | Unset = UNSET,
    metadatavalues_in: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Response[Error | PageUser]:
    """GET /users

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadatakey (None | str | Unset):
        metadatavalues_in (None | str | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageUser]
    """

    kwargs = _get_kwargs(
        limit=limit,
        next_=next_,
        metadatakey=metadatakey,
        metadatavalues_in=metadatavalues_in,
        q=q,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadatakey: None | str | Unset = UNSET,
    metadatavalues_in: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Error | PageUser | None:
    """GET /users

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadatakey (None | str | Unset):
        metadatavalues_in (None | str | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageUser
    """

    return sync_detailed(
        client=client,
        limit=limit,
        next_=next_,
        metadatakey=metadatakey,
        metadatavalues_in=metadatavalues_in,
        q=q,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadatakey: None | str | Unset = UNSET,
    metadatavalues_in: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Response[Error | PageUser]:
    """GET /users

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadatakey (None | str | Unset):
        metadatavalues_in (None | str | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PageUser]
    """

    kwargs = _get_kwargs(
        limit=limit,
        next_=next_,
        metadatakey=metadatakey,
        metadatavalues_in=metadatavalues_in,
        q=q,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    next_: None | str | Unset = UNSET,
    metadatakey: None | str | Unset = UNSET,
    metadatavalues_in: None | str | Unset = UNSET,
    q: None | str | Unset = UNSET,
) -> Error | PageUser | None:
    """GET /users

    Args:
        limit (int | Unset):  Default: 20.
        next_ (None | str | Unset):
        metadatakey (None | str | Unset):
        metadatavalues_in (None | str | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PageUser
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            next_=next_,
            metadatakey=metadatakey,
            metadatavalues_in=metadatavalues_in,
            q=q,
        )
    ).parsed
