"""Secrets never reach the log: SecretMask on a handler, fed by secrets_in over the configs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from connectors.api import ConnectorConfig
from console.logmask import MASK, SecretMask, secrets_in
from console.site import load_site

TOKEN = "ctl-token-4f9e1a"
PASSWORD = "pw-Hanoi#2025!"
DEMO_TEXT = (Path(__file__).resolve().parents[1] / "resources" / "sites" / "demo.toml").read_text(
    encoding="utf-8")


class CameraConfig(ConnectorConfig):
    url: str = "rtsp://10.0.0.5/stream"
    username: str = "viewer"
    password: SecretStr = SecretStr("")


class Endpoint(BaseModel):
    host: str
    secret: SecretStr | None = None


class NestedConfig(ConnectorConfig):
    primary: Endpoint
    mirrors: list[Endpoint] = []
    keys: dict[str, SecretStr] = {}
    pair: tuple[str, SecretStr] | None = None


class Captured:
    """A handler with a formatter, the way main.py sets up the root logger, plus the mask."""

    def __init__(self, secrets: set[str]) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.handler.addFilter(SecretMask(secrets))

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured() -> Iterator[Captured]:
    cap = Captured({TOKEN, PASSWORD})
    logger = logging.getLogger("test_logmask")
    logger.addHandler(cap.handler)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield cap
    logger.removeHandler(cap.handler)
    logger.setLevel(old_level)
    logger.propagate = old_propagate


def test_token_and_password_are_masked_in_formatted_records(captured):
    config = CameraConfig(password=SecretStr(PASSWORD))
    mask = SecretMask(secrets_in(config) | {TOKEN})
    captured.handler.filters = [mask]
    log = logging.getLogger("test_logmask")
    log.info("control client sent token %s", TOKEN)
    log.warning("login to %s as %s with %s failed", config.url, config.username,
                config.password.get_secret_value())
    log.error(f"inline: {TOKEN}/{PASSWORD}")
    text = captured.text
    assert TOKEN not in text and PASSWORD not in text
    assert f"control client sent token {MASK}" in text
    assert f"login to rtsp://10.0.0.5/stream as viewer with {MASK} failed" in text
    assert f"inline: {MASK}/{MASK}" in text


def test_masking_also_applies_to_records_seen_by_caplog(caplog):
    caplog.set_level(logging.INFO, logger="test_logmask.caplog")
    caplog.handler.addFilter(SecretMask({TOKEN}))
    try:
        logging.getLogger("test_logmask.caplog").info("token=%s", TOKEN)
    finally:
        caplog.handler.filters.clear()
    assert TOKEN not in caplog.text
    assert f"token={MASK}" in caplog.text
    assert caplog.records[-1].getMessage() == f"token={MASK}"


def test_longest_secret_is_masked_whole(captured):
    captured.handler.filters = [SecretMask({"abcd", "abcdefgh"})]
    logging.getLogger("test_logmask").info("x abcdefgh y abcd z")
    assert captured.text.strip().endswith(f"x {MASK} y {MASK} z")


def test_records_without_secrets_are_untouched(captured):
    captured.handler.filters = [SecretMask(set())]
    logging.getLogger("test_logmask").info("value %d of %s", 3, "x")
    assert "value 3 of x" in captured.text


def test_secret_in_an_exception_traceback_is_masked(captured):
    log = logging.getLogger("test_logmask")
    try:
        raise ConnectionError(f"auth failed for password {PASSWORD}")
    except ConnectionError:
        log.exception("connector 'cams' could not be created")
    assert "ConnectionError" in captured.text
    assert PASSWORD not in captured.text


def test_secrets_in_finds_nested_values():
    config = NestedConfig(
        primary=Endpoint(host="a", secret=SecretStr("s-primary")),
        mirrors=[Endpoint(host="b"), Endpoint(host="c", secret=SecretStr("s-mirror"))],
        keys={"api": SecretStr("s-dict"), "empty": SecretStr("")},
        pair=("user", SecretStr("s-tuple")),
    )
    assert secrets_in(config) == {"s-primary", "s-mirror", "s-dict", "s-tuple"}
    assert secrets_in({"cams": config, "demo": None}) == {"s-primary", "s-mirror", "s-dict", "s-tuple"}
    assert secrets_in(CameraConfig()) == set()


def test_secrets_of_a_site_as_main_collects_them(tmp_path, registry, monkeypatch):
    monkeypatch.setenv("IOC_TEST_LOGMASK_TOKEN", TOKEN)
    text = DEMO_TEXT.replace('token_env = "IOC_CONTROL_TOKEN"\ntoken = "demo-token-change-me"\n',
                             'token_env = "IOC_TEST_LOGMASK_TOKEN"\n')
    assert text != DEMO_TEXT
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    site = load_site(path, registry.types, registry.broken)
    secrets = secrets_in(site.spec) | secrets_in(dict(site.connector_configs))
    assert secrets == {TOKEN}
    mask = SecretMask(secrets)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "site %s uses %s", (site.name, TOKEN), None)
    assert mask.filter(record) is True
    assert record.getMessage() == f"site {site.name} uses {MASK}"
