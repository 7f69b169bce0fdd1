"""App (UI) benchmarks, offscreen: the catalog grid at 1,000,000 products, keystroke-to-results latency,
and the app's cold start and memory in a fresh process.

Each measurement is one function taking a `UiRig` so more screens (the product page) can add theirs.
The grid measurements use a fake hit source (answers by position at once) with the real model, view,
delegate and theme; keystroke latency uses the real CatalogSearch on a demo ``cache.db`` built by
bench_search.build_cache (--big: 1,000,000 products, else 100,000); the cold start runs the real
KioskApp in a new Python process on a data dir with that cache, an outbox and an enrolled device
whose central cannot be reached (it starts offline from its cache).

Wall-clock times on a busy shared machine also count the time other processes held the CPU, so
every timing is reported as process CPU time too.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
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
from kiosk.ui.screens.catalog.presenter import FIRST_WINDOW, CatalogPresenter, clean_text
from kiosk.ui.screens.catalog.state import CatalogState, Results
from kiosk.ui.screens.catalog.view import SIDE_PANEL_WIDTH, CatalogView
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.theme import apply_theme
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.device_record import DeviceRecord, device_store
from offline_cache.outbox import OUTBOX_FILE, Outbox
from tests.benchmarks.bench_search import STORE, build_cache, typed_queries
from tests.benchmarks.report import Options, Result
from tests.fixtures.product_hits import fake_hit

MILLION = 1_000_000
WIDTH = SIDE_PANEL_WIDTH + 5 * CARD_SIZE.width() + 100  # five cards per row, a 1920 px kiosk screen's share
HEIGHT = 3 * CARD_SIZE.height() + 200
REPEATS = 30
SCROLL_FRAMES = 300
FLING_STEP = 40  # px per frame: a brisk fling at 60 frames a second
MAX_FRAMES = 200  # frames a screen may take to complete before the benchmark calls it a hang
# The cold start: an enrolled kiosk whose central is a closed loopback port, as when the network is down.
UNREACHABLE = "http://127.0.0.1:9"
COLD_STARTS = 3
# Bytecode for the cold starts: the benchmark's own folder, so neither the tree nor the venv is written.
PYCACHE_DIR = Path.home() / ".cache" / "store-kiosk-bench" / "pycache"
BROWSE_ROWS = 10_000
BROWSE_STEP = 10  # rows per scroll step while browsing for the memory figure
SEARCHES = 20
START_TIMEOUT = 900  # seconds for one cold start with its browsing, on a loaded machine


async def _fake_window(key: object, offset: int, limit: int) -> Sequence[ProductHit]:
    shift = _shift(key)
    return [fake_hit(shift + p) for p in range(offset, min(offset + limit, MILLION))]


def _shift(key: object) -> int:
    """Answer ``n`` (see _state) lists other products than answer ``n - 1``: it starts further on."""
    return int(key.text.split()[-1]) * MILLION if isinstance(key, SearchQuery) and key.text else 0


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
    # Each answer lists other products, as a new query would: none of its cards was drawn before.
    query = SearchQuery(text=f"answer {serial}")
    first = tuple(fake_hit(_shift(query) + p) for p in range(FIRST_WINDOW))
    return CatalogState(
        language="cs", currency="CZK", here=STORE, results=Results(query, serial, total, False, first)
    )


def _complete(view: CatalogView) -> int:
    """Runs the event loop until no card on screen is still painted as loading for lack of time in
    its frame (the grid draws those in the next frames); the number of loop turns it took."""
    turns = 0
    while view.grid.deferred_cells and turns < MAX_FRAMES:
        QApplication.processEvents()
        turns += 1
    if view.grid.deferred_cells:
        raise RuntimeError(f"the grid still has {view.grid.deferred_cells} cards to draw after {turns} turns")
    return turns


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

    def p99(self, name: str, target: float | None) -> list[Result]:
        return [
            Result(f"{name} p99", [_percentile(self.wall, 0.99)], "ms", target),
            Result(f"{name} p99 (CPU time)", [_percentile(self.cpu, 0.99)], "ms", target),
        ]


def grid_model_reset(rig: UiRig) -> list[Result]:
    """A new query's answer reaches the grid: model reset plus the view's own handling of it."""
    view = _grid_view()
    first = [fake_hit(p) for p in range(60)]
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
    """From a new state (new results) to the grid's first frame, and on to the frame that shows every
    card (a first frame has only so much time for cards never drawn before; the rest follow)."""
    view = _grid_view()
    first_frame = Timer()
    complete = Timer()
    frames: list[float] = []
    for serial in range(2, REPEATS + 2):
        state = _state(serial, MILLION)
        complete.start()
        first_frame.start()
        view.render_state(state)
        view.grid.viewport().repaint()
        first_frame.stop()
        frames.append(float(_complete(view)))
        complete.stop()
    view.shutdown()
    view.close()
    return [
        *first_frame.results("grid: render new results + first frame at 1M", 16),
        *complete.results("grid: render new results, every card drawn at 1M", 16),
        Result("grid: loop turns until every card of new results is drawn", frames, "turns"),
    ]


def grid_resize(rig: UiRig) -> list[Result]:
    """A width change that changes the number of columns, to the window's complete repaint."""
    view = _grid_view()
    timer = Timer()
    widths = (WIDTH, WIDTH - 2 * CARD_SIZE.width(), WIDTH + CARD_SIZE.width())
    columns: set[int] = set()
    for n in range(REPEATS):
        timer.start()
        view.resize(QSize(widths[n % len(widths)], HEIGHT))
        QApplication.processEvents()  # the relayout and the window's repaint
        _complete(view)
        timer.stop()
        columns.add(view.grid_model.columns)
    view.shutdown()
    view.close()
    assert len(columns) == len(widths), columns  # every step really changed the column count
    return timer.results("grid: resize (columns change) + window repaint at 1M", 16)


