"""The SQL connector against real databases: a SQLite file made with sqlite-utils, and a PostgreSQL
server started from Debian's binaries. What the bus delivers and what the operator reads is asserted."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from pydantic import SecretStr

from connectors.sql import SqlConfig
from tests.kpi_support import KpiEnv
from tests.servers import postgres as pg_server

postgres = pg_server.postgres  # the session fixture: one server for every test here

INCREMENTAL = "SELECT indicator, unit, time, value FROM kpi WHERE time > :since ORDER BY time"
READER = "kpi_reader"
READER_PASSWORD = "Pg-s3cret-9f2kQ"


@pytest.fixture
def env() -> Iterator[KpiEnv]:
    e = KpiEnv()
    yield e
    e.close()


def make_db(path: Path, rows: list[dict]) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db["kpi"].create({"indicator": str, "unit": str, "time": float, "value": float})
    db["kpi"].insert_all(rows)
    return db


def got(env: KpiEnv) -> set[tuple[str, str, float, float]]:
    return {(s.indicator, s.unit, round(s.time, 3), s.value) for s in env.samples()}


# -- SQLite ------------------------------------------------------------------------------------

def test_sqlite_rows_arrive_and_polls_are_incremental(env, tmp_path):
    now = round(time.time())
    db = make_db(tmp_path / "kpi.sqlite", [
        {"indicator": "aqi", "unit": "HL", "time": now - 3600, "value": 57},
        {"indicator": "water_loss", "unit": "TT", "time": now - 1800, "value": 12.5},
        {"indicator": "aqi", "unit": "YM-CU", "time": now - 600, "value": 81},  # a former commune's code
        {"indicator": "aqi", "unit": "HL", "time": now - 90 * 86400, "value": 1},  # before history_s
    ])
    env.start("db", "sql", SqlConfig(url=str(tmp_path / "kpi.sqlite"), query=INCREMENTAL, every_s=0.1,
                                     history_s=7 * 86400))
    env.wait_until(lambda: len(env.samples()) >= 3, what="the first three rows")
    assert got(env) == {("aqi", "HL", now - 3600, 57.0), ("water_loss", "TT", now - 1800, 12.5),
                        ("aqi", "YM", now - 600, 81.0)}
    assert env.last("db").state == "ok"

    db["kpi"].insert_all([
        {"indicator": "aqi", "unit": "HL", "time": now - 60, "value": 60},
        {"indicator": "revenue", "unit": "NB", "time": now - 30, "value": 1234.5},
    ])
    env.wait_until(lambda: len(env.samples()) >= 5, what="the rows added later")
    env.idle(0.5)  # about five more polls: nothing is read twice
    assert len(env.samples()) == 5
    assert ("aqi", "HL", now - 60, 60.0) in got(env) and ("revenue", "NB", now - 30, 1234.5) in got(env)
    assert all(len(b.samples) in (3, 2) for b in env.batches)  # one batch per poll that read rows
    assert env.details("db") == [""]


def test_sqlite_text_times_and_quality(env, tmp_path):
    db = sqlite_utils.Database(tmp_path / "kpi.sqlite")
    db["readings"].insert_all([
        {"chi_tieu": "aqi", "ma": "HL", "luc": "2024-05-01T08:00:00+07:00", "gia_tri": "42",
         "q": "uncertain"},
        {"chi_tieu": "aqi", "ma": "TT", "luc": "2024-05-02", "gia_tri": 43.5, "q": None},
    ])
    query = ("SELECT chi_tieu AS indicator, ma AS unit, luc AS time, gia_tri AS value, q AS quality "
             "FROM readings ORDER BY luc")
    env.start("db", "sql", SqlConfig(url=f"sqlite:///{tmp_path / 'kpi.sqlite'}", query=query, every_s=0.1))
    env.wait_until(lambda: len(env.samples()) >= 2)
    by_unit = {s.unit: s for s in env.samples()}
    assert by_unit["HL"].time == datetime(2024, 5, 1, 1, 0, tzinfo=UTC).timestamp()
    assert by_unit["HL"].value == 42.0 and by_unit["HL"].quality == "uncertain"
    assert by_unit["TT"].time == datetime(2024, 5, 2).timestamp()  # a date alone: that day 00:00 local time
    assert by_unit["TT"].quality == "good"


def test_sqlite_bad_rows_are_reported_by_row_and_good_rows_load(env, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    now = round(time.time())
    db = make_db(tmp_path / "kpi.sqlite", [])
    db.execute("INSERT INTO kpi VALUES ('aqi', 'HL', ?, 50)", [now - 40])
    db.execute("INSERT INTO kpi VALUES ('aqi', 'TT', ?, 'abc')", [now - 30])  # row 2
    db.execute("INSERT INTO kpi VALUES ('aqi', 'ZZ', ?, 51)", [now - 20])  # row 3
    db.execute("INSERT INTO kpi VALUES ('water_loss', 'YM', ?, 9)", [now - 10])
    db.conn.commit()
    env.start("db", "sql", SqlConfig(url=str(tmp_path / "kpi.sqlite"), query=INCREMENTAL, every_s=0.1))
    env.wait_until(lambda: len(env.samples()) >= 2 and env.last("db").detail, what="good rows and a status")
    assert got(env) == {("aqi", "HL", now - 40, 50.0), ("water_loss", "YM", now - 10, 9.0)}
    detail = env.last("db").detail
    assert "row 2: value: 'abc' is not a number" in detail
    assert "row 3: unit: 'ZZ' is not a unit code of this site" in detail
    assert env.last("db").state == "ok"
    env.idle(0.4)
    assert env.rejected("db") == 2  # reported once: :since moved past the bad rows
    warnings = [r.getMessage() for r in caplog.records if r.name == "connectors.db"]
    assert warnings and "row 2: value: 'abc'" in warnings[0]


def test_missing_sqlite_file_is_retrying_with_its_path(env, tmp_path):
    missing = tmp_path / "nowhere" / "kpi.sqlite"
    env.start("db", "sql", SqlConfig(url=str(missing), query=INCREMENTAL, every_s=0.1))
    env.wait_until(lambda: env.last("db").state == "retrying" and env.last("db").attempt >= 2)
    assert str(missing) in env.last("db").last_error
    assert "does not exist" in env.last("db").last_error
    assert not missing.exists()  # read-only: never creates an empty database

    missing.parent.mkdir()
    make_db(missing, [{"indicator": "aqi", "unit": "HL", "time": time.time() - 5, "value": 3}])
    env.wait_until(lambda: env.last("db").state == "ok" and env.samples(),
                   what="recovery once the file exists")


def test_a_broken_query_is_retrying_with_the_reason(env, tmp_path):
    make_db(tmp_path / "kpi.sqlite", [{"indicator": "aqi", "unit": "HL", "time": time.time(), "value": 3}])
    env.start("db", "sql", SqlConfig(url=str(tmp_path / "kpi.sqlite"),
                                     query="SELECT indicator, unit FROM kpi", every_s=0.1))
    env.wait_until(lambda: env.last("db").state == "retrying")
    assert "no 'time', 'value' columns" in env.last("db").last_error


def test_a_query_that_runs_too_long_is_interrupted(env, tmp_path):
    make_db(tmp_path / "kpi.sqlite", [])
    endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT 'aqi' AS indicator, 'HL' AS unit, max(x) AS time, 1 AS value FROM c")
    env.start("db", "sql", SqlConfig(url=str(tmp_path / "kpi.sqlite"), query=endless, timeout_s=0.3))
    env.wait_until(lambda: env.last("db").state == "retrying")
    expected = f"TimeoutError: {tmp_path / 'kpi.sqlite'}: the query ran longer than 0.3 s"
    assert env.last("db").last_error == expected


# -- PostgreSQL ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pg_table(postgres) -> Iterator[str]:
    """A kpi table with timestamptz times, readable by a role that logs in with a password."""
    now = datetime.now(UTC).replace(microsecond=0)
    with postgres.connect() as conn:
        conn.execute("CREATE TABLE kpi (indicator text, unit text, time timestamptz, value double precision)")
        conn.execute(f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'")
        conn.execute(f"GRANT SELECT ON kpi TO {READER}")
        conn.execute("INSERT INTO kpi VALUES (%s, %s, %s, %s), (%s, %s, %s, %s), (%s, %s, %s, %s)", [
            "aqi", "HL", now - timedelta(hours=2), 61.0,
            "aqi", "YT", (now - timedelta(hours=1)).astimezone(timezone(timedelta(hours=7))), 70.0,
            "revenue", "NB", now - timedelta(minutes=5), 1234.5,
        ])
    yield now.isoformat()
    with postgres.connect() as conn:
        conn.execute("DROP TABLE kpi")
        conn.execute(f"DROP ROLE {READER}")


PG_QUERY = "SELECT indicator, unit, time, value FROM kpi WHERE time > to_timestamp(:since) ORDER BY time"


def test_postgres_timestamptz_rows_arrive(env, postgres, pg_table):
    now = datetime.fromisoformat(pg_table)
    env.start("pg", "sql", SqlConfig(url=postgres.url(), query=PG_QUERY, every_s=0.2, history_s=86400))
    env.wait_until(lambda: len(env.samples()) >= 3, what="three rows from PostgreSQL")
    assert got(env) == {
        ("aqi", "HL", (now - timedelta(hours=2)).timestamp(), 61.0),
        ("aqi", "YM", (now - timedelta(hours=1)).timestamp(), 70.0),  # YT merged into YM
        ("revenue", "NB", (now - timedelta(minutes=5)).timestamp(), 1234.5),
    }
    with postgres.connect() as conn:
        conn.execute("INSERT INTO kpi VALUES ('aqi', 'TT', now(), 33)")
    env.wait_until(lambda: len(env.samples()) >= 4, what="the row added later")
    env.idle(0.5)
    assert len(env.samples()) == 4
    assert env.last("pg").state == "ok"


def test_postgres_password_is_never_shown(env, postgres, pg_table, caplog):
    caplog.set_level(logging.DEBUG)
    # 1. The password in the URL logs in for real (scram-sha-256): values arrive.
    env.start("pg", "sql", SqlConfig(url=postgres.url(READER, READER_PASSWORD), query=PG_QUERY, every_s=0.2))
    env.wait_until(lambda: len(env.samples("pg")) >= 3, what="rows read with the password")
    env.stop()
    # 2. The same URL with a database that is not there: an error naming the server, not the password.
    env.start("bad-db", "sql", SqlConfig(url=postgres.url(READER, READER_PASSWORD, "nosuchdb"),
                                         query=PG_QUERY, every_s=0.2))
    env.wait_until(lambda: env.last("bad-db").state == "retrying" and env.last("bad-db").attempt >= 2)
    error = env.last("bad-db").last_error
    assert "nosuchdb" in error and f"{READER}:***@127.0.0.1:{postgres.port}" in error
    env.stop()
    # 3. A wrong password given in the password setting.
    wrong = "Wr0ng-pa55-Zq81"
    env.start("bad-pw", "sql", SqlConfig(url=postgres.url(READER), password=SecretStr(wrong), query=PG_QUERY,
                                         every_s=0.2))
    env.wait_until(lambda: env.last("bad-pw").state == "retrying")
    assert "password authentication failed" in env.last("bad-pw").last_error
    env.stop()

    shown = [t for name in ("pg", "bad-db", "bad-pw") for t in env.texts(name)]
    assert shown
    for secret in (READER_PASSWORD, wrong):
        assert not [t for t in shown if secret in t]
        assert not [r for r in caplog.records if secret in r.getMessage() or secret in (r.exc_text or "")]
        assert secret not in caplog.text
