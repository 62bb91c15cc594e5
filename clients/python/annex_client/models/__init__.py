"""Contains all the data models used in inputs/outputs"""

from .analytics_answer import AnalyticsAnswer
from .analytics_row import AnalyticsRow
from .analytics_row_change_type_0 import AnalyticsRowChangeType0
from .analytics_row_previous_type_0 import AnalyticsRowPreviousType0
from .channel import Channel
from .channel_create import ChannelCreate
from .channel_create_meta import ChannelCreateMeta
from .channel_create_metacounter import ChannelCreateMetacounter
from .channel_create_metadata import ChannelCreateMetadata
from .channel_meta import ChannelMeta
from .channel_metacounter import ChannelMetacounter
from .channel_metadata import ChannelMetadata
from .channel_update import ChannelUpdate
from .counter_mode import CounterMode
from .create_channel_metadata_return import CreateChannelMetadataReturn
from .create_metacounter_return import CreateMetacounterReturn
from .create_user_metadata_return import CreateUserMetadataReturn
from .delete_channel_metadata_key_return import DeleteChannelMetadataKeyReturn
from .delete_channel_metadata_return import DeleteChannelMetadataReturn
from .delete_channel_return import DeleteChannelReturn
from .delete_message_return import DeleteMessageReturn
from .delete_metacounter_key_return import DeleteMetacounterKeyReturn
from .delete_metacounter_return import DeleteMetacounterReturn
from .delete_user_metadata_key_return import DeleteUserMetadataKeyReturn
from .delete_user_metadata_return import DeleteUserMetadataReturn
from .delete_user_return import DeleteUserReturn
from .device import Device
from .error import Error
from .event_batch import EventBatch
from .event_type import EventType
from .get_channel_meta_return import GetChannelMetaReturn
from .get_channel_metadata_key_return import GetChannelMetadataKeyReturn
from .get_channel_metadata_return import GetChannelMetadataReturn
from .get_message_meta_return import GetMessageMetaReturn
from .get_metacounter_key_return import GetMetacounterKeyReturn
from .get_metacounter_return import GetMetacounterReturn
from .get_user_meta_return import GetUserMetaReturn
from .get_user_metadata_key_return import GetUserMetadataKeyReturn
from .get_user_metadata_return import GetUserMetadataReturn
from .ingest_result import IngestResult
from .location import Location
from .merge_channel_meta_body import MergeChannelMetaBody
from .merge_channel_meta_return import MergeChannelMetaReturn
from .merge_message_meta_body import MergeMessageMetaBody
from .merge_message_meta_return import MergeMessageMetaReturn
from .merge_user_meta_body import MergeUserMetaBody
from .merge_user_meta_return import MergeUserMetaReturn
from .message import Message
from .message_meta import MessageMeta
from .message_send import MessageSend
from .message_send_meta import MessageSendMeta
from .meta_replace import MetaReplace
from .meta_replace_meta import MetaReplaceMeta
from .metaarray_create import MetaarrayCreate
from .metaarray_entry import MetaarrayEntry
from .metaarray_item import MetaarrayItem
from .metaarray_update import MetaarrayUpdate
from .metacounter_create import MetacounterCreate
from .metacounter_create_metacounter import MetacounterCreateMetacounter
from .metacounter_update import MetacounterUpdate
from .metacounter_update_metacounter import MetacounterUpdateMetacounter
from .metacounter_value_update import MetacounterValueUpdate
from .metadata_create import MetadataCreate
from .metadata_create_metadata import MetadataCreateMetadata
from .metadata_update import MetadataUpdate
from .metadata_update_metadata import MetadataUpdateMetadata
from .metadata_value_update import MetadataValueUpdate
from .mode import Mode
from .page_channel import PageChannel
from .page_context import PageContext
from .page_message import PageMessage
from .page_session import PageSession
from .page_stored_event import PageStoredEvent
from .page_user import PageUser
from .rejected import Rejected
from .session import Session
from .session_create import SessionCreate
from .session_device import SessionDevice
from .session_location import SessionLocation
from .session_page import SessionPage
from .session_patch import SessionPatch
from .session_release import SessionRelease
from .status import Status
from .stored_event import StoredEvent
from .update_channel_metadata_key_return import UpdateChannelMetadataKeyReturn
from .update_channel_metadata_return import UpdateChannelMetadataReturn
from .update_metacounter_key_return import UpdateMetacounterKeyReturn
from .update_metacounter_return import UpdateMetacounterReturn
from .update_user_metadata_key_return import UpdateUserMetadataKeyReturn
from .update_user_metadata_return import UpdateUserMetadataReturn
from .user import User
from .user_create import UserCreate
from .user_create_meta import UserCreateMeta
from .user_create_metadata import UserCreateMetadata
from .user_meta import UserMeta
from .user_metadata import UserMetadata
from .user_update import UserUpdate
from .utm import Utm

