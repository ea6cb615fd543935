"""A real PostgreSQL server for tests: Debian's binaries, a throw-away cluster on a free loopback port.

    from tests.servers import postgres as pg_server
    postgres = pg_server.postgres        # the session fixture, made visible in a test module

    def test_x(postgres):
        postgres.port, postgres.socket_dir
        postgres.url("kpi_reader", "pw")  # postgresql+psycopg://kpi_reader:pw@127.0.0.1:<port>/postgres
        with postgres.connect() as conn:  # psycopg, as the superuser "postgres", autocommit
            conn.execute("CREATE TABLE ...")

Authentication: the superuser ``postgres`` is trusted (unix socket and 127.0.0.1); every other role
logs in over TCP with its password (scram-sha-256), so a test can check a real password. PostgreSQL
refuses to run as root: as root, initdb and pg_ctl run as the system user ``postgres`` (Debian's
package makes it; created here when missing) through ``runuser``, in a temp dir owned by that user.
Missing binaries: the fixture fails in CI (naming ``bash .ci/setup``) and skips elsewhere. At the
end the server is stopped (``pg_ctl stop -m fast``) and its directory removed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
BINARIES = ("initdb", "pg_ctl", "postgres")
START_TIMEOUT_S = 30


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bin_dir() -> Path | None:
    """Debian keeps the server binaries out of PATH, one folder per major version: take the newest."""
    def version(d: str) -> int:
        part = Path(d).parent.name
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for d in candidates:
        if all(os.access(Path(d) / b, os.X_OK) for b in BINARIES):
            return Path(d)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="ioc-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.log_path = self.dir / "server.log"
        self.port = free_port()
        self.host = "127.0.0.1"
        self._prefix: list[str] = []
        self._started = False

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self._prefix, *args], capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL, cwd=self.dir, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed with code {result.returncode}:\n"
                               f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}\n{self.log()[-2000:]}")
        return result

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def _as_system_user(self) -> None:
        if os.geteuid() != 0:
            return  # an ordinary user runs the server as itself
        try:
            user = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            SYSTEM_USER], check=True, capture_output=True)
            user = pwd.getpwnam(SYSTEM_USER)
        for path in (self.dir, *self.dir.rglob("*")):
            os.chown(path, user.pw_uid, user.pw_gid)
        self._prefix = ["runuser", "-u", SYSTEM_USER, "--"]

    def start(self) -> None:
        self.socket_dir.mkdir()
        self._as_system_user()
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        (self.data / "pg_hba.conf").write_text(
            f"local all all trust\n"
            f"host all {SUPERUSER} 127.0.0.1/32 trust\n"
            f"host all all 127.0.0.1/32 scram-sha-256\n",
            encoding="utf-8",
        )
        # Speed over durability: the cluster is thrown away after the tests.
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses={self.host} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._started = True
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w",
                  "-t", str(START_TIMEOUT_S), "-o", options, "start", timeout=START_TIMEOUT_S + 10)

    def stop(self) -> None:
        try:
            if self._started and (self.data / "postmaster.pid").exists():
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            self._started = False
            self._kill_leftover()
            shutil.rmtree(self.dir, ignore_errors=True)

    def _kill_leftover(self) -> None:
        """Stop the postmaster by the PID it wrote, should pg_ctl have failed: nothing outlives the tests."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        for sig in (15, 9):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)

    def url(self, user: str = SUPERUSER, password: str = "", database: str = "postgres") -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def connect(self, **kwargs: Any) -> Any:
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname="postgres",
                               autocommit=True, **kwargs)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        why = "PostgreSQL's server binaries (initdb, pg_ctl, postgres) are not installed"
        if in_ci():
            pytest.fail(f"{why}, and CI must not skip: run `bash .ci/setup` (it installs postgresql)",
                        pytrace=False)
        pytest.skip(f"{why} (run `bash .ci/setup`)")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
