"""The alert workflow's rules, pure and fast: payload checks, dedup, reopen, clears from the source,
flapping, the operator's lifecycle with its refusals, and silences. No threads, no disk, no Qt."""

from __future__ import annotations

from typing import Any

import pytest

from console.alerts.book import FLAP_CHANGES, FLAP_WINDOW_S, AlertActionError, AlertBook, check_action
from console.model.alerts import AlertEvent, AlertPayloadError, AlertState, Severity, parse_alert

T0 = 1_750_000_000.0  # a fixed "now" (June 2025), seconds since the epoch


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"key": "flood-7", "severity": "major", "domain": "environment",
                            "title": "Water level high at Cầu Yên", "unit": "w-hoalu", "cameras": ["cam-1"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def event(key: str = "k1", source: str = "feed", t: float = T0, severity: Severity = Severity.MAJOR,
          domain: str = "traffic", unit: str = "w-hoalu", clear: bool = False, title: str = "Jam on QL1A",
          **kw: Any) -> AlertEvent:
    return AlertEvent(source, key, severity, domain, title, unit=unit, source_time=t, received_time=t,
                      clear=clear, **kw)


# -- payload validation --------------------------------------------------------------------------

def test_a_valid_payload_becomes_an_event():
    ev = parse_alert(payload(text="Mực nước 3.2 m", time=T0 - 5, deadline=T0 + 3600), "mqtt", T0)
    assert ev.source == "mqtt" and ev.key == "flood-7" and ev.severity == Severity.MAJOR
    assert ev.domain == "environment" and ev.cameras == ("cam-1",) and ev.text == "Mực nước 3.2 m"
    assert ev.source_time == T0 - 5 and ev.received_time == T0 and ev.deadline == T0 + 3600
    assert ev.clear is False


def test_severity_is_case_insensitive_and_time_defaults_to_received():
    ev = parse_alert(payload(severity="CRITICAL"), "ws", T0)
    assert ev.severity == Severity.CRITICAL
    assert ev.source_time == T0 and ev.deadline is None


@pytest.mark.parametrize("missing", ["key", "severity", "domain", "title"])
def test_a_missing_required_field_is_named(missing):
    with pytest.raises(AlertPayloadError) as err:
        parse_alert(payload(**{missing: None}), "ws", T0)
    assert str(err.value).startswith(f"{missing}:")
    assert "missing" in str(err.value)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("key", 42, "key: expected text, got int"),
    ("title", ["a"], "title: expected text, got list"),
    ("unit", 3.5, "unit: expected text, got float"),
    ("title", "   ", "title: must not be empty"),
    ("time", "yesterday", "time: expected seconds since the epoch"),
    ("time", True, "time: expected seconds since the epoch"),
    ("deadline", float("nan"), "deadline: expected seconds since the epoch"),
    ("clear", "yes", "clear: expected true or false"),
])
def test_a_field_of_the_wrong_type_is_named(name, value, expected):
    with pytest.raises(AlertPayloadError) as err:
        parse_alert(payload(**{name: value}), "ws", T0)
    assert str(err.value).startswith(expected), str(err.value)


@pytest.mark.parametrize("severity", ["urgent", "warning", "5"])
def test_an_unknown_severity_is_refused_with_the_choices(severity):
    with pytest.raises(AlertPayloadError) as err:
        parse_alert(payload(severity=severity), "ws", T0)
    msg = str(err.value)
    assert msg.startswith("severity:") and repr(severity) in msg
    assert all(s in msg for s in ("critical", "major", "minor", "info"))


@pytest.mark.parametrize("cameras", ["cam-1", [1, 2], ["cam-1", None], {"cam": 1}])
def test_a_bad_cameras_list_is_refused(cameras):
    with pytest.raises(AlertPayloadError) as err:
        parse_alert(payload(cameras=cameras), "ws", T0)
    assert str(err.value).startswith("cameras:")


@pytest.mark.parametrize("raw", [[1, 2], "text", 7, None])
def test_a_payload_that_is_not_an_object_is_refused(raw):
    with pytest.raises(AlertPayloadError, match="expected a JSON object"):
        parse_alert(raw, "ws", T0)


def test_milliseconds_are_taken_as_milliseconds():
    ev = parse_alert(payload(time=int(T0 * 1000) + 250, deadline=int((T0 + 60) * 1000)), "ws", T0 + 1)
    assert ev.source_time == pytest.approx(T0 + 0.25)
    assert ev.deadline == pytest.approx(T0 + 60)
    seconds = parse_alert(payload(time=T0 - 30), "ws", T0)
    assert seconds.source_time == T0 - 30


# -- dedup, reopen, clears ------------------------------------------------------------------------

