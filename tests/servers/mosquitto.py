"""A real MQTT broker for tests: Debian's Mosquitto on a free loopback port, with its own config file.

    from tests.servers.mosquitto import Mosquitto, require_mosquitto

    require_mosquitto()                 # fails (never skips) with a message naming .ci/setup
    with Mosquitto(tmp_path) as broker:  # listener 127.0.0.1:<free port>, anonymous, no persistence
        broker.port
        broker.restart()                 # stop, then start again on the same port
        broker.log()                     # what the broker printed (-v), for failure messages

The broker's output goes to ``mosquitto.log`` in its directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

MOSQUITTO = "/usr/sbin/mosquitto"
START_TIMEOUT_S = 10.0


def require_mosquitto() -> None:
    """Fail the test (in CI and locally alike) when the broker is not installed."""
    if not os.access(MOSQUITTO, os.X_OK):
        pytest.fail(f"{MOSQUITTO} not found: the MQTT tests need Debian's mosquitto package; "
                    "run `bash .ci/setup` (it installs it)", pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Mosquitto:
    def __init__(self, directory: str | Path | None = None, port: int | None = None) -> None:
        self._own_dir = directory is None
        self.dir = Path(tempfile.mkdtemp(prefix="mosquitto-")) if directory is None else Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.conf = self.dir / "mosquitto.conf"
        self.log_path = self.dir / "mosquitto.log"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stdout\n"
            "log_type all\n",
            encoding="utf-8",
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def start(self) -> None:
        if self.running:
            return
        require_mosquitto()
        with open(self.log_path, "ab") as out:
            self._proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf), "-v"], stdout=out,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _accepts(self.port):
            if self._proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited with code {self._proc.returncode}:\n{self.log()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mosquitto did not listen on port {self.port} within {START_TIMEOUT_S:g} s:\n"
                                   f"{self.log()[-2000:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def restart(self) -> None:
        """Stop, then start on the same port: clients see the connection drop and must come back."""
        self.stop()
        self.start()

    def __enter__(self) -> Mosquitto:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