def grid_scroll_frames(rig: UiRig) -> list[Result]:
    """Scroll by a page per frame (or jump far), repainting the whole viewport each frame.

    Frames run inside the loop, as paints do in the app (the grid schedules its reads on it), and
    the loop runs 4 ms between frames, so missing windows arrive, and cards are drawn ahead, as they
    would while a finger moves; a frame whose window is still missing paints skeleton cards, and a
    frame out of time for new cards paints the rest as loading (counted here) for the next frames.
    """
    view = _grid_view()
    bar = view.grid.verticalScrollBar()
    pages, jumps = Timer(), Timer()
    skeletons = 0
    deferred: list[float] = []
    step = max(bar.pageStep(), 1)
    targets = random.Random(3)

    async def frames() -> None:
        nonlocal skeletons
        for frame in range(SCROLL_FRAMES):
            # Half the frames move a page, the other half jump far (a fling or a drag of the scroll bar).
            page = frame % 2 == 1
            target = bar.value() + step if page else targets.randrange(bar.maximum())
            timer = pages if page else jumps
            timer.start()
            bar.setValue(min(target, bar.maximum()))
            view.grid.viewport().repaint()
            timer.stop()
            deferred.append(float(view.grid.deferred_cells))
            centre = view.grid.indexAt(view.grid.viewport().rect().center())
            skeletons += int(centre.data(0) is None)
            await asyncio.sleep(0.004)

    rig.loop.run_until_complete(frames())
    view.shutdown()
    view.close()
    both = Timer()
    both.wall, both.cpu = pages.wall + jumps.wall, pages.cpu + jumps.cpu
    cells = view.grid_model.columns * (view.grid.viewport().height() // CARD_SIZE.height() + 2)
    return [
        Result(f"grid: scroll frame (page or jump), {len(both.wall)} frames", both.wall, "ms"),
        *both.p99("grid: scroll frame", 8),
        *pages.p99("grid: scroll frame, page steps only:", 8),
        *jumps.p99("grid: scroll frame, far jumps only:", 8),
        Result("grid: frames whose centre card was still a skeleton", [float(skeletons)], "frames"),
        Result(
            f"grid: cards left as loading per scroll frame (of about {cells} on screen)", deferred, "cards"
        ),
    ]


def grid_fling_frames(rig: UiRig) -> list[Result]:
    """Kinetic scrolling's frames: 40 px per frame. Qt moves the pixels already drawn and repaints
    only the strip that came into view, which is what each frame repaints here."""
    view = _grid_view()
    viewport = view.grid.viewport()
    bar = view.grid.verticalScrollBar()
    timer = Timer()
    deferred = 0

    async def frames() -> None:
        nonlocal deferred
        for _ in range(SCROLL_FRAMES):
            timer.start()
            bar.setValue(min(bar.value() + FLING_STEP, bar.maximum()))
            viewport.repaint(QRect(0, viewport.height() - FLING_STEP, viewport.width(), FLING_STEP))
            timer.stop()
            deferred += int(view.grid.deferred_cells > 0)
            await asyncio.sleep(0.004)

    rig.loop.run_until_complete(frames())
    view.shutdown()
    view.close()
    return [
        Result(f"grid: fling frame ({FLING_STEP} px), {len(timer.wall)} frames", timer.wall, "ms"),
        *timer.p99("grid: fling frame", 8),
        Result("grid: fling frames that left a card as loading", [float(deferred)], "frames"),
    ]


# -- keystroke to repainted results --------------------------------------------------------------------


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
            # After render_state: the frames the person sees, up to the one with every card drawn.
            view.grid.viewport().repaint()
            _complete(view)
            shown_at = time.perf_counter()
            shown.set()

    presenter.state_changed.connect(on_state)
    samples: list[float] = []
    idle: list[float] = []
    for n, text in enumerate(queries):
        expected = clean_text(text)
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
        Result(f"keystroke -> every card repainted at {label}: p95", [_percentile(ms, 0.95)], "ms", 50),
        Result(f"keystroke -> every card repainted at {label} (all {len(ms)})", ms, "ms"),
        Result(f"keystroke -> every card repainted at {label}, facets done", _ms(idle), "ms"),
        Result(f"of which: count + first {FIRST_WINDOW} hits on the reader thread", _ms(reads), "ms"),
    ]


