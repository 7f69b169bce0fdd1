"""The catalog's keystroke debounce: a key after a pause searches at once, a burst runs one search."""

from __future__ import annotations

import asyncio

from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import CatalogService
from kiosk.ui.screens.catalog.presenter import CatalogPresenter
from kiosk.ui.task_runner import TaskRunner
from tests.kiosk.test_catalog_presenter import FakeCatalog


async def test_a_key_after_a_pause_searches_at_once_and_a_burst_waits(reader: CacheReader) -> None:
    catalog = FakeCatalog()
    runner = TaskRunner()
    # A debounce far longer than the test: only a search that does not wait for it can be seen.
    presenter = CatalogPresenter(
        CatalogService(reader, lambda _cache: catalog), runner, debounce=30.0, facet_delay=0
    )
    presenter.type_text("lamp")
    async with asyncio.timeout(5):
        while not catalog.searches:  # noqa: ASYNC110 - the fake's list is filled on the reader thread
            await asyncio.sleep(0.01)
    presenter.type_text("lamp 1")  # at once after the last key: a burst, which waits for its end
    await asyncio.sleep(0.3)
    assert [query.text for query, _, _ in catalog.searches] == ["lamp"]
    assert presenter.state.text == "lamp 1"  # the field's text is the person's at once
    await runner.shutdown()
