"""Catalog search over ``cache.db``: the search index tables, their upkeep, and as-you-type reads.

The index lives in ``cache.db`` next to the catalog and changes in the same transactions:

- ``search_doc``: one narrow row per product, keyed by a ``docid`` whose order IS the browse order
  (most popular first, then by SKU). A docid is ``class << 30 | slot``: ``class`` is the popularity
  on a log scale (3% steps), and within a class the slots follow (popularity, SKU) exactly. A full
  build leaves 15 free slots after each product; a delta puts a product in the middle of the free
  slots between its neighbours, found by a binary search of the class, and when none are left it
  spreads a small stretch of the class out again (a few products move, never the whole class).
  Full-text hits come back from FTS5 in docid order, so "the most popular N matches" never needs
  a sort.
- ``search_fts``: contentless FTS5 over every language's name and the brand (unicode61 folds case
  and Latin diacritics; `search_text` maps the letters it keeps, such as ł, й and ё).
- ``search_band``: how many products of each scope (all: ``''``, or a category with its
  descendants) lie in each block of 16,384 docids (1,024 products after a full build); a window
  at any row number is found by adding these up, never by an OFFSET scan.
- ``search_prefix``: for every 1 to 3 letter word prefix, the docids of the most popular products
  with a word that starts so, answering the first keystrokes without touching FTS.
- ``search_category``: the category closure (each category with itself and its ancestors).
- ``search_term``: every indexed word, so a typed word of 3+ letters becomes an OR of the words it
  starts (FTS5 merges those lazily; its own prefix expansion reads every doclist in full first).

Delta pages update all of these row by row; a full load (first sync or refetch) builds them in bulk
once, inside the swap's transaction, so readers see the old catalog and index or the new ones.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, Any, Final

from retail_rules.gtin import InvalidGtin, normalise, parse_scan

if TYPE_CHECKING:
    from offline_cache.cache_store import CacheStore

log = logging.getLogger(__name__)

TEXT_CAP: Final = 10_000  # ranked hits a text query lists at most
PREFIX_TOP: Final = 500  # products kept per 1-3 letter prefix
PREFIX_MAX: Final = 3
PREFIX_INDEXED: Final = 2  # FTS5 keeps prefix indexes for 1 and 2 letters (prefix='1 2' below)
MAX_QUERY_CHARS: Final = 200  # typed text beyond this is ignored (a search field, not a document)
MAX_TOKENS: Final = 8
MAX_WINDOW: Final = 1000
MAX_EXPANSION: Final = 64  # terms a typed word may stand for before FTS5 expands the prefix itself
HEAD: Final = 200  # ranked FTS hits read with a text query's count: the first screens need no more
SLOT_BITS: Final = 30
GAP: Final = 16  # slots per product at a full build: room for deltas to land between neighbours
BAND_SHIFT: Final = 14  # a band is 1,024 products' worth of slots
CLASS_COUNT: Final = 1 << 11
_BAND_ROWS_PER_STATEMENT: Final = 250  # band rows one INSERT writes at a full build
BULK_HASH_BYTES: Final = 32 * 1024 * 1024  # FTS5 pending-terms buffer while a full load is indexed
DELTA_HASH_BYTES: Final = 1024 * 1024  # FTS5's default, for delta pages
# Prices the index can filter and band by: one column per currency the chain sells in.
PRICE_COLUMNS: Final[Mapping[str, str]] = {"EUR": "price_eur", "CZK": "price_czk", "PLN": "price_pln"}
# Price band edges in major units; each band is [edge, next edge) in minor units of the currency.
PRICE_EDGES: Final = (0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000)
RATING_STEPS: Final = (4, 3, 2, 1)

# Letters unicode61 keeps as they are although a shopper types them without their mark.
_SPECIAL: Final = (
    ("ł", "l"), ("Ł", "L"), ("й", "и"), ("Й", "И"), ("ё", "е"), ("Ё", "Е"), ("ø", "o"), ("Ø", "O"),
    ("đ", "d"), ("Đ", "D"), ("ї", "і"), ("Ї", "І"), ("ў", "у"), ("Ў", "У"),
)  # fmt: skip
_MARKS: Final = re.compile(
    r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
_WORD: Final = re.compile(r"[^\W_]+")

SEARCH_DDL: Final = (
    "CREATE TABLE search_doc (docid INTEGER PRIMARY KEY, sku TEXT NOT NULL, category_id TEXT, "
    "parent_sku TEXT, brand TEXT, popularity INTEGER NOT NULL, rating REAL NOT NULL, "
    "rating_count INTEGER NOT NULL, price_eur INTEGER, price_czk INTEGER, price_pln INTEGER)",
    "CREATE UNIQUE INDEX search_doc_sku ON search_doc(sku)",
    "CREATE INDEX search_doc_category ON search_doc(category_id, docid)",
    "CREATE INDEX search_doc_brand ON search_doc(brand, docid)",
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', columnsize=0, detail=none, "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2')",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
    "CREATE TABLE search_band (scope TEXT NOT NULL, band INTEGER NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (scope, band)) WITHOUT ROWID",
    "CREATE TABLE search_category (ancestor_id TEXT NOT NULL, category_id TEXT NOT NULL, "
    "PRIMARY KEY (ancestor_id, category_id)) WITHOUT ROWID",
    "CREATE TABLE search_prefix (prefix TEXT PRIMARY KEY, full INTEGER NOT NULL, last INTEGER NOT NULL, "
    "docids BLOB NOT NULL) WITHOUT ROWID",
    # Every word FTS holds (a term left by a deleted product stays: it just matches nothing).
    "CREATE TABLE search_term (term TEXT PRIMARY KEY) WITHOUT ROWID",
)
# The columns `product_columns` adds to a ``product`` row, in this order.
PRODUCT_SEARCH_COLUMNS: Final = (
    "brand",
    "popularity",
    "rating",
    "rating_count",
    "price_eur",
    "price_czk",
    "price_pln",
    "search_text",
)
_DOC_COLUMNS: Final = (
    "docid, sku, category_id, parent_sku, brand, popularity, rating, rating_count, price_eur, price_czk, "
    "price_pln"
)


# -- text ------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics: what a shopper types for what the catalog says ("Židle" -> "zidle")."""
    for letter, plain in _SPECIAL:
        if letter in text:
            text = text.replace(letter, plain)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


def words(text: str) -> list[str]:
    """The folded words of ``text``: letters and digits only, so nothing in them is FTS syntax."""
    return _WORD.findall(fold(text))


def search_text(names: Iterable[str], brand: str | None) -> str:
    """What the FTS index reads for a product; unicode61 folds the rest as it tokenizes."""
    text = " ".join(names)
    if brand:
        text = f"{text} {brand}"
    for letter, plain in _SPECIAL:
        if letter in text:
            text = text.replace(letter, plain)
    return text


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def product_columns(data: Mapping[str, object]) -> tuple[object, ...]:
    """The `PRODUCT_SEARCH_COLUMNS` of one product's data; anything malformed becomes empty, not an error.

    Runs once per product of a full load, so it checks exact types (``type(x) is int`` also keeps
    bools out) rather than going through the slower ABC and union isinstance checks.
    """
    get = data.get
    return product_columns_of(get("brand"), get("popularity"), get("rating"), get("prices"), get("names"))


def product_columns_of(
    brand: object, popularity: object, rating: object, prices: object, names: object
) -> tuple[object, ...]:
    """`product_columns` from the five members it reads (as the wire parser picks them out)."""
    if type(brand) is not str:
        brand = None
    if type(popularity) is not int:
        popularity = 0
    average: object = 0.0
    count: object = 0
    if type(rating) is dict:
        average = rating.get("average")
        average = float(average) if type(average) is float or type(average) is int else 0.0
        count = rating.get("count")
        if type(count) is not int:
            count = 0
    eur = czk = pln = None
    if type(prices) is dict:
        eur, czk, pln = prices.get("EUR"), prices.get("CZK"), prices.get("PLN")
        eur = eur if type(eur) is int else None
        czk = czk if type(czk) is int else None
        pln = pln if type(pln) is int else None
    texts = [v for v in names.values() if type(v) is str] if type(names) is dict else []
    return (brand, popularity, average, count, eur, czk, pln, search_text(texts, brand))


