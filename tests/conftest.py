"""Suite-wide fixtures: the PostgreSQL server if reachable, and a cached seeded template."""

from __future__ import annotations

import os

# Qt must never try to open a display in the suite unless a test asks for Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
