"""Screenshots of the main screens from the real app in a real X window (Xvfb), for the README.

The suite runs Qt offscreen, so the tour (tests/kiosk/screenshot_tour.py) runs in a process of its
own on a private Xvfb display. With ``KIOSK_UPDATE_SCREENSHOTS=1`` the pictures replace those in
docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures.processes import stop

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)
SCREENS = (
    "attract",
    "home-high-contrast",
    "home",
    "catalog-keyboard",
    "catalog",
    "product",
    "bag",
    "product-offline",
)
HIGH_CONTRAST_BUTTON = (0xFF, 0xD4, 0x00)  # the high-contrast theme's yellow buttons
TOUR_TIMEOUT = 180

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (.ci/run installs it)"),
]


def _free_display() -> int:
    for number in range(90, 400):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :399")


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private X server at 1280 x 800, as the kiosk's screen; stopped afterwards."""
    number = _free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                error = server.stderr.read().decode(errors="replace") if server.stderr else ""
                pytest.fail(f"Xvfb :{number} did not start: {error[-2000:]}")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        stop(server)
        if server.stderr is not None:
            server.stderr.close()


def _distinct_colours(image: Image.Image) -> int:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20


def test_screenshots_of_the_main_screens(xvfb: str, tmp_path: Path) -> None:
    out, work = tmp_path / "shots", tmp_path / "work"
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.screenshot_tour", str(out), str(work)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TOUR_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    for name in SCREENS:
        path = out / f"{name}.png"
        assert path.exists(), f"no screenshot of {name}"
        with Image.open(path) as image:
            assert image.size == SIZE, name
            # A real screen has text, pictures and antialiasing: thousands of colours, not a blank fill.
            assert _distinct_colours(image) > 500, name
            rgb = image.convert("RGB")
            if "high-contrast" in name:
                # Black by design, so the corners say nothing: the theme's yellow buttons must show.
                colours = {colour for _count, colour in rgb.getcolors(maxcolors=1 << 20) or []}
                assert HIGH_CONTRAST_BUTTON in colours, name
                continue
            # ...and the window covers the screen: no corner is the X server's black background.
            corners = [rgb.getpixel(xy) for xy in ((0, 0), (SIZE[0] - 1, 0), (0, SIZE[1] - 1))]
            assert all(pixel != (0, 0, 0) for pixel in corners), name
    if os.environ.get("KIOSK_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        for name in SCREENS:
            shutil.copyfile(out / f"{name}.png", DOCS / f"{name}.png")
