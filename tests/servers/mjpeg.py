"""A real HTTP MJPEG camera for tests: multipart JPEG pictures of a moving square, on loopback."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "frameboundary"


def picture(n: int, width: int = 320, height: int = 240) -> bytes:
    img = np.full((height, width, 3), (40, 90, 160), np.uint8)
    x = (n * 8) % (width - 40)
    cv2.rectangle(img, (x, 100), (x + 40, 140), (255, 255, 255), -1)
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return jpeg.tobytes()


class _Handler(BaseHTTPRequestHandler):
    server: MjpegServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (quiet in tests)
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path != "/video.mjpg":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
        self.end_headers()
        n = 0
        try:
            while not self.server.stopping.is_set():
                data = picture(n)
                self.wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n"
                                 .encode() + data + b"\r\n")
                self.wfile.flush()
                n += 1
                time.sleep(1 / self.server.fps)
        except (BrokenPipeError, ConnectionResetError):
            pass


class MjpegServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fps: float = 15) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fps = fps
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, name="mjpeg-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/video.mjpg"

    def __enter__(self) -> MjpegServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(5)
