"""The embedded engine's files: framed records, a write-ahead journal with group commit, and
whole files written atomically (docs/local-engine.md).

Every record is framed as its length and CRC-32 (big-endian, 4 bytes each) before its bytes. A
reader tells a torn tail (a crash while the last record was written: it runs past the end of the
file, its checksum fails and nothing follows it, or only zero bytes follow) from damage anywhere
else, which it refuses to read past.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from pathlib import Path

_HEADER = struct.Struct(">II")
MAX_RECORD = 256 * 1024 * 1024


class Unreadable(Exception):
    """A file holds a record that cannot be read and is not a torn tail."""

    def __init__(self, path: Path, offset: int, reason: str):
        super().__init__(f"{path}: unreadable record at byte {offset} ({reason})")
        self.path, self.offset = path, offset


def frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def read_records(path: Path, tail_may_be_torn: bool) -> tuple[list[bytes], int]:
    """The records of ``path`` and the length of its readable part: where a torn tail starts, or
    the file's length. Damage that is not a torn tail of a file that may have one is ``Unreadable``."""
    data = path.read_bytes()
    records: list[bytes] = []
    offset = 0
    while offset < len(data):
        reason = _bad_frame(data, offset)
        if reason is None:
            length = _HEADER.unpack_from(data, offset)[0]
            records.append(data[offset + _HEADER.size : offset + _HEADER.size + length])
            offset += _HEADER.size + length
            continue
        if tail_may_be_torn and _torn(data, offset):
            return records, offset
        raise Unreadable(path, offset, reason)
    return records, offset


def _bad_frame(data: bytes, offset: int) -> str | None:
    if offset + _HEADER.size > len(data):
        return "the record's header runs past the end of the file"
    length, checksum = _HEADER.unpack_from(data, offset)
    if not 0 < length <= MAX_RECORD:
        return f"impossible length {length}"
    end = offset + _HEADER.size + length
    if end > len(data):
        return "the record runs past the end of the file"
    if zlib.crc32(data[offset + _HEADER.size : end]) != checksum:
        return "checksum mismatch"
    return None


def _torn(data: bytes, offset: int) -> bool:
    """Whether the bad record at ``offset`` is the last one written, cut short by a crash."""
    if not data[offset:].strip(b"\0"):
        return True  # the file system kept the file's new length, not its bytes
    if offset + _HEADER.size > len(data):
        return True
    length: int = _HEADER.unpack_from(data, offset)[0]
    return 0 < length <= MAX_RECORD and offset + _HEADER.size + length >= len(data)


def sync_directory(directory: Path) -> None:
    """Make the directory's entries (created, renamed, removed files) durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, chunks: list[bytes]) -> None:
    """``path`` holds ``chunks`` after a crash at any point, or what it held before."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    sync_directory(path.parent)


class Journal:
    """Records appended in the order the engine applied them, made durable in groups.

    ``append`` (under the engine's lock) writes a record and returns its position; ``sync``
    returns once every record up to a position is on disk: one ``fdatasync`` covers every record
    appended before it, so concurrent writers share it. Positions count bytes over every file the
    journal used, so ``rotate`` (compaction starts a new file) keeps them comparable.
    """

    def __init__(self, path: Path, length: int):
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        os.ftruncate(self._fd, length)  # a torn tail is dropped before anything follows it
        os.lseek(self._fd, length, os.SEEK_SET)
        self.appended = self.synced = 0
        self._sync_lock = threading.Lock()
        sync_directory(path.parent)

    def append(self, payload: bytes) -> int:
        data = frame(payload)
        written = 0
        while written < len(data):
            written += os.write(self._fd, data[written:])
        self.appended += len(data)
        return self.appended

    def sync(self, position: int) -> None:
        if self.synced >= position:
            return
        with self._sync_lock:
            if self.synced >= position:
                return
            covered = self.appended  # every record up to here is written: the sync covers them
            os.fdatasync(self._fd)
            self.synced = covered

    def rotate(self, path: Path) -> None:
        """Continue in a new file (under the engine's lock): the current one is synced first."""
        with self._sync_lock:
            os.fdatasync(self._fd)
            self.synced = self.appended
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            sync_directory(path.parent)
            os.close(self._fd)
            self._fd, self.path = fd, path

    def close(self) -> None:
        with self._sync_lock:
            os.fdatasync(self._fd)
            self.synced = self.appended
            os.close(self._fd)
