"""Catalog search benchmarks on a demo cache: bulk ingest, index build, search as you type, browse, facets.

`build_cache` writes a demo catalog straight through `CacheStore` (a first load through the refetch
shadow path, as the puller does it) and is reused by other suites that need a big ``cache.db``.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from central import demo_data, seed
from offline_cache import protocol
from offline_cache.cache_store import TABLE_DDL, CacheStore
from offline_cache.remote import Change, PullPage
from offline_cache.search import CatalogSearch, SearchQuery, words
from tests.benchmarks.report import Options, Result

PAGE = 5000
DELTA = 10_000
SAMPLE = 300  # products whose names become typed queries, and whose GTINs are looked up
STORE = "CZ-PRG-01"
SEED = 42


def read_off_the_wire(stream: str, changes: Sequence[Change]) -> tuple[Change, ...]:
    """``changes`` as the wire parser hands them over: the server's compact layout read by protocol.

    Products then carry their data as text with the indexed members picked out (`JsonText`), as
    they do in a real sync; the cache's ingest is timed on that, not on parsed dicts.
    """
    parts = []
    for c in changes:
        head = b'{"entity":%b,"key":%b,"version":%d,"op":"%b"' % (
            msgspec.json.encode(c.entity),
            msgspec.json.encode(c.key),
            c.version,
            c.op.encode(),
        )
        data = b"}" if c.data is None else b',"data":' + msgspec.json.encode(dict(c.data)) + b"}"
        parts.append(head + data)
    last = max((c.version for c in changes), default=0)
    body = (
        b'{"stream":%b,"changes":[%b],"next_cursor":"v1.%d","has_more":false,"checksum":"","server_version":%d}'
        % (
            msgspec.json.encode(stream),
            b",".join(parts),
            last,
            last,
        )
    )
    return protocol.parse_pull_page(200, {}, body, stream).changes


def product_data(p: demo_data.DemoProduct) -> dict[str, object]:
    """A product's ``data`` as central/seed.py publishes it (the rating is made up: no reviews here)."""
    rng = random.Random(p.sku)
    count = rng.randrange(0, 40)
    return seed.product_data(p, round(rng.uniform(1, 5), 2) if count else 0.0, count)


def category_changes() -> list[Change]:
    return [
        Change(
            "category",
            c.id,
            i + 1,
            "upsert",
            {
                "id": c.id,
                "parent_id": c.parent_id,
                "names": c.names,
                "motif": c.motif,
                "position": c.position,
            },
        )
        for i, c in enumerate(demo_data.categories())
    ]


@dataclass(frozen=True, slots=True)
class Build:
    products: int
    ingest_seconds: float  # applying the shadow pages, products only
    swap_seconds: float  # the last page: swap plus the search index build
    ingest_cpu: float  # the same in this process's CPU time: the machine may be shared
    swap_cpu: float
    names: list[dict[str, str]]  # a sample of product names for realistic queries
    gtins: list[tuple[str, str]]  # (gtin, sku) samples
    delta: list[demo_data.DemoProduct]  # up to 10,000 products to change in the delta benchmark


def _pages(stream: str, changes: Iterator[Change], size: int) -> Iterator[list[Change]]:
    page: list[Change] = []
    for change in changes:
        page.append(change)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def _load(
    cache: CacheStore, stream: str, batches: Iterator[list[Change]]
) -> tuple[float, float, float, float]:
    """A first load through the shadow path: wall and CPU seconds of the page writes, then of the swap."""
    cache.begin_refetch(stream)
    after: str | None = None
    writing = writing_cpu = 0.0
    version = 0
    for page in batches:
        version += len(page)
        cursor = f"v1.{version}"
        started, cpu = time.perf_counter(), time.process_time()
        cache.apply_refetch_page(stream, PullPage(stream, tuple(page), cursor, True, "-", version), after)
        writing += time.perf_counter() - started
        writing_cpu += time.process_time() - cpu
        after = cursor
    started, cpu = time.perf_counter(), time.process_time()
    last = PullPage(stream, (), f"v1.{version + 1}", False, "-", version + 1)
    cache.apply_refetch_page(stream, last, after)
    return writing, time.perf_counter() - started, writing_cpu, time.process_time() - cpu


