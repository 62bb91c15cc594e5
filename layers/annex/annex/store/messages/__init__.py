"""Messages in the table: the per-channel counter, message items and the sorted_metaarray index.

One partition per channel url (``keys.channel_messages``) holds:

- ``COUNTER``: ``last_message_id`` (allocated with ``ADD``, so concurrent sends never share an id),
  ``floor`` and ``deleted``. Deleting the channel marks it deleted and raises the floor to the last
  id in the same transaction; a message is visible only while its id is above the floor, and the
  counter outlives the channel, so no two messages of a channel url ever get the same id.
- ``M#{id}``: the messages, oldest first. ``sorted_metaarray`` is stored as a map
  ``{key: {"o": ordinal, "v": [values]}}`` (the ordinal keeps the keys' order), ``meta`` as JSON text.
- ``X#{key}#{value}#{id}``: one index entry per (key, value) a message holds, so a filter reads the
  entries of the values it names and the messages they point at, nothing else.

Index invariant: every value a message holds has its entry. An entry is written in the same
``TransactWriteItems`` as the message change that adds its value, and deleted in the one that
removes it; a change with more entries than one transaction holds takes the message's
``index_lock`` (entries first, then the change, then the stale entries, then the unlock), and every
other sorted_metaarray write waits for a lock. An entry can be stale (a value removed, a writer that
died), never missing; readers re-check every candidate against the stored message.

Modules: ``items`` (the item layout, reads, meta and deleting one message), ``send`` (ids and new
messages), ``metaarray`` (sorted_metaarray changes), ``listing`` (pages, filtered by the index),
``channel`` (deleting a channel's messages with it).
"""
