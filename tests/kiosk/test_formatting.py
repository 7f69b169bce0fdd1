"""Qt-style placeholders are filled in one pass: server text never turns into another placeholder."""

from __future__ import annotations

from kiosk.ui.formatting import fill


def test_values_are_inserted_once_and_never_rescanned() -> None:
    template = "%1, quantity %2, %3"
    assert fill(template, "Lamp %2 %3", "4", "in stock") == "Lamp %2 %3, quantity 4, in stock"


def test_translations_may_reorder_placeholders_and_missing_values_stay_visible() -> None:
    assert fill("%3 · %1 (%2)", "a", "b", "c") == "c · a (b)"
    assert fill("%1 and %4", "x") == "x and %4"