def json_text_sql(data: str, path: str) -> str:
    """SQL for the string at ``path`` of the JSON text ``data``, else NULL (what `type(x) is str` keeps)."""
    return f"CASE WHEN json_type({data}, '{path}') = 'text' THEN json_extract({data}, '{path}') END"


def json_int_sql(data: str, path: str, default: str) -> str:
    """SQL for the integer at ``path`` (never a bool), else ``default``; beyond 64 bits it saturates."""
    return (
        f"CASE WHEN json_type({data}, '{path}') = 'integer' "
        f"THEN CAST(json_extract({data}, '{path}') AS INTEGER) ELSE {default} END"
    )


def popularity_class_sql(popularity: str) -> str:
    """`popularity_class` as an SQL expression over an integer column (no Python call per row).

    The bit lengths are told apart by a binary search of nested CASEs, so a row takes about six
    comparisons; a flat list of 35 WHENs (each clamping the value again) cost a full build 0.1 s
    per 100,000 products every time it was evaluated.
    """
    top = (1 << 40) - 1
    # (values below this bound, the class of such a value): one per bit length, 6 and less first.
    lengths: list[tuple[int, str]] = [(64, f"{CLASS_COUNT - 1} - max({popularity}, 0)")]
    for length in range(7, 41):
        shift = length - 6
        base = 64 + (shift - 1) * 32 - 32
        lengths.append((1 << length, f"{CLASS_COUNT - 1 - base} - ({popularity} >> {shift})"))

    def search(low: int, high: int) -> str:
        if high - low == 1:
            return lengths[low][1]
        middle = (low + high) // 2
        return (
            f"CASE WHEN {popularity} < {lengths[middle - 1][0]} THEN {search(low, middle)} "
            f"ELSE {search(middle, high)} END"
        )

    return f"CASE WHEN {popularity} > {top} THEN {popularity_class(top)} ELSE {search(0, len(lengths))} END"


def _sql(template: str, **parts: str) -> str:
    """A statement from a constant template and fragments built in this module only: column lists,
    ``?`` marks and conditions from `_filters`. Values never go in here; they travel as parameters."""
    return template.format(**parts)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _values(rows: int, columns: int) -> str:
    """``rows`` parenthesised groups of ``columns`` marks, for a multi-row VALUES."""
    return ", ".join(["(" + _marks(columns) + ")"] * rows)


def _rows_in(conn: sqlite3.Connection, template: str, keys: Sequence[str]) -> Iterator[Any]:
    """The rows of ``template`` (a statement ending ``IN ({marks})``) for ``keys``, 500 bound at a time."""
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        yield from conn.execute(_sql(template, marks=_marks(len(chunk))), chunk)


# -- docids and bands ------------------------------------------------------------------------------------


def popularity_class(popularity: int) -> int:
    """0 for the most popular: exact below 64, then 32 steps per doubling (about 3% apart).

    Coarse on purpose: a scope has a band row per class it holds (plus one per 1,024 products of a
    big class), and every browse window adds bands up. Within a class the slots give the exact
    (popularity, SKU) order.
    """
    p = min(max(popularity, 0), (1 << 40) - 1)
    if p < 64:
        rank = p
    else:
        shift = p.bit_length() - 6
        rank = 64 + (shift - 1) * 32 + (p >> shift) - 32
    return CLASS_COUNT - 1 - rank


def _class_range(popularity: int) -> tuple[int, int]:
    """The docids of a popularity class, both ends excluded (slot 0 and the next class's first)."""
    low = popularity_class(popularity) << SLOT_BITS
    return low, low + (1 << SLOT_BITS)


def _band(docid: int) -> int:
    return docid >> BAND_SHIFT


# -- keeping the index ------------------------------------------------------------------------------------


def create_index(conn: sqlite3.Connection) -> None:
    for ddl in SEARCH_DDL:
        conn.execute(ddl)


def _closure(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """Each category's ancestors (itself first); a parent cycle or a missing parent ends the chain."""
    parents: dict[str, str | None] = dict(conn.execute("SELECT category_id, parent_id FROM category"))
    closure: dict[str, tuple[str, ...]] = {}
    for category, first_parent in parents.items():
        chain = [category]
        parent = first_parent
        while parent is not None and parent in parents and parent not in chain:
            chain.append(parent)
            parent = parents[parent]
        closure[category] = tuple(chain)
    return closure


def _rebuild_categories(conn: sqlite3.Connection) -> None:
    """The closure and every band count; run when categories change (they are few, products many)."""
    closure = _closure(conn)
    conn.execute("DELETE FROM search_category")
    conn.executemany(
        "INSERT INTO search_category (ancestor_id, category_id) VALUES (?, ?)",
        [(ancestor, category) for category, chain in closure.items() for ancestor in chain],
    )
    conn.execute("DELETE FROM search_band")
    # One pass in category order hands over each category's bands as one string, counted in C;
    # the counts then go to every scope the category is in. Grouping by (category, band) and then
    # by (scope, band) in SQL sorted a row per product and then one per product and ancestor: 0.35 s
    # per 100,000 products and 1.5 s per million, against about 0.15 s and 0.7 s.
    scopes: dict[str, dict[str, int]] = {"": {}}
    for category_id, bands in conn.execute(
        "SELECT category_id, group_concat(docid >> ?) FROM search_doc INDEXED BY search_doc_category "
        "GROUP BY category_id",
        (BAND_SHIFT,),
    ):
        # The whole catalog, then the category and its ancestors (none when the category is unknown).
        chain = closure.get(category_id, ()) if category_id is not None else ()
        targets = [scopes[""], *(scopes.setdefault(scope, {}) for scope in chain)]
        for band, n in Counter(bands.split(",")).items():
            for counts in targets:
                counts[band] = counts.get(band, 0) + n
    rows: list[tuple[str, int, int]] = []
    for scope, counts in sorted(scopes.items()):
        rows += sorted((scope, int(band), n) for band, n in counts.items())
    # Many rows a statement, in key order: appends to the table's b-tree.
    for start in range(0, len(rows), _BAND_ROWS_PER_STATEMENT):
        chunk = rows[start : start + _BAND_ROWS_PER_STATEMENT]
        conn.execute(
            _sql("INSERT INTO search_band (scope, band, n) VALUES {values}", values=_values(len(chunk), 3)),
            [value for row in chunk for value in row],
        )


_LOAD_COLUMNS: Final = (
    "sku, category_id, parent_sku, brand, popularity, rating, rating_count, price_eur, price_czk, price_pln, "
    "search_text"
)


def rebuild_index(conn: sqlite3.Connection) -> None:
    """Build every search table from the ``product`` and ``category`` tables, in the caller's transaction.

    Used at the swap of a full load. One sorted scan of ``product`` goes to a temporary table in
    docid order; ``search_doc`` and FTS are filled from it by appends (FTS5 writes few, large
    segments when rowids ascend), and the secondary indexes are built after the rows, by sorting.
    """
    for table in ("search_vocab", "search_fts", "search_doc", "temp.search_load"):
        conn.execute(_sql("DROP TABLE IF EXISTS {table}", table=table))
    for table in ("search_band", "search_category", "search_prefix", "search_term"):
        conn.execute(_sql("DELETE FROM {table}", table=table))
    # The temporary copy goes with the connection's temp file: zeroing its freed pages (SQLite is
    # often built with SECURE_DELETE) only made dropping it cost 0.05 s per 100,000 products.
    (secure_delete,) = conn.execute("PRAGMA temp.secure_delete").fetchone()
    conn.execute("PRAGMA temp.secure_delete = 0")
    # Rows are inserted in browse order, so each one's rowid is its rank (1, 2, ...: a new row takes
    # the largest rowid plus one) and both tables below read the copy in rowid order. The one sort:
    # ROW_NUMBER() cost another pass, and ordering by a computed docid column sorted the copy again
    # for each table it filled.
    conn.execute(
        _sql(
            "CREATE TEMP TABLE search_load (rank INTEGER PRIMARY KEY, {c})",
            c=_LOAD_COLUMNS,
        )
    )
    conn.execute(
        _sql(
            "INSERT INTO search_load ({c}) SELECT {c} FROM product ORDER BY popularity DESC, sku",
            c=_LOAD_COLUMNS,
        )
    )
    docid = _sql(
        "(({search_class}) << {bits}) | (rank * {gap})",
        search_class=popularity_class_sql("popularity"),
        bits=str(SLOT_BITS),
        gap=str(GAP),
    )
    conn.execute(SEARCH_DDL[0])
    conn.execute(
        _sql(
            "INSERT INTO search_doc ({c}) SELECT {docid}, sku, category_id, parent_sku, brand, popularity, "
            "rating, rating_count, price_eur, price_czk, price_pln FROM search_load ORDER BY rank",
            c=_DOC_COLUMNS,
            docid=docid,
        )
    )
    for ddl in SEARCH_DDL[1:6]:
        conn.execute(ddl)
    # No incremental merging while a million rows stream in, then one merge into a single segment
    # (about a second at 1M): left unmerged, the first delta page would pay for merging the bulk
    # segments (its FTS deletes took 2.2 s instead of 0.3 s for 2,400 products). Deltas then merge
    # as usual again.
    # A big pending-terms buffer (detail=none doclists are a few bytes a product) makes the bulk
    # insert a few large segments, so the merge after it has little to do. Bounded: it is all RSS.
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)")
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ?)", (BULK_HASH_BYTES,))
    conn.execute(
        _sql(
            "INSERT INTO search_fts (rowid, text) SELECT {docid}, search_text FROM search_load ORDER BY rank",
            docid=docid,
        )
    )
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ?)", (DELTA_HASH_BYTES,))
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4)")
    conn.execute("DROP TABLE temp.search_load")
    conn.execute(_sql("PRAGMA temp.secure_delete = {v}", v=str(int(secure_delete))))
    _rebuild_categories(conn)
    _build_prefixes(conn)


