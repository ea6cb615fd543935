"""The test RTSP server (tests/servers/rtsp_server.py) as PyAV sees it.

These pin down both the server and what the console's reader will meet: which av.error class each failure
raises, that restart() keeps the port, and that the latency mount's stamps decode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import av
import av.error
import numpy as np
import pytest

from tests.servers.rtsp import (
    PYAV_OPTIONS,
    RtspServer,
    decode_stamp,
    decode_stamp_raw,
    free_port,
    make_stamp_plane,
    mount_spec,
)

USER, PASSWORD = "operator", "s3cret:/@x"  # characters that must be percent-encoded in the URL
MOUNTS = [
    {"path": "/h264", "codec": "h264", "width": 640, "height": 360, "fps": 25, "gop": 25, "bitrate": 600},
    {"path": "/h265", "codec": "h265", "width": 320, "height": 240, "fps": 25, "gop": 25, "bitrate": 300},
    {
        "path": "/secure",
        "width": 320,
        "height": 180,
        "gop": 25,
        "bitrate": 300,
        "user": USER,
        "password": PASSWORD,
    },
]


@pytest.fixture(scope="module")
def server(gst) -> Iterator[RtspServer]:
    with RtspServer(MOUNTS, latency_mount="/lat") as srv:
        yield srv


@pytest.fixture
def own_server(gst) -> Iterator[RtspServer]:
    """A server of its own, for tests that stop, restart or freeze it."""
    with RtspServer([{"path": "/cam", "width": 320, "height": 180, "gop": 10, "bitrate": 300}]) as srv:
        yield srv


def read_frames(url: str, count: int = 3, deadline_s: float = 5.0, **extra: str) -> list[av.VideoFrame]:
    """Open `url` and decode `count` frames, failing the test if that takes longer than `deadline_s`."""
    started = time.monotonic()
    frames: list[av.VideoFrame] = []
    with av.open(url, options={**PYAV_OPTIONS, **extra}) as container:
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) >= count:
                break
            assert time.monotonic() - started < deadline_s, (
                f"{url}: only {len(frames)} frames in {deadline_s} s"
            )
    elapsed = time.monotonic() - started
    assert len(frames) == count, f"{url}: stream ended after {len(frames)} frames"
    assert elapsed < deadline_s, f"{url}: {count} frames took {elapsed:.2f} s"
    return frames


def codec_of(url: str) -> str:
    with av.open(url, options=PYAV_OPTIONS) as container:
        return container.streams.video[0].codec_context.name


# --- pure helpers (no server) -------------------------------------------------------------------------
def test_decode_stamp_round_trip() -> None:
    now = time.time() * 1000
    for ms in (int(now), int(now) - 37, 0x1234_5678_9ABC, (1 << 40) - 1):
        plane = make_stamp_plane(ms)
        assert decode_stamp_raw(plane) == ms & 0xFFFFFFFF
        assert decode_stamp(plane, now_ms=ms + 40) == ms
    # Any scale of the picture decodes; a picture without blocks does not.
    assert decode_stamp(make_stamp_plane(int(now), 320, 180), now_ms=now) == int(now)
    assert decode_stamp_raw(np.full((360, 640), 128, np.uint8)) is None
    # Wrap-around of the 32-bit counter: the value nearest to now wins.
    ms = (5 << 32) + 10
    assert decode_stamp(make_stamp_plane(ms), now_ms=(5 << 32) - 100) == ms


def test_mount_spec_and_url_quoting() -> None:
    assert mount_spec({"path": "cam", "codec": "h265", "clock": True}) == "path=/cam,codec=h265,clock=1"
    with pytest.raises(ValueError):
        mount_spec({"path": "/x", "colour": "red"})
    srv = RtspServer([{"path": "/a"}], port=8554)
    assert srv.url("a") == "rtsp://127.0.0.1:8554/a"
    assert srv.url("/a", "u@x", "p:/@") == "rtsp://u%40x:p%3A%2F%40@127.0.0.1:8554/a"
    assert 1 <= free_port() <= 65535


def test_bad_mount_spec_fails_start_with_the_servers_message(gst) -> None:
    srv = RtspServer([{"path": "/a", "pattern": "no-such-pattern"}])
    with pytest.raises(RuntimeError, match="unknown pattern 'no-such-pattern'"):
        srv.start()
    assert not srv.running
    srv.stop()  # idempotent after a failed start


# --- the server as PyAV sees it -----------------------------------------------------------------------
def test_h264_mount_delivers_frames_of_its_size(server: RtspServer) -> None:
    frames = read_frames(server.url("/h264"), count=5)
    assert {(f.width, f.height) for f in frames} == {(640, 360)}
    assert codec_of(server.url("/h264")) == "h264"


def test_h265_mount_delivers_frames_of_its_size(server: RtspServer) -> None:
    frames = read_frames(server.url("/h265"), count=5)
    assert {(f.width, f.height) for f in frames} == {(320, 240)}
    assert codec_of(server.url("/h265")) == "hevc"


def test_auth_mount_refuses_missing_or_wrong_credentials(server: RtspServer) -> None:
    for url in (
        server.url("/secure"),
        server.url("/secure", USER, "wrong"),
        server.url("/secure", "nobody", "x"),
    ):
        started = time.monotonic()
        with pytest.raises(av.error.HTTPUnauthorizedError, match="401 Unauthorized") as info:
            av.open(url, options=PYAV_OPTIONS)
        assert time.monotonic() - started < 2.0
        assert isinstance(info.value, av.error.FFmpegError)


def test_auth_mount_accepts_the_right_credentials(server: RtspServer) -> None:
    frames = read_frames(server.url("/secure", USER, PASSWORD), count=3)
    assert (frames[0].width, frames[0].height) == (320, 180)
    # Credentials for a protected mount do not lock the client out of the open ones.
    read_frames(server.url("/h264", USER, PASSWORD), count=1)


def test_wrong_path_is_not_found(server: RtspServer) -> None:
    started = time.monotonic()
    with pytest.raises(av.error.HTTPNotFoundError, match="404 Not Found"):
        av.open(server.url("/no-such-camera"), options=PYAV_OPTIONS)
    assert time.monotonic() - started < 2.0


def test_two_clients_share_one_mount(server: RtspServer) -> None:
    url = server.url("/h264")
    with av.open(url, options=PYAV_OPTIONS) as first:
        frames = first.decode(video=0)
        next(frames)
        second = read_frames(url, count=2)  # joins the running encoder: waits at most one GOP (1 s)
        assert (second[0].width, second[0].height) == (640, 360)
        next(frames)


def test_latency_stamps_match_the_wall_clock(server: RtspServer) -> None:
    stamps: list[int] = []
    lags: list[float] = []
    started = time.monotonic()
    with av.open(server.url("/lat"), options=PYAV_OPTIONS) as container:
        for frame in container.decode(video=0):
            now = time.time() * 1000
            assert (frame.width, frame.height) == (640, 360)
            stamp = decode_stamp(frame.to_ndarray(format="gray"), now_ms=now)
            assert stamp is not None, "a latency-mount picture without a readable stamp"
            stamps.append(stamp)
            lags.append(now - stamp)
            if len(stamps) >= 10:
                break
            assert time.monotonic() - started < 5
    assert len(stamps) == 10
    assert all(abs(lag) < 2000 for lag in lags), lags  # ~45 ms measured on loopback
    assert stamps == sorted(stamps) and stamps[-1] > stamps[0]  # one stamp per frame, in sending order


# --- stop, restart, freeze ----------------------------------------------------------------------------
def test_server_down_refuses_then_restart_keeps_the_port(own_server: RtspServer) -> None:
    port, url = own_server.port, own_server.url("/cam")
    read_frames(url, count=2)
    own_server.stop()
    own_server.stop()  # idempotent
    assert not own_server.running
    with pytest.raises(av.error.ConnectionRefusedError):
        av.open(url, options=PYAV_OPTIONS)
    own_server.start()
    assert own_server.port == port
    read_frames(url, count=2)


def test_restart_ends_an_open_reader_and_a_new_client_reads_again(own_server: RtspServer) -> None:
    port, pid, url = own_server.port, own_server.pid, own_server.url("/cam")
    container = av.open(url, options=PYAV_OPTIONS)
    frames = container.decode(video=0)
    next(frames)
    own_server.restart()
    assert own_server.port == port and own_server.pid != pid
    # The old connection is closed by the server: PyAV's decode simply ends (or errors), it never hangs.
    started = time.monotonic()
    try:
        for _ in frames:
            assert time.monotonic() - started < 5
    except av.error.FFmpegError:
        pass
    container.close()
    assert time.monotonic() - started < 5
    read_frames(url, count=2)


def test_frozen_server_times_out_then_recovers(own_server: RtspServer) -> None:
    # A shorter RTSP timeout than PYAV_OPTIONS' 3 s keeps this test short; it fires after about its value.
    url = own_server.url("/cam")
    container = av.open(url, options={**PYAV_OPTIONS, "timeout": "1000000"})
    frames = container.decode(video=0)
    next(frames)
    own_server.pause()
    assert own_server.paused
    started = time.monotonic()
    try:
        with pytest.raises(av.error.FFmpegError):
            for _ in frames:
                assert time.monotonic() - started < 8, "reader did not notice the frozen server"
        elapsed = time.monotonic() - started
        assert 0.5 < elapsed < 8
        with pytest.raises(av.error.FFmpegError):  # InvalidDataError: the open timed out
            av.open(url, options={**PYAV_OPTIONS, "timeout": "1000000"})
    finally:
        container.close()
        own_server.resume()
    read_frames(url, count=2)
