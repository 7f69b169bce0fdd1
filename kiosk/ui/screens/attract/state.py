"""What the attract screen shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttractState:
    language: str = "en"
    high_contrast: bool = False
    store_name: str = ""