def test_the_same_source_and_key_is_one_alert_counted_up():
    book = AlertBook()
    first = book.ingest(event("jam", t=T0))
    book.ingest(event("jam", t=T0 + 10, title="Jam on QL1A, growing"))
    third = book.ingest(event("jam", t=T0 + 20, severity=Severity.CRITICAL, title="Jam on QL1A, blocked"))
    assert third is not None and first is not None
    assert len(book.alerts) == 1 and third.id == first.id
    assert third.count == 3
    assert third.first_time == T0 and third.last_time == T0 + 20
    assert third.severity == Severity.CRITICAL and third.title == "Jam on QL1A, blocked"
    assert [h.action for h in third.history] == ["raised"]
    # Another source with the same key, or another key, is another alert.
    other_source = book.ingest(event("jam", source="other"))
    other_key = book.ingest(event("jam-2"))
    assert other_source is not None and other_key is not None
    assert len({first.id, other_source.id, other_key.id}) == 3


def test_a_resolved_alert_raised_again_is_reopened_with_the_same_id():
    book = AlertBook()
    a = book.ingest(event("fire"))
    assert a is not None
    book.act(a.id, "acknowledge", "op1", T0 + 1)
    book.act(a.id, "resolve", "op1", T0 + 2, note="false alarm")
    again = book.ingest(event("fire", t=T0 + 30))
    assert again is not None
    assert again.id == a.id and len(book.alerts) == 1
    assert again.state == AlertState.NEW and again.count == 2
    assert again.history[-1].action == "reopened" and again.history[-1].actor == "source:feed"


def test_a_closed_alert_raised_again_is_reopened_too():
    book = AlertBook()
    a = book.ingest(event("fire"))
    assert a is not None
    book.act(a.id, "close", "op1", T0 + 1, note="duplicate")
    again = book.ingest(event("fire", t=T0 + 5))
    assert again is not None and again.id == a.id and again.state == AlertState.NEW


def test_a_clear_from_the_source_resolves_a_new_alert():
    book = AlertBook()
    a = book.ingest(event("smoke"))
    assert a is not None
    cleared = book.ingest(event("smoke", t=T0 + 5, clear=True))
    assert cleared is not None
    assert cleared.id == a.id and cleared.state == AlertState.RESOLVED and cleared.cleared
    assert cleared.history[-1].action == "cleared" and cleared.history[-1].actor == "source:feed"
    # A second clear, or a clear for something never raised, changes nothing.
    assert book.ingest(event("smoke", t=T0 + 6, clear=True)) is None
    assert book.ingest(event("never-raised", clear=True)) is None


def test_a_clear_leaves_an_acknowledged_alert_acknowledged_but_cleared():
    book = AlertBook()
    a = book.ingest(event("smoke"))
    assert a is not None
    book.act(a.id, "acknowledge", "op1", T0 + 1)
    cleared = book.ingest(event("smoke", t=T0 + 5, clear=True))
    assert cleared is not None
    assert cleared.state == AlertState.ACKNOWLEDGED and cleared.cleared
    assert cleared.acted_by == "op1"
    # Raised again while still open: counted, no longer cleared, still the operator's.
    again = book.ingest(event("smoke", t=T0 + 9))
    assert again is not None and again.state == AlertState.ACKNOWLEDGED and not again.cleared


# -- flapping -------------------------------------------------------------------------------------

def test_flapping_after_four_raise_clear_changes_within_the_window():
    assert FLAP_CHANGES == 4
    book = AlertBook()
    book.ingest(event("door", t=T0))
    states = []
    for i, clear in enumerate([True, False, True, False], start=1):  # four changes
        a = book.ingest(event("door", t=T0 + 10 * i, clear=clear))
        assert a is not None
        states.append(a.flapping)
    assert states == [False, False, False, True]
    # It stays flagged through further changes.
    a = book.ingest(event("door", t=T0 + 60, clear=True))
    assert a is not None and a.flapping


def test_changes_spread_beyond_the_window_are_not_flapping():
    book = AlertBook()
    book.ingest(event("door", t=T0))
    step = FLAP_WINDOW_S / 2 + 1  # at most two changes ever lie within one window
    flags = []
    for i, clear in enumerate([True, False, True, False, True, False], start=1):
        a = book.ingest(event("door", t=T0 + step * i, clear=clear))
        assert a is not None
        flags.append(a.flapping)
    assert flags == [False] * 6


def test_repeats_without_clears_are_not_flapping():
    book = AlertBook()
    for i in range(10):
        a = book.ingest(event("door", t=T0 + i))
    assert a is not None and a.count == 10 and not a.flapping


# -- the operator's lifecycle ---------------------------------------------------------------------

