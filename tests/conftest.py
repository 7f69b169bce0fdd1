"""Suite-wide setup: Qt offscreen, and the shared database fixtures of tests/fixtures/databases.py."""

from __future__ import annotations

import os

# Qt must never try to open a display in the suite unless a test asks for Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ("tests.fixtures.databases",)
