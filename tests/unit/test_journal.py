"""The engine's journal framing: a torn last record is told from damage, which is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.journal import Journal, Unreadable, frame, read_records

RECORDS = [b"first", b"second record", b"third"]


def _written(tmp_path: Path, tail: bytes = b"") -> Path:
    path = tmp_path / "journal-00000000.log"
    path.write_bytes(b"".join(frame(r) for r in RECORDS) + tail)
    return path


@pytest.mark.parametrize(
    "tail",
    [
        frame(b"fourth")[:3],  # a header cut short
        frame(b"fourth")[:-2],  # a payload cut short
        frame(b"fourth")[:-1] + b"X",  # its last byte never written
        b"\0" * 64,  # the file's new length kept, its bytes not
    ],
)
def test_a_torn_last_record_is_dropped_and_the_journal_continues_after_the_others(tmp_path: Path, tail: bytes) -> None:
    path = _written(tmp_path, tail)
    records, length = read_records(path, tail_may_be_torn=True)
    assert records == RECORDS and length == path.stat().st_size - len(tail)
    journal = Journal(path, length)
    journal.sync(journal.append(b"fourth"))
    journal.close()
    assert read_records(path, tail_may_be_torn=False)[0] == [*RECORDS, b"fourth"]


def test_damage_before_the_tail_or_in_a_file_without_a_tail_is_unreadable(tmp_path: Path) -> None:
    path = _written(tmp_path)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # inside the first record: records follow it
    path.write_bytes(bytes(data))
    with pytest.raises(Unreadable, match="byte 0"):
        read_records(path, tail_may_be_torn=True)
    torn = _written(tmp_path, frame(b"fourth")[:-2])
    with pytest.raises(Unreadable):
        read_records(torn, tail_may_be_torn=False)  # an older journal or a snapshot is never torn
