"""Language switching through Qt's translation system; Vietnamese first, English second."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
LANGUAGES = ("vi", "en")  # source strings are English; Vietnamese ships as console_vi.qm


class Languages:
    """Owner of the installed translator. Thread: GUI thread."""

    def __init__(self) -> None:
        self.current = "en"
        self._translator: QTranslator | None = None

    def set(self, lang: str) -> bool:
        app = QCoreApplication.instance()
        assert app is not None
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if lang != "en":
            translator = QTranslator(app)
            qm = TRANSLATIONS / f"console_{lang}.qm"
            if not translator.load(str(qm)):
                log.error("no translation for %r at %s; showing English", lang, qm)
                lang = "en"
            else:
                app.installTranslator(translator)
                self._translator = translator
        self.current = lang
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English))
        return lang == self.current

    def release(self) -> None:
        """Take this console's translator out of the application (the console is stopping)."""
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = None

    def toggle(self) -> str:
        self.set("en" if self.current == "vi" else "vi")
        return self.current
