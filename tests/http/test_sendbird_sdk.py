"""Sendbird's own Platform SDK (sendbird-platform-sdk 2.1.5, pinned in the dev extra), unchanged,
against the local server's /v3: every call it makes for users, channels, their metadata, messages
and sorted_metaarray succeeds and deserializes into the SDK's models. The SDK has no metacounter
client: those routes are driven over plain HTTP, as Sendbird documents them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sendbird_platform_sdk as sendbird
from sendbird_platform_sdk.api.group_channel_api import GroupChannelApi
from sendbird_platform_sdk.api.message_api import MessageApi
from sendbird_platform_sdk.api.metadata_api import MetadataApi
from sendbird_platform_sdk.api.open_channel_api import OpenChannelApi
from sendbird_platform_sdk.api.user_api import UserApi
from sendbird_platform_sdk.model.add_extra_data_to_a_message_request import AddExtraDataToAMessageRequest
from sendbird_platform_sdk.model.create_a_channel_metadata_request import CreateAChannelMetadataRequest
from sendbird_platform_sdk.model.create_a_group_channel_request import CreateAGroupChannelRequest
from sendbird_platform_sdk.model.create_a_user_request import CreateAUserRequest
from sendbird_platform_sdk.model.create_an_open_channel_request import CreateAnOpenChannelRequest
from sendbird_platform_sdk.model.create_user_metadata_request import CreateUserMetadataRequest
from sendbird_platform_sdk.model.send_a_message_request import SendAMessageRequest
from sendbird_platform_sdk.model.sendbird_sorted_metaarray import SendbirdSortedMetaarray
from sendbird_platform_sdk.model.sendbird_sorted_metaarray_inner import SendbirdSortedMetaarrayInner
from sendbird_platform_sdk.model.update_a_channel_metadata_request import UpdateAChannelMetadataRequest
from sendbird_platform_sdk.model.update_a_group_channel_request import UpdateAGroupChannelRequest
from sendbird_platform_sdk.model.update_a_user_request import UpdateAUserRequest
from sendbird_platform_sdk.model.update_an_open_channel_request import UpdateAnOpenChannelRequest
from sendbird_platform_sdk.model.update_extra_data_in_a_message_request import UpdateExtraDataInAMessageRequest
from sendbird_platform_sdk.model.update_specific_user_metadata_request import UpdateSpecificUserMetadataRequest
from sendbird_platform_sdk.model.update_user_metadata_request import UpdateUserMetadataRequest

from tests.conftest import TOKEN, Api

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[sendbird.ApiClient]:
    """The SDK pointed at the local server, as at ``https://api-{application_id}.sendbird.com``."""
    with sendbird.ApiClient(sendbird.Configuration(host=server)) as api_client:
        yield api_client


@pytest.fixture(scope="module")
def v3(server: str) -> Api:
    return Api(server + "/v3")


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _metaarray(**items: list[str]) -> SendbirdSortedMetaarray:
    return SendbirdSortedMetaarray([SendbirdSortedMetaarrayInner(key=k, value=v) for k, v in items.items()])


def _refused(call: Callable[[], Any]) -> sendbird.ApiException:
    """The SDK's exception for a call Annex refuses (its ``status`` and the SPEC ``body``)."""
    with pytest.raises(sendbird.ApiException) as refused:
        call()
    return refused.value


def _plain(value: Any) -> Any:
    """An SDK model as plain JSON data."""
    return value.to_dict() if hasattr(value, "to_dict") else value


def test_user_create_view_update_delete(client: sendbird.ApiClient) -> None:
    users = UserApi(client)
    user_id = _unique("sb-user")
    created = users.create_a_user(
        api_token=TOKEN,
        create_a_user_request=CreateAUserRequest(
            user_id=user_id, nickname="Jay", profile_url="", issue_access_token=False, metadata={"plan": "pro"}
        ),
    )
    assert (created.user_id, created.nickname, created.metadata) == (user_id, "Jay", {"plan": "pro"})
    assert created.created_at < 10**11, "Sendbird answers a user's created_at in seconds"
    viewed = users.view_a_user(user_id, api_token=TOKEN)
    assert viewed.user_id == user_id and viewed.nickname == "Jay"
    update = UpdateAUserRequest(nickname="Rooster", profile_url="https://example.com/r.png", is_active=True)
    updated = users.update_a_user(user_id, api_token=TOKEN, update_a_user_request=update)
    assert (updated.nickname, updated.profile_url) == ("Rooster", "https://example.com/r.png")
    assert users.delete_a_user(user_id, api_token=TOKEN) == {}
    assert _refused(lambda: users.view_a_user(user_id, api_token=TOKEN)).status == 404