def build_cache(path: Path, products: int, *, stock_at: str = STORE) -> Build:
    """A ``cache.db`` at ``path``: ``products`` demo products, the categories, stock at ``stock_at``."""
    cache = CacheStore.open(path)
    names: list[dict[str, str]] = []
    gtins: list[tuple[str, str]] = []
    rng = random.Random(SEED)
    location = next(loc for loc in demo_data.locations() if loc.id == stock_at)
    stock: list[tuple[str, int]] = []
    picked = set(rng.sample(range(products), min(DELTA, products)))
    delta: list[demo_data.DemoProduct] = []

    def changes() -> Iterator[Change]:
        yield from category_changes()
        index = 0
        for chunk in demo_data.products(products, SEED):
            for p in chunk:
                if index in picked:
                    delta.append(p)
                index += 1
                if rng.random() < SAMPLE / products:
                    names.append(p.names)
                    gtins.append((p.gtin, p.sku))
                stock.append((p.sku, demo_data.stock_level(p.sku, location, SEED, p.popularity)))
                yield Change("product", p.sku, 1, "upsert", product_data(p))

    # Generating demo products and reading them off the wire is not ingest: time only the page writes.
    pages = (list(read_off_the_wire("catalog", page)) for page in _pages("catalog", changes(), PAGE))
    ingest, swap, ingest_cpu, swap_cpu = _load(cache, "catalog", pages)
    _load(
        cache,
        f"stock:{stock_at}",
        _pages(
            "stock",
            (
                Change("stock", f"{sku}@{stock_at}", 1, "upsert", {"on_hand": level, "reserved": 0})
                for sku, level in stock
            ),
            20_000,
        ),
    )
    cache.close()
    return Build(products, ingest, swap, ingest_cpu, swap_cpu, names, gtins, delta)


FLOOR_ROWS = 20_000