def test_lifecycle_new_acknowledged_assigned_resolved_closed_with_history():
    book = AlertBook()
    a = book.ingest(event("robbery", severity=Severity.CRITICAL, domain="security"))
    assert a is not None and a.state == AlertState.NEW
    a = book.act(a.id, "acknowledge", "op1", T0 + 1, note="looking at camera 4")
    assert a.state == AlertState.ACKNOWLEDGED and a.acted_by == "op1" and a.acted_at == T0 + 1
    a = book.act(a.id, "assign", "op1", T0 + 2, assignee="  Công an phường Hoa Lư ", note="unit 3 nearby")
    assert a.state == AlertState.ASSIGNED and a.assignee == "Công an phường Hoa Lư"
    a = book.act(a.id, "note", "op2", T0 + 3, note="patrol on site")
    assert a.state == AlertState.ASSIGNED and a.acted_by == "op2"
    a = book.act(a.id, "resolve", "op2", T0 + 4, note="suspect detained")
    assert a.state == AlertState.RESOLVED and not a.is_open
    a = book.act(a.id, "close", "supervisor", T0 + 5, note="report filed")
    assert a.state == AlertState.CLOSED
    assert [(h.actor, h.action, h.note) for h in a.history] == [
        ("source:feed", "raised", ""),
        ("op1", "acknowledged", "looking at camera 4"),
        ("op1", "assigned", "→ Công an phường Hoa Lư: unit 3 nearby"),
        ("op2", "note", "patrol on site"),
        ("op2", "resolved", "suspect detained"),
        ("supervisor", "closed", "report filed"),
    ]
    assert [h.ts for h in a.history] == [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5]
    assert book.alerts[a.id] == a
    a = book.act(a.id, "reopen", "supervisor", T0 + 6, note="victim called again")
    assert a.state == AlertState.NEW and a.history[-1].action == "reopened"


def test_assign_straight_from_new_and_reassign():
    book = AlertBook()
    a = book.ingest(event("x"))
    assert a is not None
    a = book.act(a.id, "assign", "op1", T0 + 1, assignee="Đội CSGT")
    a = book.act(a.id, "assign", "op1", T0 + 2, assignee="Công an phường")
    assert a.state == AlertState.ASSIGNED and a.assignee == "Công an phường"
    assert a.history[-1].note == "→ Công an phường"


@pytest.mark.parametrize(("steps", "action", "kw", "message"), [
    (["acknowledge"], "acknowledge", {}, "cannot acknowledge alert 1: it is acknowledged"),
    ([], "reopen", {}, "cannot reopen alert 1: it is new"),
    (["resolve"], "resolve", {}, "cannot resolve alert 1: it is resolved"),
    (["resolve"], "assign", {"assignee": "Đội CSGT"}, "cannot assign alert 1: it is resolved"),
    (["close"], "close", {}, "cannot close alert 1: it is closed"),
    (["close"], "acknowledge", {}, "cannot acknowledge alert 1: it is closed"),
    ([], "assign", {"assignee": "   "}, "assign: say to whom"),
    ([], "assign", {}, "assign: say to whom"),
    ([], "note", {"note": "  "}, "note: the note is empty"),
    ([], "escalate", {}, "unknown action 'escalate'"),
])
def test_invalid_transitions_are_refused_with_a_human_message(steps, action, kw, message):
    book = AlertBook()
    a = book.ingest(event("x"))
    assert a is not None and a.id == 1
    for step in steps:
        book.act(a.id, step, "op1", T0 + 1)
    before = book.alerts[a.id]
    with pytest.raises(AlertActionError) as err:
        book.act(a.id, action, "op1", T0 + 2, **kw)
    assert str(err.value).startswith(message), str(err.value)
    assert book.alerts[a.id] == before  # nothing changed
    with pytest.raises(AlertActionError):
        check_action(before, action, kw.get("assignee", ""), kw.get("note", ""))


def test_an_action_on_an_unknown_alert_is_refused():
    with pytest.raises(AlertActionError, match="no alert 99"):
        AlertBook().act(99, "acknowledge", "op1", T0)


def test_ids_continue_after_the_loaded_alerts():
    book = AlertBook()
    for k in ("a", "b", "c"):
        book.ingest(event(k))
    reloaded = AlertBook(list(book.alerts.values()))
    new = reloaded.ingest(event("d"))
    assert new is not None and new.id == 4
    same = reloaded.ingest(event("b"))
    assert same is not None and same.id == 2 and same.count == 2


# -- silences -------------------------------------------------------------------------------------