__all__ = (
    "AnalyticsAnswer",
    "AnalyticsRow",
    "AnalyticsRowChangeType0",
    "AnalyticsRowPreviousType0",
    "Channel",
    "ChannelCreate",
    "ChannelCreateMeta",
    "ChannelCreateMetacounter",
    "ChannelCreateMetadata",
    "ChannelMeta",
    "ChannelMetacounter",
    "ChannelMetadata",
    "ChannelUpdate",
    "CounterMode",
    "CreateChannelMetadataReturn",
    "CreateMetacounterReturn",
    "CreateUserMetadataReturn",
    "DeleteChannelMetadataKeyReturn",
    "DeleteChannelMetadataReturn",
    "DeleteChannelReturn",
    "DeleteMessageReturn",
    "DeleteMetacounterKeyReturn",
    "DeleteMetacounterReturn",
    "DeleteUserMetadataKeyReturn",
    "DeleteUserMetadataReturn",
    "DeleteUserReturn",
    "Device",
    "Error",
    "EventBatch",
    "EventType",
    "GetChannelMetadataKeyReturn",
    "GetChannelMetadataReturn",
    "GetChannelMetaReturn",
    "GetMessageMetaReturn",
    "GetMetacounterKeyReturn",
    "GetMetacounterReturn",
    "GetUserMetadataKeyReturn",
    "GetUserMetadataReturn",
    "GetUserMetaReturn",
    "IngestResult",
    "Location",
    "MergeChannelMetaBody",
    "MergeChannelMetaReturn",
    "MergeMessageMetaBody",
    "MergeMessageMetaReturn",
    "MergeUserMetaBody",
    "MergeUserMetaReturn",
    "Message",
    "MessageMeta",
    "MessageSend",
    "MessageSendMeta",
    "MetaarrayCreate",
    "MetaarrayEntry",
    "MetaarrayItem",
    "MetaarrayUpdate",
    "MetacounterCreate",
    "MetacounterCreateMetacounter",
    "MetacounterUpdate",
    "MetacounterUpdateMetacounter",
    "MetacounterValueUpdate",
    "MetadataCreate",
    "MetadataCreateMetadata",
    "MetadataUpdate",
    "MetadataUpdateMetadata",
    "MetadataValueUpdate",
    "MetaReplace",
    "MetaReplaceMeta",
    "Mode",
    "PageChannel",
    "PageContext",
    "PageMessage",
    "PageSession",
    "PageStoredEvent",
    "PageUser",
    "Rejected",
    "Session",
    "SessionCreate",
    "SessionDevice",
    "SessionLocation",
    "SessionPage",
    "SessionPatch",
    "SessionRelease",
    "Status",
    "StoredEvent",
    "UpdateChannelMetadataKeyReturn",
    "UpdateChannelMetadataReturn",
    "UpdateMetacounterKeyReturn",
    "UpdateMetacounterReturn",
    "UpdateUserMetadataKeyReturn",
    "UpdateUserMetadataReturn",
    "User",
    "UserCreate",
    "UserCreateMeta",
    "UserCreateMetadata",
    "UserMeta",
    "UserMetadata",
    "UserUpdate",
    "Utm",
)
