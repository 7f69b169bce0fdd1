"""The kiosk's language: the names a customer taps, and the controller installing translator and locale.

Installing or removing a translator makes Qt send every widget a LanguageChange, so every ScreenView sets
its texts again and redraws; `language_changed` tells presenters, whose states carry the language for
product names and prices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final, override

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from kiosk.ui.formatting import fill
from kiosk.ui.theme import apply_locale
from kiosk.ui.translations import install_translator
from kiosk.ui.widgets.touch_button import TouchButton

log = logging.getLogger(__name__)

LANGUAGES: Final = ("en", "cs", "pl", "bg")
# Each language in its own words: a customer looks for the name they read, not for a translation of it.
# No flag emojis: without an emoji font (most kiosk images) they render as boxes, and a flag is a
# country, not a language.
NATIVE_NAMES: Final = {"en": "English", "cs": "Čeština", "pl": "Polski", "bg": "Български"}

type TranslatorInstaller = Callable[[QCoreApplication, str | None], QTranslator | None]


class LanguageController(QObject):
    """Holds the UI language: one translator installed at a time, QLocale's default following it."""

    language_changed = Signal(str)

    def __init__(
        self,
        app: QCoreApplication,
        default: str,
        *,
        install: TranslatorInstaller = install_translator,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if default not in LANGUAGES:
            raise ValueError(f"unknown language {default!r}")
        self._app = app
        self._default = default
        self._install = install
        self._language = "en"
        self._translator: QTranslator | None = None
        self._chosen = False
        self._locale_before = QLocale()  # the default locale, given back by close()
        self._switch(default)

    @property
    def language(self) -> str:
        return self._language

    @property
    def default(self) -> str:
        """The store's own language, where the idle reset returns to."""
        return self._default

    @property
    def chosen(self) -> bool:
        """A customer chose the language this session (it wins over the store's until the reset)."""
        return self._chosen

    def set_language(self, language: str) -> None:
        """A customer's choice: show the UI in ``language``; an unknown code (a wiring mistake) changes
        nothing."""
        if language not in LANGUAGES:
            log.warning("ignoring unknown language %r", language)
            return
        self._chosen = True
        self._apply(language)

    def set_default(self, language: str) -> None:
        """The store's language, learned from the cache when none is configured: the idle reset returns
        to it, and it shows now unless a customer has chosen another one; unknown codes are ignored."""
        if language not in LANGUAGES or language == self._default:
            return
        self._default = language
        if not self._chosen:
            self._apply(language)

    def reset(self) -> None:
        """The idle reset: the default language, and no customer's choice any more."""
        self._chosen = False
        self._apply(self._default)

    def close(self) -> None:
        """At shutdown: the translator goes and the default locale is what it was before."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        QLocale.setDefault(self._locale_before)

    def _apply(self, language: str) -> None:
        if language != self._language:
            self._switch(language)
            self.language_changed.emit(language)

    def _switch(self, language: str) -> None:
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        self._translator = self._install(self._app, language)
        apply_locale(language)
        self._language = language


class LanguageSwitch(QWidget):
    """A row of language buttons (each language's own name); the chosen one is drawn as primary."""

    language_chosen = Signal(str)

    def __init__(
        self, current: str = "en", languages: Sequence[str] = LANGUAGES, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("languageSwitch")
        self._current = current
        self._buttons: dict[str, TouchButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for code in languages:
            button = TouchButton(f"languageButton_{code}", variant="secondary", parent=self)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.setText(NATIVE_NAMES.get(code, code.upper()))
            button.clicked.connect(lambda _=False, c=code: self.language_chosen.emit(c))
            layout.addWidget(button)
            self._buttons[code] = button
        self.set_current(current)
        self.retranslate()

    @property
    def current(self) -> str:
        return self._current

    def button(self, language: str) -> TouchButton:
        return self._buttons[language]

    def set_current(self, language: str) -> None:
        self._current = language
        for code, button in self._buttons.items():
            variant = "primary" if code == language else "secondary"
            if button.property("variant") != variant:
                button.setProperty("variant", variant)
                button.style().unpolish(button)
                button.style().polish(button)

    def retranslate(self) -> None:
        for code, button in self._buttons.items():
            name = NATIVE_NAMES.get(code, code.upper())
            button.setAccessibleName(fill(self.tr("Language: %1"), name))

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def connect_language(switch: LanguageSwitch, controller: LanguageController) -> None:
    """Taps go to the controller; any language change (a tap, the idle reset) shows on the switch."""
    switch.language_chosen.connect(controller.set_language)
    controller.language_changed.connect(switch.set_current)
    switch.set_current(controller.language)
