"""The demo's folder is also the demo device's data dir: created private, as the data dir lock makes one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.demo import DemoCentral, DemoError
from offline_cache.data_dir_lock import DataDirLock

from .test_demo import fake_python


def test_the_demo_creates_its_folder_private(tmp_path: Path) -> None:
    state = tmp_path / "data" / "demo"
    demo = DemoCentral(
        state, location="CZ-PRG-01", role="kiosk", startup_timeout=0.5, python=fake_python(tmp_path)
    )
    with pytest.raises(DemoError):
        demo.start()  # seeds (fake), then the fake server never listens
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    # The device's session takes the same folder next; the lock keeps its mode as it is.
    DataDirLock.acquire(state).release()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
