"""Control a real RTSP server (tests/servers/rtsp_server.py, GStreamer) from pytest fixtures and benchmarks.

The server runs under Debian's ``/usr/bin/python3`` (it needs ``gi``; the project's virtualenv has none)::

    from tests.servers.rtsp import RtspServer, gst_available

    with RtspServer([{"path": "/cam1", "codec": "h264", "width": 640, "height": 360, "gop": 25},
                     {"path": "/secure", "user": "admin", "password": "secret"}],
                    latency_mount="/lat") as server:
        url = server.url("/cam1")                      # rtsp://127.0.0.1:<port>/cam1
        url = server.url("/secure", "admin", "secret")  # rtsp://admin:secret@127.0.0.1:<port>/secure
        server.pause(); server.resume()                # SIGSTOP / SIGCONT: a frozen server
        server.restart()                               # same port: viewers must come back by themselves

Mount keys (see the server's docstring): path, codec (h264|h265), width, height, fps, gop, bitrate (kbit/s),
pattern (a videotestsrc pattern: ball, smpte, snow, ...), clock (0|1), user, password.

What PyAV (FFmpeg 8) raises against this server, measured here with ``timeout=3000000``:
wrong path -> ``av.error.HTTPNotFoundError`` ("Server returned 404 Not Found"); no or wrong credentials ->
``av.error.HTTPUnauthorizedError`` ("Server returned 401 Unauthorized (authorization failed)"); server down ->
``av.error.ConnectionRefusedError`` (errno 111, also a builtin ``ConnectionRefusedError``); all of them are
``av.error.FFmpegError`` and come back within milliseconds. Server stopped (or restarted) under an open
reader: the server closes the connection and ``container.decode()`` simply ends, with no exception.
Frozen server (pause()): ``av.open`` raises ``av.error.InvalidDataError`` ("Invalid data found when processing
input") after ~3.1 s; a running decode raises ``av.error.TimeoutError`` ([Errno 110] "Connection timed out")
after ~6.2 s, or sometimes ``av.error.InvalidDataError`` ("... 'avcodec_send_packet()'") after ~3.1 s.

Server CPU (x264 ultrafast/zerolatency, one client; 0 with no client): ~25% of a core for 720p25 at 2 Mb/s,
~8% for 360p25; x265 ~18% at 360p25, ~52% at 720p25.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER_SCRIPT = Path(__file__).resolve().with_name("rtsp_server.py")
REQUIRED_ELEMENTS = ("videotestsrc", "appsrc", "x264enc", "x265enc", "rtph264pay", "rtph265pay")
MOUNT_KEYS = (
    "path",
    "codec",
    "width",
    "height",
    "fps",
    "gop",
    "bitrate",
    "pattern",
    "clock",
    "user",
    "password",
)

# The latency mount's picture; keep in step with rtsp_server.py (stamp_frame).
LATENCY_WIDTH, LATENCY_HEIGHT, LATENCY_FPS = 640, 360, 25
STAMP_BITS = 32
STAMP_ROWS = 16  # rows of the 360-row picture that carry the blocks
STAMP_BLACK, STAMP_WHITE = 16, 235

# PyAV options that open a live RTSP stream fast and never hang (see docs/TESTING.md in the shared docs).
PYAV_OPTIONS = {
    "rtsp_transport": "tcp",
    "probesize": "32",
    "analyzeduration": "0",
    "flags": "low_delay",
    "timeout": "3000000",
}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now on `host`, chosen below the kernel's ephemeral range when possible.

    A port from below that range cannot be taken by an outgoing connection while a test has the server down
    (restart() needs the same port back); the bind check still leaves a small race with other processes.
    """
    low = 32768
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    candidates = random.sample(range(20000, low), k=min(50, max(low - 20000, 0))) if low > 20100 else []
    for port in [*candidates, 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port")


@functools.lru_cache(maxsize=1)
def gst_available() -> tuple[bool, str]:
    """(True, "") when /usr/bin/python3 has gi + GstRtspServer and the encoders exist, else (False, why)."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False, f"{SYSTEM_PYTHON} not found (Debian's python3 with python3-gi runs the RTSP server)"
    probe = (
        "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); "
        "from gi.repository import Gst, GstRtspServer"
    )
    try:
        result = subprocess.run(
            [SYSTEM_PYTHON, "-I", "-c", probe], capture_output=True, text=True, timeout=30, env=_server_env()
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{SYSTEM_PYTHON} cannot run: {exc}"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        return False, (
            f"{SYSTEM_PYTHON} cannot import gi/GstRtspServer ({last}); install python3-gi gir1.2-gst-rtsp-server-1.0"
        )
    inspect = shutil.which("gst-inspect-1.0")
    if inspect is None:
        return False, "gst-inspect-1.0 not found (install gstreamer1.0-tools)"
    missing = []
    for element in REQUIRED_ELEMENTS:
        try:
            found = (
                subprocess.run(
                    [inspect, "--exists", element], capture_output=True, timeout=30, env=_server_env()
                ).returncode
                == 0
            )
        except (OSError, subprocess.TimeoutExpired):
            found = False
        if not found:
            missing.append(element)
    if missing:
        return False, (
            f"GStreamer elements missing: {', '.join(missing)} (x264enc: gstreamer1.0-plugins-ugly, x265enc: "
            "gstreamer1.0-plugins-bad, rtph26xpay: gstreamer1.0-plugins-good)"
        )
    return True, ""


def _server_env() -> dict[str, str]:
    """The environment for Debian's python: none of the virtualenv's Python settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.setdefault("GST_DEBUG", "1")
    return env


def mount_spec(mount: dict[str, Any]) -> str:
    """{'path': '/cam1', 'codec': 'h264', ...} -> 'path=/cam1,codec=h264,...' for --mount."""
    unknown = set(mount) - set(MOUNT_KEYS)
    if unknown:
        raise ValueError(f"unknown mount keys {sorted(unknown)}; known: {', '.join(MOUNT_KEYS)}")
    if "path" not in mount:
        raise ValueError(f"mount without a path: {mount!r}")
    parts = []
    for key in MOUNT_KEYS:
        if key not in mount:
            continue
        value = mount[key]
        if isinstance(value, bool):
            value = int(value)
        text = str(value)
        if key == "path" and not text.startswith("/"):
            text = "/" + text
        if "," in text:
            raise ValueError(f"mount {key} must not contain ',': {text!r}")
        parts.append(f"{key}={text}")
    return ",".join(parts)


class RtspServer:
    """A GStreamer RTSP server in a child process, on 127.0.0.1.

    `port=None` picks a free port at the first start(); restart() keeps it.
    """

    def __init__(
        self,
        mounts: list[dict[str, Any]],
        port: int | None = None,
        latency_mount: str | None = None,
    ) -> None:
        self.mounts = [dict(m) for m in mounts]
        self.specs = [mount_spec(m) for m in self.mounts]  # checks the keys early, in the caller's frame
        self.latency_mount = latency_mount
        self.port: int | None = port
        self._fixed_port = port is not None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._paused = False
        self._lock = threading.Lock()
        self.crashes: list[str] = []  # logs of known test-server aborts it was restarted after

    # --- life cycle -----------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def paused(self) -> bool:
        return self._paused

    def start(self, timeout: float = 15) -> RtspServer:
        """Spawn the server and wait for its READY line; RuntimeError (with its stderr) if it fails."""
        with self._lock:
            if self.running:
                return self
            attempts = 1 if self._fixed_port else 5
            for attempt in range(attempts):
                if self.port is None or (attempt and not self._fixed_port):
                    self.port = free_port()
                try:
                    self._spawn(timeout)
                    return self
                except _PortInUse as exc:
                    if attempt == attempts - 1:
                        raise RuntimeError(str(exc)) from None
            raise AssertionError("unreachable")

    def _spawn(self, timeout: float) -> None:
        assert self.port is not None
        cmd = [
            SYSTEM_PYTHON,
            "-I",
            str(SERVER_SCRIPT),
            "--port",
            str(self.port),
            "--parent-pid",
            str(os.getpid()),
        ]
        for spec in self.specs:
            cmd += ["--mount", spec]
        if self.latency_mount is not None:
            cmd += ["--latency-mount", self.latency_mount]
        self._close_stderr()
        self._stderr = tempfile.TemporaryFile(prefix="rtsp_server-", suffix=".log")
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr, env=_server_env()
        )
        ready = threading.Event()
        seen: list[str] = []

        def read_stdout() -> None:
            # Keeps draining stdout after READY so the server can never block on a full pipe.
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode(errors="replace").strip()
                if not ready.is_set():
                    seen.append(line)
                    if line.startswith("READY"):
                        ready.set()
            was_ready = ready.is_set()
            ready.set()
            if was_ready:
                self._after_exit(proc)

        threading.Thread(target=read_stdout, name=f"rtsp-server-{proc.pid}-stdout", daemon=True).start()
        if not ready.wait(timeout) or not any(s.startswith("READY") for s in seen):
            timed_out = proc.poll() is None
            self._terminate(proc)
            err = self.stderr_text()
            if proc.returncode == 3 and not self._fixed_port:
                raise _PortInUse(f"RTSP server could not listen on port {self.port}:\n{err}")
            why = (
                f"did not become ready within {timeout:g} s"
                if timed_out
                else f"exited with {proc.returncode}"
            )
            raise RuntimeError(f"RTSP server {why}: {' '.join(cmd)}\nstdout: {seen}\nstderr:\n{err}")
        line = next(s for s in seen if s.startswith("READY"))
        try:
            self.port = int(line.split()[1])
        except (IndexError, ValueError):
            self._terminate(proc)
            raise RuntimeError(f"RTSP server printed a bad READY line: {line!r}") from None
        self._proc = proc
        self._paused = False

    # gst-rtsp-server 1.22 aborts now and then when a client PLAYs a shared media that is being prepared
    # again right after its last client left (rtsp-media.c, gst_rtsp_media_get_rates: "assertion failed:
    # (FALSE)"): a bug of the test server, not of its clients. A server that dies of exactly that, without
    # being asked to stop, is started again on the same port, like a camera rebooting (which the console
    # must survive anyway); its log is kept in ``crashes``.
    KNOWN_ABORT = "gst_rtsp_media_get_rates: assertion failed"

    def _after_exit(self, proc: subprocess.Popen[bytes]) -> None:
        rc = proc.wait()
        err = self.stderr_text()
        with self._lock:
            if self._proc is not proc or rc != -signal.SIGABRT or self.KNOWN_ABORT not in err:
                return
            self._proc = None
            self.crashes.append(err)
            sys.stderr.write(f"RtspServer: the test server aborted ({self.KNOWN_ABORT}); starting it again\n")
            fixed, self._fixed_port = self._fixed_port, True
            try:
                self._spawn(15)
            except (RuntimeError, _PortInUse) as exc:
                sys.stderr.write(f"RtspServer: could not start it again: {exc}\n")
            finally:
                self._fixed_port = fixed

    def stop(self, timeout: float = 5) -> None:
        """SIGTERM (after SIGCONT, in case it is paused), wait, SIGKILL if needed. Safe to call twice."""
        with self._lock:
            proc, self._proc = self._proc, None
            self._paused = False
            if proc is not None:
                self._terminate(proc, timeout)

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes], timeout: float = 5) -> None:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.send_signal(signal.SIGCONT)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()

    def restart(self, timeout: float = 15) -> RtspServer:
        """Stop, then start again on the same port (clients must reconnect by themselves)."""
        port = self.port
        self.stop()
        if port is None:
            return self.start(timeout)
        fixed, self._fixed_port = self._fixed_port, True
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    return self.start(max(deadline - time.monotonic(), 1.0))
                except RuntimeError:
                    # The port may linger for a moment after the old process; retry until the deadline.
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.2)
        finally:
            self._fixed_port = fixed

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing is sent or answered."""
        if not self.running:
            raise RuntimeError("RTSP server is not running")
        assert self._proc is not None
        self._proc.send_signal(signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        """Thaw a paused server (SIGCONT)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGCONT)
        self._paused = False

    def stderr_text(self) -> str:
        """What the server has written to stderr so far (GStreamer errors, mount lines)."""
        if self._stderr is None:
            return ""
        try:
            # pread: the child shares this file's offset, so never seek it.
            fd = self._stderr.fileno()
            return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            try:
                self._stderr.close()
            except OSError:
                pass
            self._stderr = None

    # --- addresses ------------------------------------------------------------------------------------
    def url(self, path: str, user: str | None = None, password: str | None = None) -> str:
        """rtsp://[user:password@]127.0.0.1:port/path (user and password percent-encoded)."""
        if self.port is None:
            raise RuntimeError("RTSP server has no port yet: start() it first")
        if not path.startswith("/"):
            path = "/" + path
        cred = ""
        if user is not None:
            cred = quote(user, safe="")
            if password is not None:
                cred += ":" + quote(password, safe="")
            cred += "@"
        return f"rtsp://{cred}127.0.0.1:{self.port}{path}"

    # --- context manager ------------------------------------------------------------------------------
    def __enter__(self) -> RtspServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._close_stderr()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signal.SIGKILL)
            except (ProcessLookupError, OSError):
                pass

    def __repr__(self) -> str:
        state = "paused" if self._paused else ("running" if self.running else "stopped")
        return f"<RtspServer 127.0.0.1:{self.port} pid={self.pid} {state} mounts={[m['path'] for m in self.mounts]}>"