def test_a_silence_hides_matching_new_alerts_only():
    book = AlertBook()
    silence, changed = book.add_silence("op1", "road works, known", T0, 600, domain="traffic", unit="w-hoalu")
    assert changed == []
    matching = book.ingest(event("jam", t=T0 + 1, domain="traffic", unit="w-hoalu"))
    other_unit = book.ingest(event("jam2", t=T0 + 1, domain="traffic", unit="w-phuly"))
    other_domain = book.ingest(event("smoke", t=T0 + 1, domain="environment", unit="w-hoalu"))
    assert matching is not None and other_unit is not None and other_domain is not None
    assert matching.silenced_by == silence.id
    assert other_unit.silenced_by is None and other_domain.silenced_by is None
    # After it expires, new alerts are no longer silenced.
    late = book.ingest(event("jam3", t=T0 + 601, domain="traffic", unit="w-hoalu"))
    assert late is not None and late.silenced_by is None


def test_a_silence_covers_open_alerts_already_there():
    book = AlertBook()
    a = book.ingest(event("jam", source="cams"))
    b = book.ingest(event("jam", source="radar"))
    assert a is not None and b is not None
    silence, changed = book.add_silence("op1", "camera maintenance", T0 + 1, 600, source="cams")
    assert [x.id for x in changed] == [a.id]
    assert book.alerts[a.id].silenced_by == silence.id
    assert book.alerts[a.id].history[-1].action == "silenced"
    assert book.alerts[b.id].silenced_by is None


def test_ending_a_silence_unsilences_its_alerts():
    book = AlertBook()
    silence, _ = book.add_silence("op1", "drill", T0, 600, key="alarm-3")
    a = book.ingest(event("alarm-3", t=T0 + 1))
    assert a is not None and a.silenced_by == silence.id
    ended, changed = book.end_silence(silence.id, T0 + 100, actor="op2")
    assert ended.ended_at == T0 + 100 and not ended.active(T0 + 101)
    assert [x.id for x in changed] == [a.id]
    back = book.alerts[a.id]
    assert back.silenced_by is None
    assert (back.history[-1].actor, back.history[-1].action) == ("op2", "unsilenced")
    assert "op2" in back.history[-1].note
    # A new raise of the key is no longer silenced.
    again = book.ingest(event("alarm-3", t=T0 + 200))
    assert again is not None and again.silenced_by is None


def test_expired_silences_are_listed_until_ended():
    book = AlertBook()
    short, _ = book.add_silence("op1", "short", T0, 60, domain="traffic")
    long, _ = book.add_silence("op1", "long", T0, 3600, domain="security")
    lifted, _ = book.add_silence("op1", "lifted", T0, 30, unit="w-phuly")
    book.end_silence(lifted.id, T0 + 10, actor="op1")
    assert book.expired_silences(T0 + 59) == []
    assert book.expired_silences(T0 + 60) == [short.id]
    assert sorted(book.expired_silences(T0 + 4000)) == sorted([short.id, long.id])
    a = book.ingest(event("jam", t=T0 + 1, domain="traffic"))
    assert a is not None and a.silenced_by == short.id
    ended, changed = book.end_silence(short.id, T0 + 61)
    assert ended.ended_at == T0 + 60  # it ended at its expiry, not when noticed
    assert [x.id for x in changed] == [a.id]
    assert book.alerts[a.id].history[-1].note == "silence expired"
    assert book.expired_silences(T0 + 61) == []


@pytest.mark.parametrize(("kw", "message"), [
    ({"reason": "x", "duration_s": 60}, "must name a domain, unit, source or key"),
    ({"reason": "  ", "duration_s": 60, "domain": "traffic"}, "needs a reason"),
    ({"reason": "x", "duration_s": 0, "domain": "traffic"}, "needs a duration"),
])
def test_a_silence_without_scope_reason_or_duration_is_refused(kw, message):
    with pytest.raises(AlertActionError, match=message):
        AlertBook().add_silence("op1", now=T0, **kw)


def test_ending_an_unknown_silence_is_refused():
    with pytest.raises(AlertActionError, match="no silence 5"):
        AlertBook().end_silence(5, T0)


def test_an_alert_covered_by_another_active_silence_stays_silenced():
    book = AlertBook()
    short, _ = book.add_silence("op1", "unit drill", T0, 60, unit="w-hoalu")
    long, _ = book.add_silence("op1", "road works all day", T0, 8 * 3600, domain="traffic")
    a = book.ingest(event("jam", t=T0 + 1, domain="traffic", unit="w-hoalu"))
    assert a is not None and a.silenced_by == short.id
    book.end_silence(short.id, T0 + 61)
    assert long.active(T0 + 61) and long.matches(a.source, a.key, a.domain, a.unit)
    assert book.alerts[a.id].silenced_by == long.id