def _prefix_keys(text: str) -> set[str]:
    return _prefix_keys_of(set(words(text)))


def _prefix_keys_of(found: Iterable[str]) -> set[str]:
    keys: set[str] = set()
    for word in found:
        keys.update(word[:k] for k in range(1, min(PREFIX_MAX, len(word)) + 1))
    return keys


def _top(
    conn: sqlite3.Connection, key: str, after: int, limit: int, terms: Sequence[str] | None = None
) -> array[int]:
    """The first ``limit`` docids after ``after`` with a word starting ``key``.

    ``key`` comes from `words`: letters and digits only, so the quoted term is plain text to FTS5.
    Beyond the prefix-indexed lengths the key is asked as an OR of the indexed ``terms`` it
    starts (looked up when not given): FTS5 merges those lazily and stops at ``limit``, where its
    own prefix expansion reads every matching doclist in full (seconds over a swap's thousand keys).
    """
    if len(key) > PREFIX_INDEXED:
        if terms is None:
            terms = [
                t
                for (t,) in conn.execute(
                    "SELECT term FROM search_term WHERE term >= ? AND term < ? LIMIT ?",
                    (key, key + "\U0010ffff", MAX_EXPANSION + 1),
                )
            ]
        expression = (
            " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
            if 0 < len(terms) <= MAX_EXPANSION
            else f'"{key}"*'
        )
    else:
        expression = f'"{key}"*'
    # One JSON array hands the list over as one string, read in C: thousands of lists are built at
    # a swap, and splitting and converting a comma-joined list cost more than reading FTS for it.
    (found,) = conn.execute(
        "SELECT json_group_array(rowid) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
        "AND rowid > ? ORDER BY rowid LIMIT ?)",
        (expression, after, limit),
    ).fetchone()
    return array("q", sorted(json.loads(found)))


def _store_prefix(conn: sqlite3.Connection, key: str, top: array[int]) -> None:
    if top:
        conn.execute(
            "INSERT OR REPLACE INTO search_prefix (prefix, full, last, docids) VALUES (?, ?, ?, ?)",
            (key, len(top) >= PREFIX_TOP, top[-1], top.tobytes()),
        )
    else:
        conn.execute("DELETE FROM search_prefix WHERE prefix = ?", (key,))


def _build_prefixes(conn: sqlite3.Connection) -> None:
    """Every prefix of every indexed word, straight from FTS (each list is a short, ordered read).

    Into ``search_prefix`` as the full build left it, empty: the lists go in with one statement.
    """
    conn.execute("DELETE FROM search_term")
    conn.execute("INSERT INTO search_term (term) SELECT term FROM search_vocab")
    terms = [term for (term,) in conn.execute("SELECT term FROM search_term ORDER BY term")]
    keys = {key for term in terms for key in _prefix_keys(term)}
    rows = []
    for key in sorted(keys):
        start = bisect_left(terms, key)
        top = _top(conn, key, -1, PREFIX_TOP, terms[start : bisect_left(terms, key + "\U0010ffff", start)])
        if top:
            rows.append((key, len(top) >= PREFIX_TOP, top[-1], top.tobytes()))
    conn.executemany("INSERT INTO search_prefix (prefix, full, last, docids) VALUES (?, ?, ?, ?)", rows)


def _update_prefixes(
    conn: sqlite3.Connection, added: Mapping[str, list[int]], removed: Mapping[str, list[int]]
) -> None:
    """Merge a delta's docids into the lists of the prefixes they carry, after FTS has the delta.

    A list that was full and lost members is topped up from FTS past its last docid; a full list
    only takes docids ahead of its last one, since everything after it is not kept.
    """
    for key in added.keys() | removed.keys():
        row = conn.execute("SELECT full, docids FROM search_prefix WHERE prefix = ?", (key,)).fetchone()
        full, old = (bool(row[0]), _unpack(row[1])) if row else (False, array("q"))
        last = old[-1] if full else None
        gone = set(removed.get(key, ()))
        fresh = [d for d in added.get(key, ()) if last is None or d < last]
        members = set(old)
        if not fresh and not (gone & members):
            continue
        # The old list is sorted and the changes few: Timsort merges the two runs in one pass.
        kept = [d for d in old if d not in gone] if gone else old.tolist()
        kept += [d for d in fresh if d not in members or d in gone]
        merged = array("q", sorted(kept))
        del merged[PREFIX_TOP:]
        if full and len(merged) < PREFIX_TOP:
            merged += _top(conn, key, merged[-1] if merged else -1, PREFIX_TOP - len(merged))
        _store_prefix(conn, key, merged)


def _unpack(blob: bytes) -> array[int]:
    docids = array("q")
    docids.frombytes(blob)
    return docids


@dataclass(frozen=True, slots=True)
class _Doc:
    """A product as the index holds it: where it sorts, what FTS has for it, the scopes it counts in."""

    docid: int
    category_id: str | None
    text: str


_INSERT_DOC = _sql("INSERT INTO search_doc ({c}) VALUES ({marks})", c=_DOC_COLUMNS, marks=_marks(11))
_FIRST_FROM = (
    "SELECT docid, popularity, sku FROM search_doc WHERE docid >= ? AND docid < ? ORDER BY docid LIMIT 1"
)
_LAST_UPTO = (
    "SELECT docid, popularity, sku FROM search_doc WHERE docid > ? AND docid <= ? ORDER BY docid DESC LIMIT 1"
)