class _PortInUse(RuntimeError):
    pass


# --- the latency mount's time stamp -------------------------------------------------------------------
def decode_stamp(y_plane: np.ndarray, now_ms: float | None = None) -> int | None:
    """The sender's wall-clock milliseconds carried by a latency-mount picture, or None if there is no stamp.

    `y_plane` is the picture's luma as a 2-D uint8 array (height x width, any scale of 640x360, e.g.
    ``frame.to_ndarray(format="gray")``). The picture carries only the low 32 bits of the milliseconds; the
    high bits are taken from `now_ms` (default: time.time() * 1000) so that the result is the time nearest to
    it, directly comparable with ``time.time() * 1000``.
    """
    raw = decode_stamp_raw(y_plane)
    if raw is None:
        return None
    now = int(time.time() * 1000 if now_ms is None else now_ms)
    span = 1 << STAMP_BITS
    value = (now - (now % span)) + raw
    if value - now > span // 2:
        value -= span
    elif now - value > span // 2:
        value += span
    return value


def decode_stamp_raw(y_plane: np.ndarray) -> int | None:
    """The 32-bit value of the blocks (milliseconds modulo 2**32), or None when a block is neither black nor white."""
    y = np.asarray(y_plane)
    if y.ndim != 2 or y.shape[1] < STAMP_BITS * 2 or y.shape[0] < 8:
        return None
    height, width = y.shape
    # Sample the middle of each block: encoders smear the edges.
    rows = y[max(int(height * 3 / LATENCY_HEIGHT), 0) : max(int(height * 13 / LATENCY_HEIGHT), 1)]
    block = width / STAMP_BITS
    value = 0
    for i in range(STAMP_BITS):
        lo, hi = int(i * block + block * 0.25), int(i * block + block * 0.75)
        level = float(rows[:, lo : max(hi, lo + 1)].mean())
        if level < 70:
            bit = 0
        elif level > 180:
            bit = 1
        else:
            return None
        value = (value << 1) | bit
    return value


def make_stamp_plane(ms: int, width: int = LATENCY_WIDTH, height: int = LATENCY_HEIGHT) -> np.ndarray:
    """A grey luma plane stamped like the latency mount's pictures (for tests of decode_stamp)."""
    y = np.full((height, width), 128, dtype=np.uint8)
    rows = max(round(height * STAMP_ROWS / LATENCY_HEIGHT), 1)
    block = width / STAMP_BITS
    value = ms & ((1 << STAMP_BITS) - 1)
    for i in range(STAMP_BITS):
        bit = (value >> (STAMP_BITS - 1 - i)) & 1
        y[:rows, int(i * block) : int((i + 1) * block)] = STAMP_WHITE if bit else STAMP_BLACK
    return y
