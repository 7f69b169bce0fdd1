"""App (UI) benchmarks, offscreen: the catalog grid at 1,000,000 products and keystroke-to-results latency.

Each measurement is one function taking a `UiRig` so more screens (the product page) can add theirs.
The grid measurements use a fake hit source (answers by position at once) with the real model, view
and delegate; keystroke latency uses the real CatalogSearch on a demo ``cache.db`` built by
bench_search.build_cache (--big: 1,000,000 products, else 100,000).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import qasync
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication

from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import CatalogService, ProductHit, SearchQuery
from kiosk.ui.models.product_card_delegate import CARD_SIZE
from kiosk.ui.screens.catalog import connect_catalog
from kiosk.ui.screens.catalog.presenter import FIRST_WINDOW, CatalogPresenter
from kiosk.ui.screens.catalog.state import CatalogState, Results
from kiosk.ui.screens.catalog.view import SIDE_PANEL_WIDTH, CatalogView
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CacheStore
from tests.benchmarks.bench_search import STORE, build_cache, typed_queries
from tests.benchmarks.report import Options, Result

MILLION = 1_000_000
WIDTH = SIDE_PANEL_WIDTH + 5 * CARD_SIZE.width() + 100  # five cards per row, a 1920 px kiosk screen's share
HEIGHT = 3 * CARD_SIZE.height() + 200
REPEATS = 30
SCROLL_FRAMES = 300
FLING_STEP = 40  # px per frame: a brisk fling at 60 frames a second


def _hit(position: int) -> ProductHit:
    return ProductHit(
        sku=f"SKU-{position:07d}",
        name=f"Dubová jídelní židle s područkami {position}",
        brand=("Nordhus", "Acme", "Dřevák")[position % 3],
        price_minor=129_900 + position % 1000,
        currency="CZK",
        rating_average=(position % 50) / 10,
        rating_count=position % 300,
        image=None,
        popularity=MILLION - position,
        available_here=position % 6,
        parent_sku=None,
    )


async def _fake_window(key: object, offset: int, limit: int) -> Sequence[ProductHit]:
    del key
    return [_hit(p) for p in range(offset, min(offset + limit, MILLION))]


@dataclass
class UiRig:
    """The QApplication and a qasync loop that benchmark coroutines run on."""

    app: QApplication
    loop: qasync.QEventLoop


def _ms(seconds: Sequence[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _grid_view(total: int = MILLION) -> CatalogView:
    view = CatalogView(kinetic=True)
    view.set_hit_loader(_fake_window)
    view.resize(QSize(WIDTH, HEIGHT))
    view.show()
    QApplication.processEvents()
    view.render_state(_state(1, total))
    QApplication.processEvents()
    return view


def _state(serial: int, total: int) -> CatalogState:
    first = tuple(_hit(p) for p in range(FIRST_WINDOW))
    return CatalogState(
        language="cs", currency="CZK", here=STORE, results=Results(SearchQuery(), serial, total, False, first)
    )


# -- the grid at 1,000,000 rows ---------------------------------------------------------------------------


class Timer:
    """Wall-clock and CPU time of each sample: on a busy shared machine the wall clock also counts
    the time other processes held the CPU, which the process's own CPU time does not."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self._wall = 0.0
        self._cpu = 0.0

    def start(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall.append((time.perf_counter() - self._wall) * 1000)
        self.cpu.append((time.process_time() - self._cpu) * 1000)

    def results(self, name: str, target: float | None) -> list[Result]:
        return [Result(name, self.wall, "ms", target), Result(f"{name} (CPU time)", self.cpu, "ms", target)]


def grid_model_reset(rig: UiRig) -> list[Result]:
    """A new query's answer reaches the grid: model reset plus the view's own handling of it."""
    view = _grid_view()
    first = [_hit(p) for p in range(60)]
    timer = Timer()
    for serial in range(2, REPEATS + 2):
        timer.start()
        view.grid_model.set_results(serial, MILLION, first)
        timer.stop()
        QApplication.processEvents()
    view.shutdown()
    view.close()
    return timer.results("grid: model reset at 1M rows", 16)


def grid_first_paint(rig: UiRig) -> list[Result]:
    """From a new state (new results) to the grid's first complete frame."""
    view = _grid_view()
    timer = Timer()
    for serial in range(2, REPEATS + 2):
        state = _state(serial, MILLION)
        timer.start()
        view.render_state(state)
        view.grid.viewport().repaint()
        timer.stop()
    view.shutdown()
    view.close()
    return timer.results("grid: render new results + first paint at 1M", 16)


def grid_resize(rig: UiRig) -> list[Result]:
    """A width change that changes the number of columns, to the next complete frame."""
    view = _grid_view()
    timer = Timer()
    widths = (WIDTH, WIDTH - 2 * CARD_SIZE.width(), WIDTH + CARD_SIZE.width())
    columns: set[int] = set()
    for n in range(REPEATS):
        timer.start()
        view.resize(QSize(widths[n % len(widths)], HEIGHT))
        QApplication.processEvents()  # the relayout and the window's repaint
        timer.stop()
        columns.add(view.grid_model.columns)
    view.shutdown()
    view.close()
    assert len(columns) == len(widths), columns  # every step really changed the column count
    return timer.results("grid: resize (columns change) + window repaint at 1M", 16)


def grid_scroll_frames(rig: UiRig) -> list[Result]:
    """Scroll by a page per frame (or jump far), repainting the whole viewport each frame.

    Frames run inside the loop, as paints do in the app (the grid schedules its reads on it), and
    the loop runs 4 ms between frames, so missing windows arrive as they would while a finger
    moves; a frame whose window is still missing paints skeleton cards.
    """
    view = _grid_view()
    bar = view.grid.verticalScrollBar()
    timer = Timer()
    skeletons = 0
    step = max(bar.pageStep(), 1)
    jumps = random.Random(3)

    async def frames() -> None:
        nonlocal skeletons
        for frame in range(SCROLL_FRAMES):
            # Half the frames move a page, the other half jump far (a fling or a drag of the scroll bar).
            target = bar.value() + step if frame % 2 else jumps.randrange(bar.maximum())
            timer.start()
            bar.setValue(min(target, bar.maximum()))
            view.grid.viewport().repaint()
            timer.stop()
            centre = view.grid.indexAt(view.grid.viewport().rect().center())
            skeletons += int(centre.data(0) is None)
            await asyncio.sleep(0.004)

    rig.loop.run_until_complete(frames())
    view.shutdown()
    view.close()
    return [
        Result(f"grid: scroll frame (page or jump), {len(timer.wall)} frames", timer.wall, "ms"),
        Result("grid: scroll frame p99", [_percentile(timer.wall, 0.99)], "ms", 8),
        Result("grid: scroll frame p99 (CPU time)", [_percentile(timer.cpu, 0.99)], "ms", 8),
        Result("grid: frames whose centre card was still a skeleton", [float(skeletons)], "frames"),
    ]


def grid_fling_frames(rig: UiRig) -> list[Result]:
    """Kinetic scrolling's frames: 40 px per frame. Qt moves the pixels already drawn and repaints
    only the strip that came into view, which is what each frame repaints here."""
    view = _grid_view()
    viewport = view.grid.viewport()
    bar = view.grid.verticalScrollBar()
    timer = Timer()

    async def frames() -> None:
        for _ in range(SCROLL_FRAMES):
            timer.start()
            bar.setValue(min(bar.value() + FLING_STEP, bar.maximum()))
            viewport.repaint(QRect(0, viewport.height() - FLING_STEP, viewport.width(), FLING_STEP))
            timer.stop()
            await asyncio.sleep(0.004)

    rig.loop.run_until_complete(frames())
    view.shutdown()
    view.close()
    return [
        Result(f"grid: fling frame ({FLING_STEP} px), {len(timer.wall)} frames", timer.wall, "ms"),
        Result("grid: fling frame p99", [_percentile(timer.wall, 0.99)], "ms", 8),
        Result("grid: fling frame p99 (CPU time)", [_percentile(timer.cpu, 0.99)], "ms", 8),
    ]


# -- keystroke to repainted results --------------------------------------------------------------------


def keystroke_to_results(rig: UiRig, options: Options) -> list[Result]:
    """Type queries into the real screen over the real CatalogSearch; time each keystroke to the repaint."""
    products = options.products
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        path = Path(tmp) / "cache.db"
        build = build_cache(path, products)
        short, two = typed_queries(build.names, random.Random(7))
        cache = CacheStore.open(path)
        reader = CacheReader(cache)
        try:
            results: list[Result] = rig.loop.run_until_complete(
                _type(reader, products, short[:60] + two[:40])
            )
            return results
        finally:
            reader.close()
            cache.close()


async def _type(reader: CacheReader, products: int, queries: list[str]) -> list[Result]:
    runner = TaskRunner()
    presenter = CatalogPresenter(CatalogService(reader), runner, language="cs", currency="CZK", here=STORE)
    view = CatalogView(kinetic=False)
    connect_catalog(view, presenter)
    view.resize(QSize(WIDTH, HEIGHT))
    view.show()
    await presenter.load_categories()
    await presenter.refresh()
    service = CatalogService(reader)
    reads = []
    for text in queries[::2]:
        started = time.perf_counter()
        await service.search(
            SearchQuery(text=text, currency="CZK", language="cs"), 0, FIRST_WINDOW, here=STORE
        )
        reads.append(time.perf_counter() - started)
    expected = ""
    shown = asyncio.Event()
    shown_at = 0.0

    def on_state(state: CatalogState) -> None:
        nonlocal shown_at
        results = state.results
        if (
            not shown.is_set()
            and results is not None
            and results.query.text == expected
            and not state.loading
        ):
            view.grid.viewport().repaint()  # after render_state: the frame the person sees
            shown_at = time.perf_counter()
            shown.set()

    presenter.state_changed.connect(on_state)
    samples: list[float] = []
    idle: list[float] = []
    for n, text in enumerate(queries):
        expected = text
        shown.clear()
        started = time.perf_counter()
        presenter.type_text(text)
        await shown.wait()
        samples.append(shown_at - started)
        if n % 2 == 0:
            # Half the keystrokes come after the last one's facets; the rest while they are still counted.
            await _tasks_done()
            idle.append(shown_at - started)
        else:
            await asyncio.sleep(0.12)
    await runner.shutdown()
    view.shutdown()
    view.close()
    ms = _ms(samples)
    label = f"{products // 1000:,}k" if products < MILLION else "1M"
    return [
        Result(f"keystroke -> repainted results at {label}: p95", [_percentile(ms, 0.95)], "ms", 50),
        Result(f"keystroke -> repainted results at {label} (all {len(ms)})", ms, "ms"),
        Result(f"keystroke -> repainted results at {label}, facets done", _ms(idle), "ms"),
        Result(f"of which: count + first {FIRST_WINDOW} hits on the reader thread", _ms(reads), "ms"),
    ]


async def _tasks_done() -> None:
    while pending := [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
        await asyncio.wait(pending)


def run(options: Options) -> list[Result]:
    # Qt reads the platform when the application is created: no display is needed.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    rig = UiRig(app, loop)
    try:
        results = [
            *grid_model_reset(rig),
            *grid_first_paint(rig),
            *grid_resize(rig),
            *grid_scroll_frames(rig),
            *grid_fling_frames(rig),
        ]
        results += keystroke_to_results(rig, options)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return results