def test_user_metadata_crud(client: sendbird.ApiClient) -> None:
    users = UserApi(client)
    user_id = _unique("sb-meta")
    users.create_a_user(api_token=TOKEN, create_a_user_request=CreateAUserRequest(user_id=user_id, nickname="M"))
    body = CreateUserMetadataRequest(metadata={"location": "Washington", "marriage": "N"})
    assert users.create_user_metadata(user_id, api_token=TOKEN, create_user_metadata_request=body) == {
        "location": "Washington",
        "marriage": "N",
    }
    assert users.view_specific_user_metadata(user_id, "location", api_token=TOKEN) == {"location": "Washington"}
    update = UpdateUserMetadataRequest(metadata={"location": "Philadelphia", "favorites": "movie"}, upsert=True)
    assert users.update_user_metadata(user_id, api_token=TOKEN, update_user_metadata_request=update) == {
        "location": "Philadelphia",
        "favorites": "movie",
    }
    one = UpdateSpecificUserMetadataRequest(value="Boston")
    assert users.update_specific_user_metadata(
        user_id, "location", api_token=TOKEN, update_specific_user_metadata_request=one
    ) == {"location": "Boston"}
    assert users.delete_specific_user_metadata(user_id, "favorites", api_token=TOKEN) == {}
    assert users.view_a_user(user_id, api_token=TOKEN).metadata == {"location": "Boston", "marriage": "N"}
    assert users.delete_user_all_metadata(user_id, api_token=TOKEN) == {}
    assert users.view_a_user(user_id, api_token=TOKEN).metadata == {}


def test_group_channel_create_view_update_delete(client: sendbird.ApiClient) -> None:
    users, channels = UserApi(client), GroupChannelApi(client)
    members = [_unique("sb-member") for _ in range(2)]
    for member in members:
        users.create_a_user(api_token=TOKEN, create_a_user_request=CreateAUserRequest(user_id=member, nickname=""))
    url = _unique("sb-group")
    create = CreateAGroupChannelRequest(
        users=[],
        user_ids=members,
        channel_url=url,
        name="On the upcoming AWS event",
        data="{}",
        is_distinct=False,
        custom_type="event",
        cover_url="https://example.com/cover.jpg",
        operator_ids=members[:1],
    )
    created = channels.create_a_group_channel(api_token=TOKEN, create_a_group_channel_request=create)
    assert (created.channel_url, created.name, created.data) == (url, "On the upcoming AWS event", "{}")
    assert created.created_at < 10**11, "Sendbird answers a channel's created_at in seconds"
    assert channels.get_a_group_channel(url, api_token=TOKEN).name == "On the upcoming AWS event"
    update = UpdateAGroupChannelRequest(name="Renamed", data="d", custom_type="x", is_distinct=True)
    updated = channels.update_a_group_channel(url, api_token=TOKEN, update_a_group_channel_request=update)
    assert (updated.name, updated.data) == ("Renamed", "d")
    assert channels.delete_a_group_channel(url, api_token=TOKEN) == {}
    assert _refused(lambda: channels.get_a_group_channel(url, api_token=TOKEN)).status == 404


def test_group_channel_url_is_generated_when_absent(client: sendbird.ApiClient) -> None:
    create = CreateAGroupChannelRequest(users=[], name="generated")
    created = GroupChannelApi(client).create_a_group_channel(api_token=TOKEN, create_a_group_channel_request=create)
    assert created.channel_url and created.name == "generated"


def test_open_channel_create_view_update_delete(client: sendbird.ApiClient) -> None:
    channels = OpenChannelApi(client)
    url = _unique("sb-open")
    create = CreateAnOpenChannelRequest(channel_url=url, name="Lobby", custom_type="hall", is_dynamic_partitioned=True)
    created = channels.create_an_open_channel(api_token=TOKEN, create_an_open_channel_request=create)
    assert (created.channel_url, created.name) == (url, "Lobby")
    assert channels.get_an_open_channel(url, api_token=TOKEN).name == "Lobby"
    update = UpdateAnOpenChannelRequest(name="Hall", cover_url="https://example.com/c.png", operator_ids=[])
    assert channels.update_an_open_channel(url, api_token=TOKEN, update_an_open_channel_request=update).name == "Hall"
    listed = channels.list_open_channels(api_token=TOKEN, limit=100)
    assert isinstance(listed.next, str)
    assert channels.delete_an_open_channel(url, api_token=TOKEN) == {}