async def _tasks_done() -> None:
    while pending := [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
        await asyncio.wait(pending)


# -- cold start and memory, in a new process ----------------------------------------------------------------

# Run as ``python -c`` so the clock starts before anything is imported; prints one JSON line of
# wall-clock instants (time.time()), CPU seconds and memory. It drives the real KioskApp as `kiosk.app.run`
# builds it: theme, locale, translator, every screen, the data dir opened offline, the catalog read.
_COLD_START = r"""
import time
STARTED = time.time()
import asyncio, gc, json, os, sys
from pathlib import Path
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
import qasync
from kiosk.app import KioskApp
from kiosk.config import Mode, Settings
from kiosk.ui.models.product_card_delegate import CARD_SIZE
from kiosk.ui.screens.catalog.presenter import clean_text
from kiosk.ui.theme import apply_locale, apply_theme
from kiosk.ui.translations import install_translator

marks = {"python": STARTED, "imported": time.time()}
cpu = {"imported": time.process_time()}  # the process's CPU seconds at some of the marks
data_dir, central, location, browse = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "browse"
queries, rows, step = json.loads(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
app = QApplication([sys.argv[0], "-name", "store-kiosk"])
app.setQuitOnLastWindowClosed(False)
apply_theme(app)
apply_locale(None)
translator = install_translator(app, None)
marks["themed"] = time.time()
cpu["themed"] = time.process_time()
# A kiosk resets itself after a quiet spell; nobody touches this one while it is measured.
settings = Settings(
    demo=False, central_url=central, data_dir=data_dir, mode=Mode.KIOSK, location=location, idle_timeout=3600
)
root = KioskApp(settings)
marks["built"] = time.time()
cpu["built"] = time.process_time()


def on_backend_ready():
    # The data dir is open (lock, outbox, cache; an enrolled device links to the central after this): the
    # screens' first cache reads start now.
    if "backend ready" not in marks:
        marks["backend ready"] = time.time()
        cpu["backend ready"] = time.process_time()


root.backend.ready.connect(on_backend_ready)


class Paints(QObject):
    # Paint events of one widget; ``when`` says which one counts (checked as it is painted).
    def __init__(self, name, when):
        super().__init__()
        self.name, self.when = name, when

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and self.name not in marks and self.when():
            marks[self.name] = time.time()
            cpu[self.name] = time.process_time()
        return False


def rss_kb(field="VmRSS:"):
    # VmHWM is this program's peak; getrusage's ru_maxrss would also count the parent's, from before exec.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))


async def until(what, done, timeout=300.0):
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.005)


async def main():
    filters = [
        Paints("first paint", lambda: True),
        Paints("interactive paint", lambda: root.home.state.can_browse and root.screens is not None),
    ]
    # A kiosk shows home while it connects, then its attract screen: whichever is up is painted.
    screens = [view for view in (root.home_view, getattr(root, "attract_view", None)) if view is not None]
    for paints in filters:
        for view in screens:
            view.installEventFilter(paints)
    catalog_paints = Paints(
        "catalog painted",
        lambda: root.screens is not None
        and root.screens.catalog.state.results is not None
        and not root.screens.catalog.state.loading,
    )
    try:
        await root.start()
        await until("the start screen's first paint", lambda: "first paint" in marks)
        await until("the cache read", lambda: root.home.state.can_browse and root.screens is not None)
        for view in screens:
            view.update()  # its next paint, if the one showing the cache came before the screens
        await until("the start screen with the cache", lambda: "interactive paint" in marks)
        marks["interactive cpu"] = time.process_time()
        marks["interactive rss kb"] = rss_kb()
        # The catalog screen is built on its first opening: that is part of the time to its first frame.
        opened = time.time()
        root.open_catalog()
        grid = root.catalog_view.grid
        grid.viewport().installEventFilter(catalog_paints)  # before the loop runs its first paint
        # The first frame with the results, then the frames that draw the cards it had no time for
        # (deferred_cells is counted at the end of each frame): seen within 5 ms.
        await until("the catalog's results painted", lambda: "catalog painted" in marks)
        await until("every card drawn", lambda: grid.deferred_cells == 0)
        marks["catalog complete"] = time.time()
        marks["catalog opened"] = opened
        if browse:
            bar = grid.verticalScrollBar()
            model = root.catalog_view.grid_model
            for _ in range(0, min(rows, model.rowCount()), step):
                bar.setValue(bar.value() + step * CARD_SIZE.height())
                await asyncio.sleep(0.005)
            marks["scrolled rows"] = bar.value() // CARD_SIZE.height()
            marks["scrolled peak rss kb"] = rss_kb("VmHWM:")
            catalog = root.screens.catalog
            for text in queries:
                catalog.type_text(text)
                await until(
                    "search " + text,
                    lambda: catalog.state.results is not None
                    and catalog.state.results.query.text == clean_text(text)
                    and catalog.state.results.facets is not None,
                )
            marks["peak rss kb"] = rss_kb("VmHWM:")
            gc.collect()
            await asyncio.sleep(1.0)
            marks["steady rss kb"] = rss_kb()
    finally:
        root.request_quit()
        await root.shutdown()


asyncio.run(main(), loop_factory=lambda: qasync.QEventLoop(app))
del translator
marks.update({f"{name} cpu": seconds for name, seconds in cpu.items()})
print(json.dumps(marks), flush=True)
"""


def _prepare_data_dir(data_dir: Path) -> None:
    """An enrolled kiosk's files besides its cache: ``device.json`` and an empty outbox."""
    record = DeviceRecord("bench-kiosk-1", "bench-token-" + "0" * 32, "kiosk", STORE, UNREACHABLE)
    device_store(data_dir).save(record)
    Outbox.open(data_dir / OUTBOX_FILE, record.device_id).close()


def _start_env(*, bytecode: bool) -> dict[str, str]:
    """The environment of one cold start.

    With ``bytecode`` modules load from bytecode, as on an installed kiosk (pip, and uv with
    --compile-bytecode, write it at install), kept in PYCACHE_DIR; the first start writes it. Without,
    every module of the app and its libraries is compiled again at each start, which is what
    PYTHONDONTWRITEBYTECODE=1 (set in some dev shells and CI) silently does to every start; the
    standard library keeps the bytecode of its installation.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def _start_once(
    data_dir: Path, queries: list[str], *, browse: bool, bytecode: bool = True
) -> dict[str, float]:
    env = _start_env(bytecode=bytecode)
    spawned = time.time()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _COLD_START,
            str(data_dir),
            UNREACHABLE,
            STORE,
            "browse" if browse else "start",
            json.dumps(queries),
            str(BROWSE_ROWS),
            str(BROWSE_STEP),
        ],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        env=env,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"cold start failed ({done.returncode}):\n{done.stderr[-4000:]}")
    marks: dict[str, float] = json.loads(lines[-1])
    marks["spawned"] = spawned
    return marks


def cold_start(data_dir: Path, products: int, queries: list[str]) -> list[Result]:
    """Process start (before Python, PySide6 or the app is imported) to the home screen's first paint,
    to its first paint with the cache read (interactive: browse and search work), and the catalog's
    first complete frame of all products; then RSS after scrolling 10,000 rows and 20 searches.

    Each start is a new process with bytecode cached, as a kiosk starts after its install; the OS page
    cache holds the cache file (just written): a warm disk. One start before them writes the bytecode
    and is not counted; one after them, without bytecode, shows what compiling every module costs.
    """
    _start_once(data_dir, [], browse=False)
    runs = [_start_once(data_dir, queries, browse=n == COLD_STARTS - 1) for n in range(COLD_STARTS)]
    compiled = _start_once(data_dir, [], browse=False, bytecode=False)
    label = f"{products // 1000:,}k" if products < MILLION else "1M"

    def since_spawn(mark: str) -> list[float]:
        return [(run[mark] - run["spawned"]) * 1000 for run in runs]

    def cpu(mark: str) -> list[float]:
        return [run[f"{mark} cpu"] * 1000 for run in runs]

    last = runs[-1]
    return [
        Result("cold start: python running", since_spawn("python"), "ms"),
        Result("cold start: imports done (PySide6, app)", since_spawn("imported"), "ms"),
        Result("cold start: imports done (CPU time)", cpu("imported"), "ms"),
        Result("cold start: QApplication, theme, locale", since_spawn("themed"), "ms"),
        Result("cold start: app and window built", since_spawn("built"), "ms"),
        Result("cold start: app and window built (CPU time)", cpu("built"), "ms"),
        Result("cold start: first paint (home, connecting)", since_spawn("first paint"), "ms"),
        Result("cold start: first paint (CPU time)", cpu("first paint"), "ms"),
        Result("cold start: data dir and cache open (backend ready)", since_spawn("backend ready"), "ms"),
        Result("cold start: data dir and cache open (CPU time)", cpu("backend ready"), "ms"),
        Result(
            f"cold start -> interactive paint, {label} cache, offline",
            since_spawn("interactive paint"),
            "ms",
            1000,
        ),
        Result(
            "cold start: process CPU time until then",
            [run["interactive cpu"] * 1000 for run in runs],
            "ms",
            1000,
        ),
        Result(
            "cold start -> interactive paint, no bytecode (every module compiled)",
            [(compiled["interactive paint"] - compiled["spawned"]) * 1000],
            "ms",
        ),
        Result(
            "cold start, no bytecode: of which imports done",
            [(compiled["imported"] - compiled["spawned"]) * 1000],
            "ms",
        ),
        Result(
            f"catalog opened -> first frame of {label} products",
            [(run["catalog painted"] - run["catalog opened"]) * 1000 for run in runs],
            "ms",
        ),
        Result(
            f"catalog opened -> every card of {label} products drawn",
            [(run["catalog complete"] - run["catalog opened"]) * 1000 for run in runs],
            "ms",
        ),
        Result("RSS when interactive", [run["interactive rss kb"] / 1024 for run in runs], "MB", 250),
        Result(
            f"RSS peak, after {last['scrolled rows']:,.0f} rows scrolled",
            [last["scrolled peak rss kb"] / 1024],
            "MB",
            250,
        ),
        Result(
            f"RSS peak, after {last['scrolled rows']:,.0f} rows scrolled and {len(queries)} searches",
            [last["peak rss kb"] / 1024],
            "MB",
            250,
        ),
        Result("RSS steady after browsing", [last["steady rss kb"] / 1024], "MB", 250),
    ]


def run(options: Options) -> list[Result]:
    # Qt reads the platform when the application is created: no display is needed.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([])
    apply_theme(app)  # the app's style sheet and palette: what the grid really paints with
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    rig = UiRig(app, loop)
    products = options.products
    try:
        results = [
            *grid_model_reset(rig),
            *grid_first_paint(rig),
            *grid_resize(rig),
            *grid_scroll_frames(rig),
            *grid_fling_frames(rig),
        ]
        with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
            data_dir = Path(tmp)
            build = build_cache(data_dir / CACHE_FILE, products)
            short, two = typed_queries(build.names, random.Random(7))
            queries = short[:60] + two[:40]
            cache = CacheStore.open(data_dir / CACHE_FILE)
            reader = CacheReader(cache)
            try:
                results += loop.run_until_complete(_type(reader, products, queries))
            finally:
                reader.close()
                cache.close()
            _prepare_data_dir(data_dir)
            results += cold_start(data_dir, products, two[:SEARCHES])
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return results