def _neighbours(conn: sqlite3.Connection, low: int, high: int, key: tuple[int, str]) -> tuple[int, int]:
    """The docids either side of where ``key`` (-popularity, SKU) sorts in the class between ``low``
    and ``high``: the last product before it and the first after it, or the class's ends.

    A binary search over the class's docids, one seek a step: the class is in key order.
    """

    def ahead(row: tuple[int, int, str]) -> bool:
        return (-row[1], row[2]) < key

    first = conn.execute(_FIRST_FROM, (low + 1, high)).fetchone()
    if first is None:
        return low, high
    if not ahead(first):
        return low, first[0]
    last = conn.execute(_LAST_UPTO, (low, high - 1)).fetchone()
    if ahead(last):
        return last[0], high
    # Products up to `ahead_of` sort before the key, those from `behind` on after it; between the
    # two nothing is known. `after` is the first product at or past `behind`.
    ahead_of, behind, after = first[0], last[0], last[0]
    while behind - ahead_of > 1:
        middle = (ahead_of + behind) // 2
        row = conn.execute(_FIRST_FROM, (middle, behind)).fetchone()
        if row is not None and ahead(row):
            ahead_of = row[0]
        else:
            behind = middle
            if row is not None:
                after = row[0]
    return ahead_of, after


def _free_slot(low: int, high: int, before: int, after: int) -> int | None:
    """A docid between ``before`` and ``after`` (products, or the class's ends) with room left either side."""
    if before == low and after == high:
        return low + (1 << (SLOT_BITS - 1))
    if after == high and high - before > GAP:
        return before + GAP
    if before == low and after - low > GAP:
        return after - GAP
    if after - before > 1:
        return (before + after) // 2
    return None