@pytest.mark.parametrize("channel_type", ["group_channels", "open_channels"])
def test_channel_metadata_crud_with_include_ts(client: sendbird.ApiClient, api: Api, channel_type: str) -> None:
    url = _unique("sb-chmeta")
    assert api.post(f"/{channel_type}", {"channel_url": url}).status_code == 201
    metadata = MetadataApi(client)
    create = CreateAChannelMetadataRequest(metadata={"background": "yellow", "size": "large"}, include_ts=True)
    created = metadata.create_a_channel_metadata(
        channel_type, url, api_token=TOKEN, create_a_channel_metadata_request=create
    )
    assert created.metadata == {"background": "yellow", "size": "large"}
    assert isinstance(created.include_ts, int) and created.include_ts > 10**12
    view = metadata.view_a_channel_metadata_when_retrieving_all_items_of_a_channel_metadata
    assert view(channel_type, url, api_token=TOKEN) == {"background": "yellow", "size": "large"}
    assert view(channel_type, url, api_token=TOKEN, keys="size") == {"size": "large"}
    update = UpdateAChannelMetadataRequest(metadata={"size": "small", "color": "purple"}, upsert=True)
    assert metadata.update_a_channel_metadata(
        channel_type, url, api_token=TOKEN, update_a_channel_metadata_request=update
    ) == {"size": "small", "color": "purple"}
    delete = metadata.delete_a_channel_metadata_when_deleting_all_items_of_a_channel_metadata
    assert delete(channel_type, url, api_token=TOKEN) == {}
    assert view(channel_type, url, api_token=TOKEN) == {}


def test_group_channel_lists_filter_by_metadata_and_metacounter(client: sendbird.ApiClient, api: Api) -> None:
    tag = uuid.uuid4().hex[:10]
    urls = [_unique("sb-list") for _ in range(3)]
    for count, url in enumerate(urls):
        body = {"channel_url": url, "metadata": {"team": tag}, "metacounter": {f"likes-{tag}": count}}
        assert api.post("/group_channels", body).status_code == 201
    channels = GroupChannelApi(client)
    by_metadata = channels.list_channels(TOKEN, metadata_key="team", metadata_values=tag, limit=10, show_member=True)
    assert sorted(c.channel_url for c in by_metadata.channels) == sorted(urls)
    assert by_metadata.next == ""
    by_counter = channels.list_channels(TOKEN, metacounter_key=f"likes-{tag}", metacounter_value_gte="1")
    assert sorted(c.channel_url for c in by_counter.channels) == sorted(urls[1:])
    exact = channels.list_channels(TOKEN, metacounter_key=f"likes-{tag}", metacounter_values="2")
    assert [c.channel_url for c in exact.channels] == [urls[2]]
    paged, token = [], ""
    while True:
        page = channels.list_channels(TOKEN, metadata_key="team", metadata_values=tag, limit=2, token=token)
        paged += [c.channel_url for c in page.channels]
        token = page.next
        if not token:
            break
    assert sorted(paged) == sorted(urls)


def test_user_list_by_metadata_pages_with_token_to_the_end(client: sendbird.ApiClient) -> None:
    users = UserApi(client)
    tag = uuid.uuid4().hex[:10]
    ids = sorted(_unique("sb-page") for _ in range(5))
    for user_id in ids:
        body = CreateAUserRequest(user_id=user_id, nickname="", metadata={"cohort": tag})
        users.create_a_user(api_token=TOKEN, create_a_user_request=body)
    seen: list[str] = []
    token, pages = "", 0  # an empty token asks for the first page
    while True:
        page = users.list_users(api_token=TOKEN, limit=2, metadatakey="cohort", metadatavalues_in=tag, token=token)
        assert len(page.users) <= 2
        seen += [u.user_id for u in page.users]
        pages += 1
        token = page.next
        if token == "":
            break
        assert pages < 10, "a paging loop must end"
    assert sorted(seen) == ids and pages == 3


