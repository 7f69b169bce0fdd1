"""What the start imports: modules the first screen does not need stay out of a new process until used.

Each case runs a fresh Python (this test process has imported everything already) that imports the app,
builds the main window as `kiosk.app.run` does, and reports ``sys.modules`` at each step. A heavy import
creeping back onto the start path fails here, not only in the cold start benchmark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Libraries the start screen never uses: the handoff code's symbologies, Pillow (it checks downloaded
# pictures), and httpx's command line client with what it drags in.
HEAVY = ("segno", "barcode", "PIL", "httpx._main", "rich", "pygments")
# Screens built when first opened, with the modules only they need.
LATER_SCREENS = (
    "kiosk.ui.screens.catalog.view",
    "kiosk.ui.screens.product.view",
    "kiosk.ui.screens.bag.view",
    "kiosk.ui.screens.badge.view",
    "kiosk.ui.widgets.handoff_code",
    "kiosk.ui.widgets.gallery",
)

_PROBE = r"""
import json, sys
from pathlib import Path

watched = json.loads(sys.argv[2])


def loaded():
    # httpx._main is None in sys.modules when the app keeps it out (kiosk.api): present but not loaded.
    return sorted(name for name in watched if sys.modules.get(name) is not None)


steps = {}
import kiosk.app

steps["import kiosk.app"] = loaded()
from PySide6.QtWidgets import QApplication

from kiosk.config import Mode, Settings
from kiosk.ui.theme import apply_theme

app = QApplication([sys.argv[0]])
apply_theme(app)
mode = Mode(sys.argv[3])
settings = Settings(demo=False, central_url="http://127.0.0.1:9", data_dir=Path(sys.argv[1]), mode=mode)
root = kiosk.app.KioskApp(settings)
root.show()
app.processEvents()
steps["main window shown"] = loaded()
# The probe sees imports at all: opening the bag screen and drawing a handoff code bring theirs.
root.bag_view.code_view.set_code("BAG-1234567890")
steps["bag screen and a handoff code"] = loaded()
root.window.hide()
root.language.close()
print(json.dumps(steps))
"""


def _steps(tmp_path: Path, mode: str) -> dict[str, list[str]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path), json.dumps([*HEAVY, *LATER_SCREENS]), mode],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    steps: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return steps


@pytest.mark.parametrize("mode", ["kiosk", "associate"])
def test_the_start_imports_no_module_the_first_screen_does_not_need(tmp_path: Path, mode: str) -> None:
    steps = _steps(tmp_path, mode)
    assert steps["import kiosk.app"] == []
    assert steps["main window shown"] == []
    # Not a blind probe: the modules it watches do arrive once their screen is used.
    used = steps["bag screen and a handoff code"]
    assert {"segno", "barcode", "kiosk.ui.screens.bag.view", "kiosk.ui.widgets.handoff_code"} <= set(used)
    assert "httpx._main" not in used
