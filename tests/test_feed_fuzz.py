"""The feed readers on whatever a user may hand them: random bytes, CSV-ish and JSON Lines-ish text.
Whatever the input, reading raises nothing but a ``CopyAssistError``, ends in bounded time, and a
CSV that reads comes back from the writer with as many rows, its cells unchanged."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copyassist.batch.model import RowOutcome
from copyassist.batch.writers import open_writer
from copyassist.errors import CopyAssistError
from copyassist.feeds import Feed, FeedRow, open_feed, read_rows

FUZZ = settings(max_examples=150, deadline=2000, database=None, suppress_health_check=[HealthCheck.too_slow])

CELL_TEXT = st.text(alphabet=st.sampled_from(list("ab é€;,\t\"\n\r=-'|x1")), max_size=12)
CSVISH = st.builds(
    lambda rows, delimiter, ending: ending.join(delimiter.join(r) for r in rows),
    st.lists(st.lists(CELL_TEXT, min_size=1, max_size=5), min_size=1, max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
JSONLISH = st.lists(
    st.one_of(JSON_VALUES.map(json.dumps), st.text(alphabet='{}[]":,ab1 \n', max_size=15)), max_size=8
).map("\n".join)


def read_everything(path: Path) -> int | None:
    """Rows read by ``read_rows`` and by ``open_feed``; None when the file is refused."""
    try:
        plain = sum(1 for _ in read_rows(path, keep_blank=True))
        mapped = sum(1 for _ in open_feed(path).rows())
    except CopyAssistError:
        return None
    assert plain == mapped
    return plain


def in_file(data: bytes, name: str) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / name
    path.write_bytes(data)
    return folder, path


@FUZZ
@given(data=st.binary(max_size=300), name=st.sampled_from(["f.csv", "f.tsv", "f.jsonl", "f.json"]))
def test_random_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    folder, path = in_file(data, name)
    with folder:
        read_everything(path)


@FUZZ
@given(text=JSONLISH, name=st.sampled_from(["feed.jsonl", "feed.json"]))
def test_jsonish_text_is_read_or_refused(text: str, name: str) -> None:
    folder, path = in_file(text.encode(), name)
    with folder:
        read_everything(path)


def write_back(feed: Feed, rows: list[FeedRow], out: Path) -> None:
    with open_writer(out, source_format=feed.format, columns=feed.columns, mapping=feed.mapping,
                     fields=["title"], delimiter=feed.delimiter, encoding=feed.encoding,
                     lineterminator=feed.lineterminator,
                     header_source=feed.header_source) as writer:  # fmt: skip
        for row in rows:
            writer.write(RowOutcome(row))


@FUZZ
@given(text=CSVISH, encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_csvish_text_reads_and_comes_back_with_every_row(text: str, encoding: str) -> None:
    folder, path = in_file(text.encode(encoding), "feed.csv")
    with folder:
        count = read_everything(path)
        if count is None:
            return
        feed = open_feed(path)
        rows = list(feed.rows())
        out = path.with_name("out.csv")
        write_back(feed, rows, out)
        again = list(open_feed(out, delimiter=feed.delimiter).rows())  # as sniffed from the input
        assert len(again) == len(rows) == count
        for before, after in zip(rows, again, strict=True):
            assert after.number == before.number
            if before.raw:
                assert {c: after.raw.get(c) for c in before.raw} == before.raw
