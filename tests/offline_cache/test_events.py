"""The event-stream parser: the server's exact format, every line ending and chunking, limits, garbage."""

from __future__ import annotations

import contextlib
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline_cache.events import (
    MAX_EVENT_BYTES,
    MAX_LINE_BYTES,
    EventParser,
    long_poll_read_timeout,
    long_poll_wait,
    parse_poke,
)
from offline_cache.remote import KeepAlive, LiveSignal, MalformedResponse, Poke

# What central/app.py sends: the retry hint, the heads, a heartbeat, a live poke.
SERVER_STREAM = (
    b"retry: 2000\n\n"
    b'id: 17\nevent: poke\ndata: {"stream": "catalog", "version": 17}\n\n'
    b'id: 42\nevent: poke\ndata: {"stream": "stock:CZ-PRG-01", "version": 42}\n\n'
    b": ka\n\n"
    b'id: 43\nevent: poke\ndata: {"stream": "stock:CZ-PRG-01", "version": 43}\n\n'
)
SERVER_SIGNALS: list[LiveSignal] = [
    KeepAlive(2000),
    Poke("catalog", 17, "17"),
    Poke("stock:CZ-PRG-01", 42, "42"),
    KeepAlive(2000),
    Poke("stock:CZ-PRG-01", 43, "43"),
]


def feed_all(chunks: list[bytes]) -> list[LiveSignal]:
    parser = EventParser()
    return [signal for chunk in chunks for signal in parser.feed(chunk)]


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def test_the_servers_stream_gives_pokes_heartbeats_and_the_retry_hint() -> None:
    parser = EventParser()
    assert parser.feed(SERVER_STREAM) == SERVER_SIGNALS
    assert parser.last_event_id == "43"
    assert parser.retry_ms == 2000


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_reads_the_same(eol: bytes) -> None:
    assert feed_all([SERVER_STREAM.replace(b"\n", eol)]) == SERVER_SIGNALS


def test_byte_by_byte_crlf_split_between_cr_and_lf() -> None:
    data = SERVER_STREAM.replace(b"\n", b"\r\n")
    assert feed_all([data[i : i + 1] for i in range(len(data))]) == SERVER_SIGNALS


def test_a_leading_bom_is_skipped_even_split_across_chunks() -> None:
    data = b"\xef\xbb\xbf" + SERVER_STREAM
    assert feed_all([data[:1], data[1:2], data[2:5], data[5:]]) == SERVER_SIGNALS
    # Later, U+FEFF is just part of a field name this client does not know: the event is ignored.
    assert feed_all([SERVER_STREAM, b"\xef\xbb\xbfdata: x\n\n"]) == [*SERVER_SIGNALS, KeepAlive(2000)]


def test_multi_line_data_is_joined_with_newlines() -> None:
    data = b'event: poke\nid: 9\ndata: {"stream":\ndata:"reviews",\ndata: "version": 9}\n\n'
    assert feed_all([data]) == [Poke("reviews", 9, "9")]


def test_unknown_events_fields_and_bad_ids_are_ignored_as_the_spec_says() -> None:
    data = (
        b"event: hello\ndata: anything at all\n\n"  # an event this client does not know
        b"field-without-colon\nfoo: bar\n\n"  # unknown fields
        b"id: 1\x002\n"  # an id with NUL is ignored
        b'event: poke\ndata: {"stream": "locations", "version": 3}\n\n'
        b"retry: soon\n\n"  # not a number: ignored
    )
    assert feed_all([data]) == [KeepAlive(None), KeepAlive(None), Poke("locations", 3, None), KeepAlive(None)]


def test_the_event_id_persists_until_changed_and_an_empty_id_clears_it() -> None:
    data = (
        b'id: 5\nevent: poke\ndata: {"stream": "catalog", "version": 5}\n\n'
        b'event: poke\ndata: {"stream": "catalog", "version": 6}\n\n'
        b'id\nevent: poke\ndata: {"stream": "catalog", "version": 7}\n\n'
    )
    assert feed_all([data]) == [Poke("catalog", 5, "5"), Poke("catalog", 6, "5"), Poke("catalog", 7, None)]


@pytest.mark.parametrize(
    "data",
    [
        b"event: poke\ndata: not json\n\n",
        b"event: poke\ndata: [1, 2]\n\n",
        b'event: poke\ndata: {"stream": "nope", "version": 1}\n\n',
        b'event: poke\ndata: {"stream": "stock:../x", "version": 1}\n\n',
        b'event: poke\ndata: {"stream": "catalog", "version": -1}\n\n',
        b'event: poke\ndata: {"stream": "catalog", "version": true}\n\n',
        b'event: poke\ndata: {"stream": "catalog", "version": 1.5}\n\n',
        b'event: poke\ndata: {"stream": "catalog", "version": NaN}\n\n',
        b'event: poke\ndata: {"stream": "catalog", "version": 99999999999999999999}\n\n',
        b"event: poke\ndata: \xff\xfe\n\n",  # not UTF-8
        b"id: " + b"9" * 25 + b"\n\n",  # longer than the server takes back as Last-Event-ID
    ],
)
def test_garbage_raises_malformed_response(data: bytes) -> None:
    with pytest.raises(MalformedResponse):
        feed_all([data])


