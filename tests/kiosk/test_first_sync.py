"""The stand-in first sync: store from `locations`, catalog size and highlights from `catalog`, progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.api.errors import CentralUnreachable
from kiosk.services.first_sync import FirstSync, StoreNotFound, SyncProgress, highlight_from_change

from .fakes import FakeCentral, product, standard_central, tombstone


def ticking_clock(step: float = 1.0) -> Callable[[], float]:
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


async def test_store_is_read_from_the_locations_stream() -> None:
    central = standard_central()
    central.valid_tokens.add("t")
    central.use_token("t")
    store = await FirstSync(central, page_size=1).store("PL-WAW-01")
    assert (store.id, store.name, store.city, store.currency) == (
        "PL-WAW-01",
        "Warszawa Centrum",
        "Warszawa",
        "PLN",
    )
    assert [cursor for stream, cursor, _ in central.pulls] == ["v1.0", "v1.1"]


async def test_unknown_store_raises() -> None:
    central = standard_central()
    central.valid_tokens.add("t")
    central.use_token("t")
    with pytest.raises(StoreNotFound):
        await FirstSync(central).store("BG-SOF-09")


async def test_catalog_walk_counts_pages_and_reports_progress() -> None:
    central = standard_central(products=25, categories=4)
    central.valid_tokens.add("t")
    central.use_token("t")
    progress: list[SyncProgress] = []
    summary = await FirstSync(central, page_size=10, clock=ticking_clock()).catalog("CZK", progress.append)
    assert (summary.products, summary.categories) == (25, 4)
    assert len(central.pulls) == 3  # 29 changes in pages of 10
    assert [p.items for p in progress] == [10, 20, 29]
    assert progress[-1].done == progress[-1].total
    assert progress[-1].eta_seconds == 0.0
    assert all(p.done <= p.total for p in progress)
    assert progress[0].eta_seconds is not None
    assert progress[0].eta_seconds > 0
    # The twelve most popular products, most popular first, priced in the store's currency.
    assert len(summary.highlights) == 12
    assert summary.highlights[0].sku == "SKU-0024"
    assert summary.highlights[0].price_minor == 129900
    assert summary.highlights[0].names["cs"] == "Židle SKU-0024"


async def test_tombstones_and_variants() -> None:
    central = FakeCentral(
        streams={
            "catalog": [
                product("A", 1, popularity=9),
                product("B", 2, popularity=8),
                product("B-RED", 3, popularity=99, parent="B"),
                tombstone("product", "A", 4),
                tombstone("category", "never-seen", 5),
            ]
        },
        valid_tokens={"t"},
        token="t",
    )
    summary = await FirstSync(central).catalog("CZK", lambda _p: None)
    assert summary.products == 2  # B and its variant B-RED; A was deleted
    assert summary.categories == 0
    assert [h.sku for h in summary.highlights] == ["B"]  # variants are not highlighted, A is gone


def test_highlight_ignores_bad_data() -> None:
    change = product("X", 1)
    assert change.data is not None
    bad = type(change)(
        change.entity, "X", 1, "upsert", {**change.data, "prices": {"CZK": "free"}, "rating": None}
    )
    highlight = highlight_from_change(bad, "CZK")
    assert highlight is not None
    assert highlight.price_minor is None
    assert (highlight.rating_average, highlight.rating_count) == (0.0, 0)
    nameless = type(change)(change.entity, "X", 1, "upsert", {"names": "not a dict"})
    assert highlight_from_change(nameless, "CZK") is None


async def test_errors_propagate_for_the_presenter_to_handle() -> None:
    central = standard_central()
    central.pull_error = lambda _s: CentralUnreachable("connection refused")
    with pytest.raises(CentralUnreachable):
        await FirstSync(central).catalog("CZK", lambda _p: None)
