"""Qt Linguist translations: installs ``resources/i18n/kiosk_<language>.qm`` when it exists."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"


def install_translator(
    app: QCoreApplication, language: str | None, directory: Path = I18N_DIR
) -> QTranslator | None:
    """The installed translator (keep a reference: Qt does not own it); None for English or no file."""
    if language is None or language == "en":
        return None
    translator = QTranslator(app)
    if not translator.load(f"kiosk_{language}", str(directory)):
        log.warning("no translation for %r in %s; showing English", language, directory)
        return None
    app.installTranslator(translator)
    return translator
