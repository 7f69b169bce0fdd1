"""Which screen is shown and the way back: the shell's navigation history, as a frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

HOME: Final = "home"
CATALOG: Final = "catalog"
PRODUCT: Final = "product"
BAG: Final = "bag"
ATTRACT: Final = "attract"  # the kiosk's welcome, in front of home: nothing behind it, no bar
BADGE: Final = "badge"  # associate sign-in, asked for by the badge gate


@dataclass(frozen=True, slots=True)
class History:
    """The screens behind the current one (oldest first) and the current one; home is always the root.

    The kiosk's attract screen stands in front of the root: ``History(ATTRACT)`` has nothing behind it,
    and leaving it (start, or back) lands on home without attract staying in the way back.
    """

    current: str = HOME
    behind: tuple[str, ...] = ()

    def open(self, screen: str) -> History:
        """Go forward to ``screen``; opening the screen already shown changes nothing, and opening one
        that is already behind goes back to it (home → catalog → product → catalog is two screens deep)."""
        if screen == self.current:
            return self
        if screen == HOME:
            return History()
        if screen in self.behind:
            position = self.behind.index(screen)
            return History(screen, self.behind[:position])
        # Each screen is behind at most once, so the history stays as short as the set of screens.
        return History(screen, (*self.behind, self.current))

    def back(self) -> History:
        """The previous screen; home when there is none."""
        if not self.behind:
            return History()
        return History(self.behind[-1], self.behind[:-1])

    @property
    def previous(self) -> str | None:
        return self.behind[-1] if self.behind else None