def test_a_line_without_end_is_refused_once_too_long_and_so_is_a_huge_event() -> None:
    parser = EventParser()
    assert parser.feed(b"data: " + b"x" * (MAX_LINE_BYTES - 100)) == []
    with pytest.raises(MalformedResponse):
        parser.feed(b"x" * 200)
    many = b"".join(b"data: " + b"y" * 1000 + b"\n" for _ in range(MAX_EVENT_BYTES // 1000 + 1))
    with pytest.raises(MalformedResponse):
        feed_all([b"event: poke\n" + many + b"\n"])


def test_parse_poke_reads_the_servers_data() -> None:
    text = json.dumps({"stream": "orders:CZ-PRG-01", "version": 12, "extra": "ignored"})
    assert parse_poke(text, "12") == Poke("orders:CZ-PRG-01", 12, "12")


def test_long_poll_wait_is_clamped_and_the_read_timeout_outlasts_it() -> None:
    assert long_poll_wait(25) == 25
    assert long_poll_wait(99) == 30
    assert long_poll_wait(-1) == 0
    assert long_poll_wait(0.5) == 0
    assert long_poll_read_timeout(25, 15) == 35  # SYNC_DESIGN 3.7: 35 s for a 25 s wait
    assert long_poll_read_timeout(0, 15) == 15


# -- properties ----------------------------------------------------------------------------------------

streams = st.sampled_from(["catalog", "locations", "reviews", "stock:CZ-PRG-01", "orders:PL-WAW-01"])
events = st.one_of(
    st.builds(lambda s, v: ("poke", s, v), streams, st.integers(0, 2**63 - 1)),
    st.just(("comment",)),
    st.builds(lambda ms: ("retry", ms), st.integers(0, 300_000)),
    st.builds(lambda text: ("other", text), st.text(alphabet="abc xyz{}", max_size=20)),
)


def render(items: list[tuple[object, ...]], eol: bytes) -> tuple[bytes, list[LiveSignal]]:
    out: list[bytes] = []
    expected: list[LiveSignal] = []
    retry: int | None = None
    last_id: str | None = None
    for item in items:
        if item[0] == "poke":
            _, stream, version = item
            assert isinstance(stream, str)
            assert isinstance(version, int)
            last_id = str(version)
            data = json.dumps({"stream": stream, "version": version})
            out.append(f"id: {version}{eol.decode()}event: poke{eol.decode()}data: {data}".encode())
            expected.append(Poke(stream, version, last_id))
        elif item[0] == "comment":
            out.append(b": ka")
            expected.append(KeepAlive(retry))
            continue  # a comment needs no blank line after it
        elif item[0] == "retry":
            assert isinstance(item[1], int)
            retry = item[1]
            out.append(f"retry: {retry}".encode())
            expected.append(KeepAlive(retry))
        else:
            out.append(f"event: other{eol.decode()}data: {item[1]}".encode())
            expected.append(KeepAlive(retry))
        out.append(b"")  # the blank line that ends the event
    return b"".join(line + eol for line in out), expected


@given(
    st.lists(events, max_size=12),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.lists(st.integers(0, 4000), max_size=20),
)
def test_any_chunking_of_a_valid_stream_gives_the_same_signals(
    items: list[tuple[object, ...]], eol: bytes, cuts: list[int]
) -> None:
    data, expected = render(items, eol)
    assert feed_all([data]) == expected
    assert feed_all(split(data, cuts)) == expected


@given(st.lists(st.binary(max_size=200), max_size=10))
def test_garbage_raises_only_remote_errors(chunks: list[bytes]) -> None:
    parser = EventParser()
    with contextlib.suppress(MalformedResponse):  # anything else fails the test
        for chunk in chunks:
            for signal in parser.feed(chunk):
                assert isinstance(signal, Poke | KeepAlive)


@given(st.lists(st.sampled_from([b"data: ", b"event: poke\n", b"\r", b"\n", b": ka", b"id: 7", b"{", b"}"])))
def test_near_miss_streams_raise_only_malformed_response(parts: list[bytes]) -> None:
    data = b"".join(parts)
    try:
        whole = feed_all([data])
    except MalformedResponse:
        with pytest.raises(MalformedResponse):
            feed_all([data[i : i + 1] for i in range(len(data))])
        return
    assert feed_all([data[i : i + 1] for i in range(len(data))]) == whole