def test_message_send_get_delete_and_sorted_metaarray(client: sendbird.ApiClient, api: Api) -> None:
    url = _unique("sb-msg")
    assert api.post("/group_channels", {"channel_url": url}).status_code == 201
    messages = MessageApi(client)
    send = SendAMessageRequest(
        message_type="MESG",
        user_id="Julia",
        message="hello",
        custom_type="greeting",
        data="",
        is_silent=False,
        mark_as_read=True,
        sorted_metaarray=_metaarray(design=["A", "B"]),
    )
    sent = messages.send_a_message("group_channels", url, api_token=TOKEN, send_a_message_request=send)
    assert (sent.message, sent.type, sent.user.user_id) == ("hello", "MESG", "Julia")
    message_id = sent.message_id
    got = messages.get_a_message("group_channels", url, message_id, api_token=TOKEN, with_sorted_meta_array=True)
    assert [_plain(i) for i in got.sorted_metaarray.value] == [{"key": "design", "value": ["A", "B"]}]

    add = AddExtraDataToAMessageRequest(sorted_metaarray=_metaarray(likes=["jay"]))
    added = messages.add_extra_data_to_a_message(
        "group_channels", url, message_id, api_token=TOKEN, add_extra_data_to_a_message_request=add
    )
    assert {i.key: i.value for i in added.sorted_metaarray.value} == {"design": ["A", "B"], "likes": ["jay"]}

    def update(mode: str, upsert: bool, **items: list[str]) -> dict[str, list[str]]:
        body = UpdateExtraDataInAMessageRequest(mode=mode, upsert=upsert, sorted_metaarray=_metaarray(**items))
        changed = messages.update_extra_data_in_a_message(
            "group_channels", url, message_id, api_token=TOKEN, update_extra_data_in_a_message_request=body
        )
        return {i.key: i.value for i in changed.sorted_metaarray.value}

    assert update("add", False, design=["C"])["design"] == ["A", "B", "C"]
    assert update("remove", False, design=["A"])["design"] == ["B", "C"]
    assert update("add", True, mood=["calm"])["mood"] == ["calm"]
    messages.remove_extra_data_from_a_message("group_channels", url, message_id, api_token=TOKEN, keys="likes,mood")
    got = messages.get_a_message("group_channels", url, message_id, api_token=TOKEN)
    assert [i.key for i in got.sorted_metaarray.value] == ["design"]

    assert messages.delete_a_message("group_channels", url, message_id, api_token=TOKEN) == {}
    assert _refused(lambda: messages.get_a_message("group_channels", url, message_id, api_token=TOKEN)).status == 404


def test_a_message_type_annex_does_not_store_is_refused(client: sendbird.ApiClient, api: Api) -> None:
    url = _unique("sb-file")
    assert api.post("/open_channels", {"channel_url": url}).status_code == 201
    send = SendAMessageRequest(message_type="ADMM", user_id="admin", message="notice")
    messages = MessageApi(client)
    refused = _refused(
        lambda: messages.send_a_message("open_channels", url, api_token=TOKEN, send_a_message_request=send)
    )
    assert refused.status == 400 and json.loads(refused.body)["code"] == "not_supported"


def test_metacounter_routes_answer_as_sendbird_documents(api: Api, v3: Api) -> None:
    url = _unique("sb-counter")
    assert v3.post("/group_channels", {"channel_url": url, "users": []}).status_code == 200
    counter = f"/group_channels/{url}/metacounter"
    created = v3.post(counter, {"metacounter": {"likes": 0, "dislikes": 0, "giveups": 0}})
    assert (created.status_code, created.json()) == (200, {"likes": 0, "dislikes": 0, "giveups": 0})
    increased = v3.put(counter, {"metacounter": {"likes": 1, "happinesses": 0}, "mode": "increase", "upsert": True})
    assert increased.json() == {"likes": 1, "dislikes": 0, "giveups": 0, "happinesses": 0}
    one = v3.put(f"{counter}/likes", {"value": 2, "mode": "increase", "upsert": False})
    assert one.json() == {"likes": 3, "dislikes": 0, "giveups": 0, "happinesses": 0}
    assert v3.get(counter, params={"keys": "likes,dislikes"}).json() == {"likes": 3, "dislikes": 0}
    assert v3.get(f"{counter}?keys=likes&keys=giveups").json() == {"likes": 3, "giveups": 0}
    assert v3.get(f"{counter}/likes").json() == {"likes": 3}
    assert v3.delete(f"{counter}/giveups").json() == {}
    assert v3.delete(counter).json() == {}
    assert v3.get(counter).json() == {}
    assert api.get(counter).json() == {}, "the same data as the native route's"


def test_v3_errors_keep_the_spec_body_and_unsupported_filters_are_refused(v3: Api) -> None:
    missing = v3.get(f"/users/{_unique('nobody')}")
    assert missing.status_code == 404
    assert missing.json()["error"] is True and missing.json()["code"] == "not_found"
    refused = v3.get("/users", params={"nickname_startswith": "J"})
    assert refused.status_code == 400 and refused.json()["code"] == "not_supported"
    typo = v3.post("/users", {"user_id": _unique("sb-typo"), "nickname": "", "nick_name": "x"})
    assert typo.status_code == 400, "a field neither Annex nor Sendbird knows is still refused"