def sqlite_floor(cache: CacheStore, workdir: Path) -> float:
    """SQLite's own rate for the cache's product rows: rows/s of a bare executemany.

    The rows are the cache's own (read back), written as a page write writes them: pages of 5,000,
    one transaction each, into a fresh product table of a fresh WAL file with the cache's
    settings. No Python builds anything: what a full load's ingest can reach at best here.
    """
    rows = cache.reader().execute("SELECT * FROM product LIMIT ?", (FLOOR_ROWS,)).fetchall()
    conn = sqlite3.connect(workdir / "floor.db", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(TABLE_DDL["product"].format(name="product"))
        insert = "INSERT INTO product VALUES (" + ", ".join("?" * len(rows[0])) + ")"
        started = time.perf_counter()
        for start in range(0, len(rows), PAGE):
            conn.execute("BEGIN")
            conn.executemany(insert, rows[start : start + PAGE])
            conn.execute("COMMIT")
        return len(rows) / (time.perf_counter() - started)
    finally:
        conn.close()


def _ms(samples: list[float]) -> list[float]:
    return [s * 1000 for s in samples]


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def typed_queries(names: list[dict[str, str]], rng: random.Random) -> tuple[list[str], list[str]]:
    """Queries as a shopper types them: the first word prefix by prefix (1-5 letters), then two words."""
    short: list[str] = []
    two: list[str] = []
    for entry in names:
        language = rng.choice(sorted(entry))
        found = [w for w in entry[language].split() if any(c.isalpha() for c in w)]
        if not found:
            continue
        first = found[0]
        short += [first[:k] for k in range(1, min(5, len(first)) + 1)]
        if len(found) > 1:
            second = found[1]
            two += [f"{first} {second[:k]}" for k in range(1, min(4, len(second)) + 1)]
    # Some shoppers type without diacritics.
    return short, two + [" ".join(words(q)) for q in two[::3]]


def _timed_search(cache: CacheStore, queries: list[str], language: str = "en") -> list[float]:
    samples = []
    for text in queries:
        search = CatalogSearch(cache)  # no warm ranked-list cache: every keystroke is a new query
        started = time.perf_counter()
        search.search(SearchQuery(text=text, language=language, currency="CZK"), 0, 60, here=STORE)
        samples.append(time.perf_counter() - started)
    return samples


def run(options: Options) -> list[Result]:
    products = options.products
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        path = Path(tmp) / "cache.db"
        build = build_cache(path, products)
        results = [
            Result(
                f"bulk ingest {products:,} products (shadow pages)",
                [products / build.ingest_seconds],
                "products/s",
                target=200_000,
                higher_is_better=True,
            ),
            Result(
                f"bulk ingest {products:,} products, CPU time only",
                [products / build.ingest_cpu],
                "products/s",
                target=200_000,
                higher_is_better=True,
            ),
            Result(f"swap + search index build, {products:,} products", [build.swap_seconds], "s"),
            Result(f"swap + search index build, {products:,} products, CPU", [build.swap_cpu], "s"),
        ]
        cache = CacheStore.open(path)
        try:
            results.append(
                Result(
                    f"... SQLite alone: executemany of {FLOOR_ROWS:,} of those product rows",
                    [sqlite_floor(cache, Path(tmp))],
                    "rows/s",
                )
            )
            results += _query_results(cache, build, products)
            results += _delta(cache, build.delta)
        finally:
            cache.close()
    return results


def _query_results(cache: CacheStore, build: Build, products: int) -> list[Result]:
    rng = random.Random(7)
    short, two = typed_queries(build.names, rng)
    _timed_search(cache, short[:20])  # warm the page cache, as a running app has it
    results: list[Result] = []
    for label, queries in (("1-5 typed characters", short), ("two words", two)):
        samples = _ms(_timed_search(cache, queries))
        results += [
            Result(f"search {label}, {len(samples)} queries: p95", [_percentile(samples, 0.95)], "ms", 30),
            Result(f"search {label}: p99", [_percentile(samples, 0.99)], "ms", 60),
        ]
    search = CatalogSearch(cache)
    browse = []
    for _ in range(50):
        offset = rng.randrange(0, max(1, products - 100))
        started = time.perf_counter()
        result = search.search(SearchQuery(currency="CZK", language="cs"), offset, 100, here=STORE)
        browse.append(time.perf_counter() - started)
        assert len(result.hits) == 100
    results.append(Result("browse all: 100 rows at a random offset", _ms(browse), "ms", 30))
    nodes = [n for n in search.categories("en") if n.product_count > 200]
    in_category = []
    for _ in range(50):
        node = rng.choice(nodes)
        offset = rng.randrange(0, node.product_count - 100)
        started = time.perf_counter()
        result = search.search(SearchQuery(category_id=node.category_id, currency="CZK"), offset, 100)
        in_category.append(time.perf_counter() - started)
        assert len(result.hits) == 100
    results.append(Result("browse a category: 100 rows at a random offset", _ms(in_category), "ms", 30))
    facets = []
    for text in two[:40]:
        fresh = CatalogSearch(cache)
        started = time.perf_counter()
        fresh.facets(SearchQuery(text=text, currency="CZK", in_stock_at=None), here=STORE)
        facets.append(time.perf_counter() - started)
    results.append(Result("facets for a typed query (two words)", _ms(facets), "ms", 60))
    lookups = []
    for gtin, sku in build.gtins[:100]:
        started = time.perf_counter()
        found = search.lookup_code(gtin)
        lookups.append(time.perf_counter() - started)
        assert found == sku, (gtin, found, sku)
    results.append(Result("lookup_code (GTIN-13)", _ms(lookups), "ms", 5))
    started = time.perf_counter()
    search.facets(SearchQuery(currency="CZK"), here=STORE)
    results.append(
        Result("facets for the whole catalog (browse, cold)", _ms([time.perf_counter() - started]), "ms")
    )
    return results


def _delta(cache: CacheStore, picked: list[demo_data.DemoProduct]) -> list[Result]:
    """10,000 product changes in one delta page: prices, renames, popularity moves and tombstones."""
    rng = random.Random(11)
    changes: list[Change] = []
    for n, p in enumerate(picked):
        if n % 50 == 0:
            changes.append(Change("product", p.sku, 10**9, "delete", None))
            continue
        data = product_data(p)
        data["prices"] = {k: v + 100 for k, v in p.prices.items()}
        if n % 10 == 0:
            data["names"] = {k: f"{v} Neo" for k, v in p.names.items()}
        if n % 7 == 0:
            data["popularity"] = rng.randrange(0, 1_000_000)
        changes.append(Change("product", p.sku, 10**9, "upsert", data))
    state = cache.stream("catalog")
    page = PullPage("catalog", read_off_the_wire("catalog", changes), "v1.999999999", False, "-", 10**9)
    started, cpu = time.perf_counter(), time.process_time()
    cache.apply_page("catalog", page, state.cursor)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    label = f"apply a delta of {len(changes):,} product changes (cache + index)"
    return [Result(label, [seconds], "s", 1.5), Result(f"{label}, CPU", [cpu_seconds], "s", 1.5)]