class _Placement:
    """Docids for the products of one delta page, keeping every class in (popularity, SKU) order.

    Works on ``search_doc`` as it is now, so each product is placed among those placed before it.
    Where two neighbours have no free slot between them, a stretch of the class around them is
    spread out again: the products it moves are kept in ``after`` (a product of the page) or
    ``bystanders`` (any other: where it was, its category, where it is now).
    """

    def __init__(self, conn: sqlite3.Connection, after: dict[str, _Doc | None]) -> None:
        self._conn = conn
        self._after = after
        self.bystanders: dict[str, tuple[int, str | None, int]] = {}  # first docid, category, docid now

    def place(self, sku: str, popularity: int, docid: int | None) -> int:
        """The docid for ``sku`` at ``popularity``; its current row (at ``docid``) is deleted first."""
        if docid is not None:
            self._conn.execute("DELETE FROM search_doc WHERE docid = ?", (docid,))
        low, high = _class_range(popularity)
        before, after = _neighbours(self._conn, low, high, (-popularity, sku))
        if docid is not None and before < docid < after:
            return docid
        slot = _free_slot(low, high, before, after)
        return self._spread(low, high, before, after) if slot is None else slot

    def _spread(self, low: int, high: int, before: int, after: int) -> int:
        """Spread the products around ``before`` and ``after`` over a stretch with room for them and one
        more; the stretch grows until a quarter of a gap is left between products. The docid freed
        between the two is returned."""
        conn = self._conn
        width = 8
        while True:
            left = conn.execute(
                "SELECT docid FROM search_doc WHERE docid > ? AND docid <= ? ORDER BY docid DESC LIMIT ?",
                (low, before, width + 1),
            ).fetchall()
            right = conn.execute(
                "SELECT docid FROM search_doc WHERE docid >= ? AND docid < ? ORDER BY docid LIMIT ?",
                (after, high, width + 1),
            ).fetchall()
            start = left.pop()[0] if len(left) > width else low
            end = right.pop()[0] if len(right) > width else high
            count = len(left) + len(right) + 1
            step = min(GAP, (end - start) // (count + 1))
            if step >= GAP // 4 or (start == low and end == high):
                break
            width *= 4
        if start == low and end != high:
            slots = [end - step * (count - i) for i in range(count)]
        else:
            slots = [start + step * (i + 1) for i in range(count)]
        docids = [d for (d,) in reversed(left)] + [-1] + [d for (d,) in right]
        moves = {d: slot for d, slot in zip(docids, slots, strict=True) if d not in (-1, slot)}
        if moves:
            self._move(moves)
        return slots[len(left)]

    def _move(self, moves: Mapping[int, int]) -> None:
        conn = self._conn
        marks = _marks(len(moves))
        rows = conn.execute(
            _sql("SELECT {c} FROM search_doc WHERE docid IN ({marks})", c=_DOC_COLUMNS, marks=marks),
            list(moves),
        ).fetchall()
        conn.execute(_sql("DELETE FROM search_doc WHERE docid IN ({marks})", marks=marks), list(moves))
        conn.executemany(
            _INSERT_DOC,
            [(moves[row[0]], *row[1:]) for row in rows],
        )
        for docid, sku, category_id, *_ in rows:
            doc = self._after.get(sku)
            if doc is not None:
                self._after[sku] = _Doc(moves[docid], doc.category_id, doc.text)
            else:
                first = self.bystanders.get(sku, (docid, category_id, docid))[0]
                self.bystanders[sku] = (first, category_id, moves[docid])


def apply_product_changes(
    conn: sqlite3.Connection, upserts: Sequence[tuple[object, ...]], deletes: Sequence[str]
) -> None:
    """Keep the index in step with a delta page; call BEFORE the page's rows replace the old ones.

    ``upserts`` are ``product`` rows as the cache writes them (sku first, category_id fourth, the
    `PRODUCT_SEARCH_COLUMNS` last). A product whose popularity did not change keeps its docid (a
    price or stock-only edit costs one lookup and one narrow row write); one that arrives or changes
    popularity is placed among its class (`_Placement`). FTS, the bands and the prefix lists then
    follow the difference between each product's docid, text and category before and after.
    """
    skus = [str(row[0]) for row in upserts] + list(deletes)
    if not skus:
        return
    before: dict[str, _Doc] = {}
    was: dict[str, tuple[int, object, object]] = {}  # popularity, brand, parent_sku
    for docid, sku, category_id, text, popularity, brand, parent_sku in _rows_in(
        conn,
        "SELECT d.docid, d.sku, d.category_id, p.search_text, d.popularity, d.brand, d.parent_sku "
        "FROM search_doc AS d JOIN product AS p ON p.sku = d.sku WHERE d.sku IN ({marks})",
        skus,
    ):
        before[sku] = _Doc(docid, category_id, text or "")
        was[sku] = (popularity, brand, parent_sku)
    after: dict[str, _Doc | None] = dict(before)
    placement = _Placement(conn, after)
    # Same place: an UPDATE of plain columns leaves the indexes alone (most deltas are prices). Keyed
    # by SKU until the end, since a crowded stretch may still move the product.
    value_updates: list[tuple[str, tuple[object, ...]]] = []
    full_updates: list[tuple[str, tuple[object, ...]]] = []
    for row in upserts:
        sku, category_id, parent_sku = str(row[0]), row[3], row[2]
        brand, popularity, rating, rating_count, eur, czk, pln, text = row[-8:]
        assert isinstance(popularity, int)
        assert isinstance(text, str)
        category = category_id if isinstance(category_id, str) else None
        values = (popularity, rating, rating_count, eur, czk, pln)
        current = after.get(sku)
        if current is not None and was[sku][0] == popularity:
            if (current.category_id, *was[sku][1:]) == (category, brand, parent_sku):
                value_updates.append((sku, values))
            else:
                full_updates.append((sku, (category, parent_sku, brand, *values)))
            after[sku] = _Doc(current.docid, category, text)
            continue
        docid = placement.place(sku, popularity, None if current is None else current.docid)
        conn.execute(
            _INSERT_DOC,
            (docid, sku, category, parent_sku, brand, *values),
        )
        after[sku] = _Doc(docid, category, text)
    for sku in deletes:
        current = after.get(sku)
        if current is not None:
            conn.execute("DELETE FROM search_doc WHERE docid = ?", (current.docid,))
            after[sku] = None

    def docid_of(sku: str) -> int:
        doc = after[sku]
        assert doc is not None  # upserted, so not deleted: a key appears once per page
        return doc.docid

    conn.executemany(
        "UPDATE search_doc SET popularity = ?, rating = ?, rating_count = ?, price_eur = ?, price_czk = ?, "
        "price_pln = ? WHERE docid = ?",
        [(*values, docid_of(sku)) for sku, values in value_updates],
    )
    conn.executemany(
        "UPDATE search_doc SET category_id = ?, parent_sku = ?, brand = ?, popularity = ?, rating = ?, "
        "rating_count = ?, price_eur = ?, price_czk = ?, price_pln = ? WHERE docid = ?",
        [(*values, docid_of(sku)) for sku, values in full_updates],
    )
    for sku, text in _rows_in(
        conn, "SELECT sku, search_text FROM product WHERE sku IN ({marks})", list(placement.bystanders)
    ):
        first, category_id, docid = placement.bystanders[sku]
        before[sku] = _Doc(first, category_id, text or "")
        after[sku] = _Doc(docid, category_id, text or "")
    _index_differences(conn, before, after)


def _index_differences(
    conn: sqlite3.Connection, before: Mapping[str, _Doc], after: Mapping[str, _Doc | None]
) -> None:
    """FTS, the bands and the prefix lists changed from each product's ``before`` to its ``after``."""
    closure = {c: (*chain, "") for c, chain in _closure_rows(conn).items()}
    bands: dict[tuple[str, int], int] = {}
    added: dict[str, list[int]] = {}
    removed: dict[str, list[int]] = {}
    fts_deletes: list[tuple[int, str]] = []
    fts_inserts: list[tuple[int, str]] = []

    def count(doc: _Doc, step: int) -> None:
        for scope in closure.get(doc.category_id or "", ("",)):
            key = (scope, _band(doc.docid))
            bands[key] = bands.get(key, 0) + step

    # A full list ends at its last docid: a changed product behind it cannot enter or leave it.
    limits: dict[str, int] = dict(conn.execute("SELECT prefix, last FROM search_prefix WHERE full"))

    # A product that moves keeps its text: its old and new docids share one folding of it.
    words_of: dict[str, set[str]] = {}
    keys_of: dict[str, set[str]] = {}

    def touched(doc: _Doc, lists: dict[str, list[int]]) -> None:
        keys = keys_of.get(doc.text)
        if keys is None:
            found = words_of[doc.text] = set(words(doc.text))
            keys = keys_of[doc.text] = _prefix_keys_of(found)
        for key in keys:
            if doc.docid <= limits.get(key, doc.docid):
                lists.setdefault(key, []).append(doc.docid)

    for sku, now in after.items():
        then = before.get(sku)
        if then == now:
            continue
        if then is None or now is None or then.docid != now.docid or then.text != now.text:
            if then is not None:
                fts_deletes.append((then.docid, then.text))
                touched(then, removed)
            if now is not None:
                fts_inserts.append((now.docid, now.text))
                touched(now, added)
        if then is None or now is None or then.docid != now.docid or then.category_id != now.category_id:
            if then is not None:
                count(then, -1)
            if now is not None:
                count(now, 1)
    # In rowid order: FTS5 flushes its pending terms whenever a rowid is not above the last one it
    # took, so unordered rows wrote a tiny segment each (and merged them): 0.6 s for 2,300 deletes.
    fts_deletes.sort()
    fts_inserts.sort()
    # Not even prepared when empty (a price-only page): after a schema change on the connection (a
    # swap renames tables) preparing one reconnects FTS5, which reads its config table again.
    if fts_deletes:
        conn.executemany(
            "INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', ?, ?)", fts_deletes
        )
    if fts_inserts:
        conn.executemany("INSERT INTO search_fts (rowid, text) VALUES (?, ?)", fts_inserts)
    new_terms = set().union(*(words_of[text] for _, text in fts_inserts))
    conn.executemany("INSERT OR IGNORE INTO search_term (term) VALUES (?)", [(t,) for t in new_terms])
    conn.executemany(
        "INSERT INTO search_band (scope, band, n) VALUES (?, ?, ?) "
        "ON CONFLICT (scope, band) DO UPDATE SET n = n + excluded.n",
        [(scope, band, n) for (scope, band), n in bands.items() if n],
    )
    conn.execute("DELETE FROM search_band WHERE n <= 0")
    _update_prefixes(conn, added, removed)


def _closure_rows(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    closure: dict[str, list[str]] = {}
    for ancestor, category in conn.execute("SELECT ancestor_id, category_id FROM search_category"):
        closure.setdefault(category, []).append(ancestor)
    return {category: tuple(chain) for category, chain in closure.items()}


def categories_changed(conn: sqlite3.Connection) -> None:
    """A delta page changed categories: the closure and the per-scope counts follow."""
    _rebuild_categories(conn)


# -- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    category_id: str | None = None  # includes its descendants
    brands: frozenset[str] = frozenset()
    price_min: int | None = None  # minor units of `currency`, inclusive
    price_max: int | None = None  # inclusive
    min_rating: float | None = None
    in_stock_at: str | None = None  # a location id: only products with available > 0 there
    currency: str = "EUR"
    language: str = "en"  # names in this language, falling back to en


@dataclass(frozen=True, slots=True)
class ProductHit:
    sku: str
    name: str
    brand: str
    price_minor: int | None  # in query.currency; None if the product has no price there
    currency: str
    rating_average: float
    rating_count: int
    image: str | None  # the first image path, e.g. "/v1/images/SKU-0000001/0.jpg"
    popularity: int
    available_here: int | None  # available at query.in_stock_at or at `here`; None if unknown
    parent_sku: str | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int  # rows the query matches, capped at `cap` unless it is plain browsing
    capped: bool
    hits: tuple[ProductHit, ...]  # the requested window
    # The most a query lists: TEXT_CAP for text or facet filters, PREFIX_TOP for 1-3 letters,
    # None for plain browsing (all products or a category: every window, uncapped).
    cap: int | None = None


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str  # category id, brand, price band "min-max" (max inclusive; "min-" when open), rating "4"
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    categories: tuple[FacetCount, ...]
    brands: tuple[FacetCount, ...]
    price_bands: tuple[FacetCount, ...]
    ratings: tuple[FacetCount, ...]
    in_stock_here: int | None
    capped: bool = False  # the counts cover only the TEXT_CAP most popular matches


@dataclass(frozen=True, slots=True)
class CategoryNode:
    category_id: str
    parent_id: str | None
    name: str
    position: int
    product_count: int


@dataclass(frozen=True, slots=True)
class _Listing:
    """The ranked rows of a query: explicit docids, an FTS query read window by window, or a scope's
    band counts for plain browsing."""

    total: int
    capped: bool
    cap: int | None
    docids: array[int] | None = None
    scope: str = ""
    bands: tuple[int, ...] = ()
    before: tuple[int, ...] = ()  # rows in the bands ahead of each band
    hits_sql: str = ""  # FTS: the ranked docids; parameters are `hits_params`, then LIMIT and OFFSET
    hits_params: tuple[object, ...] = ()
    head: array[int] | None = None  # FTS: the first HEAD docids, read with the count


@dataclass(frozen=True, slots=True)
class _Plan:
    """A query reduced to what the index can answer: folded words and the filters, validated."""

    words: tuple[str, ...]
    category_id: str | None
    brands: tuple[str, ...]
    price_column: str | None
    price_min: int | None
    price_max: int | None
    min_rating: float | None
    in_stock_at: str | None

    @property
    def filtered(self) -> bool:
        return bool(
            self.brands
            or self.price_min is not None
            or self.price_max is not None
            or self.min_rating is not None
            or self.in_stock_at is not None
        )

    @property
    def short(self) -> bool:
        return len(self.words) == 1 and len(self.words[0]) <= PREFIX_MAX


def _plan(query: SearchQuery) -> _Plan:
    text = query.text[:MAX_QUERY_CHARS] if isinstance(query.text, str) else ""
    found = tuple(dict.fromkeys(w[:64] for w in words(text)))[:MAX_TOKENS]
    brands = tuple(sorted(b for b in query.brands if isinstance(b, str)))
    rating = _number(query.min_rating)
    return _Plan(
        found,
        query.category_id if isinstance(query.category_id, str) else None,
        brands,
        PRICE_COLUMNS.get(query.currency),
        _whole(query.price_min),
        _whole(query.price_max),
        rating if rating is not None and not math.isnan(rating) else None,
        query.in_stock_at if isinstance(query.in_stock_at, str) else None,
    )


def _match(conn: sqlite3.Connection, plan: _Plan) -> str | None:
    """The FTS5 expression: every word as a prefix; None when some word starts no indexed term.

    Words hold letters and digits only (see `words`), so quoted they are plain terms. FTS5 reads a
    prefix query without a prefix index by merging every matching term's whole doclist first
    (30 ms for "plu*" at a million products); an OR of the terms themselves is merged lazily, so
    "the first 200 in docid order" stops early. One and two letters have prefix indexes.
    """
    parts = []
    for word in plan.words:
        if len(word) <= PREFIX_INDEXED:
            parts.append(f'"{word}"*')
            continue
        terms = [
            r[0]
            for r in conn.execute(
                "SELECT term FROM search_term WHERE term >= ? AND term < ? LIMIT ?",
                (word, word[:-1] + chr(ord(word[-1]) + 1), MAX_EXPANSION + 1),
            )
        ]
        if not terms:
            return None
        if len(terms) > MAX_EXPANSION:
            parts.append(f'"{word}"*')
        else:
            parts.append("(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")")
    return " AND ".join(parts)


_KEY: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")  # a language or currency code
_IN_STOCK: Final = (
    "EXISTS (SELECT 1 FROM stock AS s WHERE s.sku = d.sku AND s.location_id = ? AND s.available > 0)"
)


def _filters(plan: _Plan, *, skip: str = "") -> tuple[list[str], list[object]]:
    """SQL conditions on ``search_doc AS d``; ``skip`` leaves one facet's own filter out."""
    where: list[str] = []
    params: list[object] = []
    if plan.category_id is not None and skip != "category":
        where.append("d.category_id IN (SELECT category_id FROM search_category WHERE ancestor_id = ?)")
        params.append(plan.category_id)
    if plan.brands and skip != "brand":
        where.append(f"d.brand IN ({', '.join('?' * len(plan.brands))})")
        params.extend(plan.brands)
    if (plan.price_min is not None or plan.price_max is not None) and skip != "price":
        if plan.price_column is None:
            where.append("0")  # no prices indexed in this currency: nothing is known to be in range
        else:
            if plan.price_min is not None:
                where.append(f"d.{plan.price_column} >= ?")
                params.append(plan.price_min)
            if plan.price_max is not None:
                where.append(f"d.{plan.price_column} <= ?")
                params.append(plan.price_max)
    if plan.min_rating is not None and skip != "rating":
        where.append("d.rating >= ?")
        params.append(plan.min_rating)
    if plan.in_stock_at is not None and skip != "stock":
        where.append(_IN_STOCK)
        params.append(plan.in_stock_at)
    return where, params


def _price_bands() -> list[tuple[int, int | None]]:
    """[low, high] in minor units (high inclusive; None for the open top band)."""
    edges = [edge * 100 for edge in PRICE_EDGES]
    return [(low, high - 1) for low, high in pairwise(edges)] + [(edges[-1], None)]


def _band_case(column: str | None, bands: Sequence[tuple[int, int | None]]) -> str:
    if column is None:
        return "NULL"
    whens = " ".join(f"WHEN d.{column} <= {hi} THEN {i}" for i, (_, hi) in enumerate(bands) if hi is not None)
    return f"CASE WHEN d.{column} IS NULL THEN NULL {whens} ELSE {len(bands) - 1} END"


class CatalogSearch:
    """Search, browse windows, facets and code look-ups; reads through the calling thread's connection.

    Thread-safe: each thread reads through its own connection (``CacheStore.reader``); the small
    cache of recent ranked lists is keyed by the database's data version, so a committed page or
    swap is seen by the next call.
    """

    LISTINGS: Final = 8

    def __init__(self, cache: CacheStore) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._listings: OrderedDict[tuple[object, ...], _Listing] = OrderedDict()

    def _conn(self) -> sqlite3.Connection:
        return self._cache.reader().conn

    # -- ranked lists ------------------------------------------------------------------------------------

    def _version(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        (data_version,) = conn.execute("PRAGMA data_version").fetchone()
        return id(conn), int(data_version), conn.total_changes

    def _listing(self, conn: sqlite3.Connection, plan: _Plan) -> _Listing:
        key = (self._version(conn), plan)
        with self._lock:
            found = self._listings.get(key)
            if found is not None:
                self._listings.move_to_end(key)
                return found
        listing = self._rank(conn, plan)
        with self._lock:
            self._listings[key] = listing
            while len(self._listings) > self.LISTINGS:
                self._listings.popitem(last=False)
        return listing

    def _rank(self, conn: sqlite3.Connection, plan: _Plan) -> _Listing:
        where, params = _filters(plan)
        if not plan.words and not plan.filtered:
            scope = plan.category_id or ""
            found = conn.execute(
                "SELECT band, n FROM search_band WHERE scope = ? ORDER BY band", (scope,)
            ).fetchall()
            bands = tuple(int(band) for band, _ in found)
            before = (0, *accumulate(int(n) for _, n in found))
            return _Listing(before[-1], False, None, scope=scope, bands=bands, before=before[:-1])
        if not plan.words:
            # Brand, price, rating or stock filters without text list at most TEXT_CAP rows like a
            # text query: a stock look-up per product of a million-row catalog takes seconds.
            docids = array("q", (r[0] for r in conn.execute(
                _sql("SELECT d.docid FROM search_doc AS d WHERE {w} ORDER BY d.docid LIMIT ?",
                     w=" AND ".join(where)),
                [*params, TEXT_CAP + 1],
            )))  # fmt: skip
            capped = len(docids) > TEXT_CAP
            return _Listing(min(len(docids), TEXT_CAP), capped, TEXT_CAP, docids[:TEXT_CAP])
        if plan.short:
            top, full = self._prefix(conn, plan.words[0])
            if where and top:
                top = self._filter_docids(conn, top, where, params)
            return _Listing(len(top), full, PREFIX_TOP, top)
        join = (
            _sql("JOIN search_doc AS d ON d.docid = f.rowid AND {w} ", w=" AND ".join(where)) if where else ""
        )
        hits = _sql("SELECT f.rowid FROM search_fts AS f {j}WHERE search_fts MATCH ? ", j=join)
        expression = _match(conn, plan)
        if expression is None:
            return _Listing(0, False, TEXT_CAP)
        hits_params = (*params, expression)
        ranked = hits + "ORDER BY f.rowid LIMIT ? OFFSET ?"
        try:
            # Most typed queries are narrow: the first rows are then the whole answer, read once.
            head = array("q", (r[0] for r in conn.execute(ranked, [*hits_params, HEAD + 1, 0])))
            if len(head) <= HEAD:
                return _Listing(len(head), False, TEXT_CAP, head)
            # Counting in SQLite stops at the cap and hands over one number, not ten thousand rows.
            (found,) = conn.execute(
                _sql("SELECT count(*) FROM ({hits}LIMIT ?)", hits=hits), [*hits_params, TEXT_CAP + 1]
            ).fetchone()
        except sqlite3.OperationalError:
            # `words` leaves only letters and digits, so this is a tokenizer disagreement on some
            # exotic character: no hits, never an error on the screen.
            log.warning("search: FTS refused %r", expression, exc_info=True)
            return _Listing(0, False, TEXT_CAP)
        return _Listing(
            min(found, TEXT_CAP),
            found > TEXT_CAP,
            TEXT_CAP,
            hits_sql=ranked,
            hits_params=hits_params,
            head=head[:HEAD],
        )

    def _prefix(self, conn: sqlite3.Connection, word: str) -> tuple[array[int], bool]:
        row = conn.execute("SELECT full, docids FROM search_prefix WHERE prefix = ?", (word,)).fetchone()
        return (array("q"), False) if row is None else (_unpack(row[1]), bool(row[0]))

    def _filter_docids(
        self, conn: sqlite3.Connection, docids: array[int], where: list[str], params: list[object]
    ) -> array[int]:
        marks = _marks(len(docids))
        return array("q", (r[0] for r in conn.execute(
            _sql(
                "SELECT d.docid FROM search_doc AS d WHERE d.docid IN ({marks}) AND {w} ORDER BY d.docid",
                marks=marks,
                w=" AND ".join(where),
            ),
            [*docids, *params],
        )))  # fmt: skip

    def _window(self, conn: sqlite3.Connection, listing: _Listing, offset: int, limit: int) -> list[int]:
        if listing.docids is not None:
            return list(listing.docids[offset : offset + limit])
        if offset >= listing.total or limit <= 0:
            return []
        if listing.head is not None and offset + limit <= len(listing.head):
            return list(listing.head[offset : offset + limit])
        if listing.hits_sql:
            window = [*listing.hits_params, min(limit, listing.total - offset), offset]
            return [r[0] for r in conn.execute(listing.hits_sql, window)]
        # The band holding row `offset`, and the last band needed to fill the window.
        first = bisect_right(listing.before, offset) - 1
        last = max(first, bisect_right(listing.before, offset + limit - 1) - 1)
        low = listing.bands[first] << BAND_SHIFT
        high = ((listing.bands[last] + 1) << BAND_SHIFT) - 1
        skip = offset - listing.before[first]
        if listing.scope == "":
            sql = "SELECT docid FROM search_doc WHERE docid BETWEEN ? AND ? ORDER BY docid LIMIT ? OFFSET ?"
            params: list[object] = [low, high, limit, skip]
        else:
            sql = (
                "SELECT docid FROM search_doc INDEXED BY search_doc_category WHERE category_id IN "
                "(SELECT category_id FROM search_category WHERE ancestor_id = ?) AND docid BETWEEN ? AND ? "
                "ORDER BY docid LIMIT ? OFFSET ?"
            )
            params = [listing.scope, low, high, limit, skip]
        return [r[0] for r in conn.execute(sql, params)]

    # -- the API -------------------------------------------------------------------------------------------

    def search(self, query: SearchQuery, offset: int, limit: int, *, here: str | None = None) -> SearchResult:
        """The window [offset, offset + limit) of the query's ranked rows (most popular first)."""
        offset = max(0, _whole(offset) or 0)
        limit = min(max(0, _whole(limit) or 0), MAX_WINDOW)
        conn = self._conn()
        plan = _plan(query)
        listing = self._listing(conn, plan)
        docids = self._window(conn, listing, offset, limit)
        location = plan.in_stock_at or (here if isinstance(here, str) else None)
        hits = self._hits(conn, "d.docid", docids, query.language, query.currency, location)
        return SearchResult(listing.total, listing.capped, hits, listing.cap)

    def count(self, query: SearchQuery) -> int:
        return self._listing(self._conn(), _plan(query)).total

    def hits_for(
        self,
        skus: Sequence[str],
        *,
        language: str = "en",
        currency: str = "EUR",
        here: str | None = None,
    ) -> tuple[ProductHit, ...]:
        """Cards for these SKUs in this order (the bag, a product's variants); unknown ones are left out."""
        wanted = list(dict.fromkeys(s for s in skus if isinstance(s, str)))
        return self._hits(self._conn(), "d.sku", wanted, language, currency, here)

    def _hits(
        self,
        conn: sqlite3.Connection,
        column: str,
        keys: Sequence[int] | Sequence[str],
        language: str,
        currency: str,
        location: str | None,
    ) -> tuple[ProductHit, ...]:
        # One json_extract with several paths parses a product's data once, in C: a card needs
        # four members of a JSON text that is mostly descriptions and specs.
        language = language if isinstance(language, str) and _KEY.match(language) else "en"
        known = isinstance(currency, str) and _KEY.match(currency)
        price_path = '$.prices."' + currency + '"' if known else '$.prices.""'
        paths = ('$.names."' + language + '"', '$.names."en"', "$.images[0]", price_path)
        found: dict[object, ProductHit] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = _marks(len(chunk))
            rows = conn.execute(
                _sql(
                    "SELECT d.docid, d.sku, d.brand, d.popularity, d.rating, d.rating_count, d.parent_sku, "
                    "json_extract(p.data, ?, ?, ?, ?), s.available FROM search_doc AS d "
                    "JOIN product AS p ON p.sku = d.sku "
                    "LEFT JOIN stock AS s ON s.sku = d.sku AND s.location_id = ? WHERE {column} IN ({marks})",
                    column=column,
                    marks=marks,
                ),
                [*paths, location, *chunk],
            )
            for docid, sku, brand, popularity, rating, rating_count, parent, extract, available in rows:
                name, english, image, price = _card(extract)
                found[docid if column == "d.docid" else sku] = ProductHit(
                    sku=sku,
                    name=name or english or sku,
                    brand=brand or "",
                    price_minor=price,
                    currency=currency,
                    rating_average=float(rating),
                    rating_count=int(rating_count),
                    image=image,
                    popularity=int(popularity),
                    available_here=available if type(available) is int else None,
                    parent_sku=parent,
                )
        return tuple(found[k] for k in keys if k in found)

    def facets(self, query: SearchQuery, *, here: str | None = None) -> Facets:
        """Counts per category (with descendants), brand, price band, rating step and "in stock here".

        Each facet counts with every other filter applied but not its own, so a shopper sees what
        choosing another brand would give. For a text query the counts cover its listed hits (the
        TEXT_CAP most popular matches); ``in_stock_here`` is for ``query.in_stock_at`` or ``here``.
        """
        conn = self._conn()
        plan = _plan(query)
        location = plan.in_stock_at or (here if isinstance(here, str) else None)
        bands = _price_bands()
        source, source_params, capped = self._facet_source(conn, plan)
        # One grouped read; the per-facet "all filters but mine" logic then runs over the groups.
        price_ok, price_params = _filters(
            _Plan((), None, (), plan.price_column, plan.price_min, plan.price_max, None, None)
        )
        rating_ok, rating_params = _filters(_Plan((), None, (), None, None, None, plan.min_rating, None))
        params: list[object] = [*price_params, *rating_params]
        stocked = "0"
        if location is not None:
            stocked = _IN_STOCK
            params.append(location)
        rows = conn.execute(
            _sql(
                "SELECT d.category_id, d.brand, {band}, CAST(d.rating AS INTEGER), {price}, {rating}, "
                "{stocked}, COUNT(*) FROM {source} GROUP BY 1, 2, 3, 4, 5, 6, 7",
                band=_band_case(plan.price_column, bands),
                price=" AND ".join(price_ok) or "1",
                rating=" AND ".join(rating_ok) or "1",
                stocked=stocked,
                source=source,
            ),
            [*params, *source_params],
        ).fetchall()
        in_category = None
        if plan.category_id is not None:
            in_category = {
                r[0]
                for r in conn.execute(
                    "SELECT category_id FROM search_category WHERE ancestor_id = ?", (plan.category_id,)
                )
            }
        closure = _closure_rows(conn)
        tally = _FacetTally()
        brands = set(plan.brands)
        for category_id, brand, band, stars, price_passes, rating_passes, in_stock, n in rows:
            # A facet counts a group when every OTHER filter passes: with no failure all facets
            # count it, with exactly one failure only the failing facet does, with more none.
            failed = [
                facet
                for facet, ok in (
                    ("category", in_category is None or category_id in in_category),
                    ("brand", not brands or brand in brands),
                    ("price", price_passes),
                    ("rating", rating_passes),
                    ("stock", plan.in_stock_at is None or in_stock),
                )
                if not ok
            ]
            if len(failed) > 1:
                continue
            counts = failed or ("category", "brand", "price", "rating", "stock")
            if "category" in counts and isinstance(category_id, str):
                for ancestor in closure.get(category_id, (category_id,)):
                    tally.categories[ancestor] = tally.categories.get(ancestor, 0) + n
            if "brand" in counts and isinstance(brand, str):
                tally.brands[brand] = tally.brands.get(brand, 0) + n
            if "price" in counts and isinstance(band, int):
                tally.prices[band] = tally.prices.get(band, 0) + n
            if "rating" in counts and isinstance(stars, int):
                tally.stars[stars] = tally.stars.get(stars, 0) + n
            if "stock" in counts and in_stock:
                tally.in_stock += n
        names = self._category_names(conn, query.language)
        if not plan.words and not plan.filtered:
            # Plain browsing: every category's exact count is in the band table already.
            tally.categories = {
                scope: int(n)
                for scope, n in conn.execute(
                    "SELECT scope, SUM(n) FROM search_band WHERE scope != '' GROUP BY scope"
                )
            }
        return Facets(
            categories=tuple(FacetCount(c, names.get(c, c), n) for c, n in _by_count(tally.categories)),
            brands=tuple(FacetCount(b, b, n) for b, n in _by_count(tally.brands)),
            price_bands=tuple(
                FacetCount(_band_value(bands[i]), _price_label(bands[i], query.currency), n)
                for i, n in sorted(tally.prices.items())
            ),
            ratings=tuple(
                FacetCount(str(step), f"{step}+", total)
                for step in RATING_STEPS
                if (total := sum(n for stars, n in tally.stars.items() if stars >= step))
            ),
            in_stock_here=tally.in_stock if location is not None else None,
            capped=capped,
        )

    def _facet_source(self, conn: sqlite3.Connection, plan: _Plan) -> tuple[str, list[object], bool]:
        """``FROM`` text for the rows facets count, and whether they are only the first TEXT_CAP.

        A text query counts its listed hits. Browsing counts the TEXT_CAP most popular products
        of the category (or of the catalog): a million-row GROUP BY with a stock look-up per row
        takes seconds, which a screen cannot wait for on every tap.
        """
        base = _Plan(
            plan.words, None if plan.words else plan.category_id, (), plan.price_column, *(None,) * 4
        )
        listing = self._listing(conn, base)
        if listing.hits_sql:
            return (
                _sql("({hits}) AS h JOIN search_doc AS d ON d.docid = h.rowid", hits=listing.hits_sql),
                [*listing.hits_params, listing.total, 0],
                listing.capped,
            )
        docids = self._window(conn, listing, 0, TEXT_CAP) if listing.docids is None else listing.docids
        ids = json.dumps(list(docids))
        capped = listing.capped or listing.total > TEXT_CAP
        return "json_each(?) AS h JOIN search_doc AS d ON d.docid = h.value", [ids], capped

    def lookup_code(self, code: str) -> str | None:
        """The SKU a scanned or typed GTIN-8/12/13/14 (UPC-A, GS1 element strings too) or SKU names."""
        text = code.strip()
        # GS (FNC1) separates the fields of a scanned GS1 element string; nothing else unprintable.
        if not text or len(text) > 100 or not text.replace("\x1d", "").isprintable():
            return None
        conn = self._conn()
        row = conn.execute("SELECT sku FROM product WHERE sku = ?", (text,)).fetchone()
        if row is not None:
            return str(row[0])
        try:
            full = normalise(text) if text.isdigit() else normalise(parse_scan(text).gtin13)
        except InvalidGtin:
            return None
        # The catalog may hold a GTIN as 8, 12, 13 or 14 digits: ask for every form it can have.
        forms = {full, full[1:]}
        if full.startswith("00"):
            forms.add(full[2:])
        if full.startswith("000000"):
            forms.add(full[6:])
        marks = _marks(len(forms))
        row = conn.execute(
            _sql("SELECT sku FROM product WHERE gtin IN ({marks}) ORDER BY sku LIMIT 1", marks=marks),
            sorted(forms),
        ).fetchone()
        return None if row is None else str(row[0])

    def categories(self, language: str) -> tuple[CategoryNode, ...]:
        """The category tree depth first (siblings by position), with product counts including descendants."""
        conn = self._conn()
        counts = dict(
            conn.execute("SELECT scope, SUM(n) FROM search_band WHERE scope != '' GROUP BY scope").fetchall()
        )
        nodes: dict[str, CategoryNode] = {}
        children: dict[str | None, list[CategoryNode]] = {}
        for category_id, parent_id, data in conn.execute("SELECT category_id, parent_id, data FROM category"):
            info = _loads(data)
            position = _whole(info.get("position")) or 0
            node = CategoryNode(
                category_id, parent_id, _name(info.get("names"), language, category_id), position,
                int(counts.get(category_id, 0)),
            )  # fmt: skip
            nodes[category_id] = node
        for node in nodes.values():
            parent = node.parent_id if node.parent_id in nodes else None
            children.setdefault(parent, []).append(node)
        ordered: list[CategoryNode] = []
        seen: set[str] = set()
        stack = sorted(children.get(None, []), key=lambda n: (n.position, n.category_id), reverse=True)
        while stack:
            node = stack.pop()
            if node.category_id in seen:
                continue
            seen.add(node.category_id)
            ordered.append(node)
            below = sorted(children.get(node.category_id, []), key=lambda n: (n.position, n.category_id))
            stack.extend(reversed(below))
        return tuple(ordered)

    def _category_names(self, conn: sqlite3.Connection, language: str) -> dict[str, str]:
        return {
            category_id: _name(_loads(data).get("names"), language, category_id)
            for category_id, data in conn.execute("SELECT category_id, data FROM category")
        }


def _loads(data: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _name(names: object, language: str, fallback: str) -> str:
    if isinstance(names, Mapping):
        for choice in (language, "en"):
            value = names.get(choice)
            if isinstance(value, str) and value:
                return value
        for value in names.values():
            if isinstance(value, str) and value:
                return value
    return fallback


@dataclass(slots=True)
class _FacetTally:
    categories: dict[str, int] = field(default_factory=dict)
    brands: dict[str, int] = field(default_factory=dict)
    prices: dict[int, int] = field(default_factory=dict)
    stars: dict[int, int] = field(default_factory=dict)
    in_stock: int = 0


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _band_value(band: tuple[int, int | None]) -> str:
    low, high = band
    return f"{low}-" if high is None else f"{low}-{high}"


def _price_label(band: tuple[int, int | None], currency: str) -> str:
    low, high = band
    if high is None:
        return f"{low // 100:,}+ {currency}"
    return f"{low // 100:,}–{(high + 1) // 100:,} {currency}"


def _card(extract: object) -> tuple[str | None, str | None, str | None, int | None]:
    """(name in the language, English name, first image, price) from the json_extract array."""
    values = _loads_list(extract) if isinstance(extract, str) else []
    if len(values) != 4:
        return None, None, None, None
    name, english, image, price = values
    return (
        name if type(name) is str and name else None,
        english if type(english) is str and english else None,
        image if type(image) is str else None,
        price if type(price) is int else None,
    )


def _loads_list(text: str) -> list[object]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if type(value) is list else []


MAX_ELSEWHERE_SKUS: Final = 200  # a screenful of cards is far fewer


def available_elsewhere(cache: CacheStore, skus: Sequence[str], here: str) -> frozenset[str]:
    """Of ``skus``, those available (on hand less reserved) at some location other than ``here``.

    For the few cards on screen, not for listings: one probe of stock's (sku, location_id) primary key
    per SKU, through the calling thread's connection. At most MAX_ELSEWHERE_SKUS are looked at.
    """
    wanted = list(dict.fromkeys(sku for sku in skus if isinstance(sku, str)))[:MAX_ELSEWHERE_SKUS]
    if not wanted:
        return frozenset()
    marks = ",".join("?" * len(wanted))
    rows = cache.reader().conn.execute(
        f"SELECT DISTINCT sku FROM stock WHERE sku IN ({marks}) AND location_id <> ? AND available > 0",  # noqa: S608
        (*wanted, here),
    )
    return frozenset(sku for (sku,) in rows)
