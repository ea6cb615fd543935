"""Other camera kinds on the same pipeline: HTTP MJPEG (a real HTTP server) and OpenCV capture."""

from __future__ import annotations

import time

import av
import numpy as np

from console.media.decoder import StreamState
from console.media.hub import MediaHub
from console.model.sources import StreamSpec
from tests.servers.mjpeg import MjpegServer


def wait_for(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_http_mjpeg_camera_delivers_moving_pictures():
    hub = MediaHub(retry_base_s=0.2, retry_cap_s=1.0)
    with MjpegServer(fps=15) as server:
        handle = hub.acquire(StreamSpec(server.url, kind="http", timeout_s=2.0), (320, 240))
        try:
            wait_for(lambda: handle.frame() is not None, what="first MJPEG picture")
            first = handle.frame()
            assert first is not None and first.image.shape == (240, 320, 4)
            # the white square moves: a later picture differs
            wait_for(lambda: not np.array_equal(handle.frame().image, first.image), what="a new picture")
            info = handle.info
            assert info.state == StreamState.LIVE and info.codec == "mjpeg"
            # the blue background survives JPEG: BGR (40, 90, 160) within rounding
            b, g, r, _ = handle.frame().image[20, 20]
            assert abs(int(b) - 40) < 12 and abs(int(g) - 90) < 12 and abs(int(r) - 160) < 12
        finally:
            handle.release()
            hub.stop()


def test_opencv_capture_path_plays_and_scales(tmp_path):
    # A USB camera is read through OpenCV; a video file exercises the same capture path here.
    path = tmp_path / "usb.avi"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuvj420p"
        for n in range(50):
            img = np.zeros((480, 640, 3), np.uint8)
            img[:, : 10 * (n + 1) % 640] = (0, 200, 0)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    hub = MediaHub(retry_base_s=0.2, retry_cap_s=1.0)
    handle = hub.acquire(StreamSpec(str(path), kind="usb"), (320, 240))
    try:
        wait_for(lambda: handle.frame() is not None, what="first captured picture")
        frame = handle.frame()
        assert frame is not None and frame.image.shape == (240, 320, 4)  # scaled to the tile, bgra
        assert handle.info.width == 640 and handle.info.decode_path.startswith("CPU")
    finally:
        handle.release()
        hub.stop()


def test_capture_device_that_does_not_exist_is_reported_and_retried():
    hub = MediaHub(retry_base_s=0.2, retry_cap_s=0.5)
    handle = hub.acquire(StreamSpec("/dev/video-none", kind="usb"), (320, 240))
    try:
        wait_for(lambda: handle.info.attempt >= 2, what="two attempts")
        assert handle.info.state == StreamState.RECONNECTING
        assert "cannot open capture device" in handle.info.detail
        assert handle.frame() is None
    finally:
        handle.release()
        hub.stop()


def test_example_rtsp_site_validates_and_keeps_passwords_out_of_sight(monkeypatch, registry):
    from pathlib import Path

    from connectors.cameras import CamerasConnector
    from console.site import load_site

    monkeypatch.setenv("CCTV_USER", "viewer")
    monkeypatch.setenv("CCTV_PASSWORD", "pa:ss@w0rd")
    monkeypatch.setenv("IOC_CONTROL_TOKEN", "tok-12345")
    site = load_site(Path(__file__).resolve().parents[1] / "resources/sites/example-rtsp.toml",
                     registry.types, registry.broken)
    config = site.connector_configs["cctv"]
    assert "pa:ss@w0rd" not in repr(config)  # a SecretStr: masked in any log or dump
    connector = CamerasConnector("cctv", config, None)
    gate = next(s for s in connector.declared_sources() if s.id == "cctv/gate")
    assert gate.main is not None and gate.sub is not None
    # the password reaches the stream URL (percent-encoded), in memory only
    assert gate.main.url == "rtsp://viewer:pa%3Ass%40w0rd@192.0.2.10:554/Streaming/Channels/101"
    assert "pa%3Ass%40w0rd" not in gate.detail and "gate" in gate.id
    from console.media.decoder import masked

    assert masked(gate.main.url) == "rtsp://viewer:***@192.0.2.10:554/Streaming/Channels/101"
    usb = next(s for s in connector.declared_sources() if s.id == "cctv/desk-usb")
    assert usb.main is not None and usb.main.kind == "usb" and usb.main.url == "0"


def test_a_refused_stream_never_shows_its_password(caplog):
    import socket

    with socket.socket() as s:  # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"rtsp://viewer:s3cret-pw@127.0.0.1:{port}/cam"
    hub = MediaHub(retry_base_s=0.2, retry_cap_s=0.5)
    handle = hub.acquire(StreamSpec(url, timeout_s=1.0), (320, 180))
    try:
        wait_for(lambda: handle.info.attempt >= 1 and handle.info.detail, what="a failed attempt")
        assert "refused" in handle.info.detail.lower()
        assert "s3cret-pw" not in handle.info.detail
    finally:
        handle.release()
        hub.stop()
    assert "s3cret-pw" not in caplog.text


def test_asking_for_gpu_decoding_without_a_gpu_falls_back_to_the_cpu(tmp_path):
    # PyAV lists cuda wherever its wheel was built with it; on a machine without a GPU the stream
    # must still play, on the CPU, and say so.
    from av.codec.hwaccel import hwdevices_available

    path = tmp_path / "clip.mp4"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for n in range(25):
            img = np.full((180, 320, 3), n * 8, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    hub = MediaHub()
    handle = hub.acquire(StreamSpec(str(path), kind="file", hwaccel="cuda"), (320, 180))
    try:
        wait_for(lambda: handle.frame() is not None, what="a picture")
        expected = "GPU" if _gpu_works() else "CPU"
        assert handle.info.decode_path == expected, hwdevices_available()
    finally:
        handle.release()
        hub.stop()


def _gpu_works() -> bool:
    from av.codec.hwaccel import HWAccel

    try:
        av.CodecContext.create("h264", "r", hwaccel=HWAccel("cuda", allow_software_fallback=False))
        return True
    except Exception:
        return False
