"""Every visible text has its Vietnamese translation, the shipped .qm is current, and the
operator window really switches language with diacritics intact."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontInfo, QFontMetrics

from resources.translations import build


def test_every_text_in_the_code_has_a_vietnamese_translation(tmp_path):
    ts = tmp_path / "console_vi.ts"
    build.extract(ts)
    assert build.missing_texts(ts) == []


def test_shipped_qm_matches_the_texts(tmp_path):
    ts = tmp_path / "console_vi.ts"
    qm = tmp_path / "console_vi.qm"
    build.extract(ts)
    build.fill(ts)
    build.compile_qm(ts, qm)
    assert qm.read_bytes() == build.QM.read_bytes(), "run: python -m resources.translations.build"


def test_operator_window_switches_between_vietnamese_and_english(qtbot, make_console, demo_site):
    console = make_console(demo_site, language="vi")
    op = console.operator
    assert op.layout_label.text() == "Bố cục"
    assert op.browser_dock.windowTitle() == "Nguồn dữ liệu"
    assert op.lang_button.text() == "English"
    qtbot.waitUntil(lambda: op.health.rowCount() == 3, timeout=15000)  # the demo, its KPI database, the meeting documents
    headers = [op.health.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers[1] == "Trạng thái"
    qtbot.keyClick(op, "L", modifier=qtbot_modifiers())
    qtbot.waitUntil(lambda: op.layout_label.text() == "Layout")
    assert op.browser_dock.windowTitle() == "Sources"
    assert op.lang_button.text() == "Tiếng Việt"
    op.toggle_language()
    qtbot.waitUntil(lambda: op.layout_label.text() == "Bố cục")


def qtbot_modifiers():
    from PySide6.QtCore import Qt

    return Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_vietnamese_diacritics_have_glyphs(qapp):
    # The font the console's theme asks for must carry every Vietnamese letter (no tofu boxes).
    text = "Tiếng Việt: Phường Hoa Lư, Xã Kim Sơn, Cầu Non Nước, ắằẳẵặ ốồổỗộ ứừửữự đĐ"
    metrics = QFontMetrics(QFont("Noto Sans"))
    assert QFontInfo(QFont("Noto Sans")).family() == "Noto Sans"
    missing = [c for c in text if not c.isspace() and not metrics.inFontUcs4(ord(c))]
    assert missing == []
