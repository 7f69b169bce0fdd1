"""Product images for the screens: a size-bounded disk cache in front of the central API, validated bytes."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import re
import struct
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from kiosk.api.errors import CentralError, CentralUnreachable

log = logging.getLogger(__name__)

IMAGE_PATH: Final = re.compile(r"^/v1/images/[A-Za-z0-9._-]{1,40}/[0-3]\.jpg$")
_SUFFIX: Final = ".img"
_TEMP_SUFFIX: Final = ".part"


class ImageSource(Protocol):
    """Where images come from when the disk has none (kiosk.api.images.CentralImages)."""

    async def fetch(self, path: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_disk_bytes: int = 200 * 1024 * 1024  # the whole cache; least recently used files go first
    max_image_bytes: int = 4 * 1024 * 1024
    max_side: int = 4096  # pixels: a bigger picture is no product photo, and would cost memory to decode
    concurrency: int = 4  # downloads at once: a fast scroll must not queue hundreds of requests
    retry_after: float = 60.0  # seconds before a path that failed is asked for again
    max_remembered_failures: int = 10_000


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG or PNG header, without decoding; None when neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    # Walk the JPEG markers to the first start-of-frame, which holds the size.
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        if length < 2:
            return None
        position += 2 + length
    return None


def is_valid_image(data: bytes, limits: ImageLimits | None = None) -> bool:
    """Whether ``data`` is a JPEG or PNG of sensible size that decodes completely (CPU work: off the loop)."""
    limits = limits or ImageLimits()
    if not 0 < len(data) <= limits.max_image_bytes:
        return False
    size = image_dimensions(data)
    # Checked before decoding: a small file can declare a huge picture (a decompression bomb).
    if size is None or not (0 < size[0] <= limits.max_side and 0 < size[1] <= limits.max_side):
        return False
    # Pillow is imported by the first download, on its worker thread: not at start, where disk has them.
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    try:
        with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
    return True


def _file_name(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()[:40] + _SUFFIX


@dataclass(frozen=True, slots=True)
class _Entry:
    size: int


class ProductImages:
    """``await image(path)``: bytes from the disk cache, else downloaded, validated and stored; else None.

    None means "draw the placeholder": unknown path, offline, refused, or not an image. Going offline
    is logged once, not once per card. Files are named by a hash of the path, written whole
    (temp file and rename) so a crash never leaves half an image, and touched on every read so
    eviction can drop the least recently used first once the cache passes its size bound.
    """

    def __init__(
        self,
        source: ImageSource | None,
        directory: Path,
        limits: ImageLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._directory = Path(directory)
        self._limits = limits or ImageLimits()
        self._clock = clock
        self._index: OrderedDict[str, _Entry] | None = None  # file name -> size, least recent first
        self._index_lock = asyncio.Lock()
        self._bytes = 0
        self._semaphore = asyncio.Semaphore(self._limits.concurrency)
        self._downloads: dict[str, asyncio.Future[bytes | None]] = {}  # kept until done: no lost tasks
        self._failed_until: OrderedDict[str, float] = OrderedDict()
        self._offline = False

    def use_source(self, source: ImageSource | None) -> None:
        """The source once the central client exists (None: disk only)."""
        self._source = source

    async def aclose(self) -> None:
        """No more downloads: the running ones are cancelled and waited for, and later asks are
        answered from disk only. Before the HTTP client they read through is closed: a download that
        goes on (they outlive the callers that gave up on them) could still be connecting when the
        client's pool closes, and its connection would be left open with no pool to close it."""
        self._source = None
        running = list(self._downloads.values())
        for download in running:
            download.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    async def image(self, path: str) -> bytes | None:
        if not IMAGE_PATH.match(path):
            return None
        index = await self._loaded_index()
        name = _file_name(path)
        if name in index:
            data = await asyncio.to_thread(self._read, name)
            if data is not None:
                if name in index:
                    index.move_to_end(name)
                return data
            self._forget(name)  # removed behind our back: download it again
        running = self._downloads.get(path)
        if running is None:
            if self._source is None or self._clock() < self._failed_until.get(path, float("-inf")):
                return None
            # A task of its own, shared by every card showing this path: one caller scrolling away
            # (cancelling its wait) neither cancels the download nor starts a second one.
            # The source as it is now: a shutdown or reconnect may swap it before the task runs.
            running = asyncio.ensure_future(self._download(self._source, path, name))
            self._downloads[path] = running
            running.add_done_callback(lambda _done: self._downloads.pop(path, None))
        return await asyncio.shield(running)

    # -- download ---------------------------------------------------------------------------------
    async def _download(self, source: ImageSource, path: str, name: str) -> bytes | None:
        async with self._semaphore:
            try:
                data = await source.fetch(path)
            except CentralUnreachable as exc:
                if not self._offline:
                    log.info("images: central unreachable, showing placeholders (%s)", exc)
                    self._offline = True
                self._remember_failure(path)
                return None
            except CentralError as exc:
                log.warning("images: %s refused: %s", path, exc)
                self._remember_failure(path)
                return None
        if self._offline:
            log.info("images: central reachable again")
            self._offline = False
        if not await asyncio.to_thread(is_valid_image, data, self._limits):
            log.warning("images: %s is not a usable image (%d bytes); not cached", path, len(data))
            self._remember_failure(path)
            return None
        await self._store(name, data)
        return data

    def _remember_failure(self, path: str) -> None:
        self._failed_until[path] = self._clock() + self._limits.retry_after
        self._failed_until.move_to_end(path)
        while len(self._failed_until) > self._limits.max_remembered_failures:
            self._failed_until.popitem(last=False)

    # -- disk -------------------------------------------------------------------------------------
    async def _loaded_index(self) -> OrderedDict[str, _Entry]:
        if self._index is None:
            async with self._index_lock:
                if self._index is None:
                    entries = await asyncio.to_thread(self._scan)
                    self._index = OrderedDict((name, _Entry(size)) for name, size in entries)
                    self._bytes = sum(entry.size for entry in self._index.values())
                    await self._evict()
        return self._index

    def _forget(self, name: str) -> None:
        entry = self._index.pop(name, None) if self._index is not None else None
        if entry is not None:
            self._bytes -= entry.size

    def _scan(self) -> list[tuple[str, int]]:
        """Files already on disk, least recently used first; leftovers of interrupted writes removed."""
        self._directory.mkdir(parents=True, exist_ok=True)
        found: list[tuple[float, str, int]] = []
        for entry in os.scandir(self._directory):
            if entry.name.endswith(_TEMP_SUFFIX):
                Path(entry.path).unlink(missing_ok=True)
            elif entry.name.endswith(_SUFFIX) and entry.is_file():
                stat = entry.stat()
                found.append((stat.st_mtime, entry.name, stat.st_size))
        found.sort()
        return [(name, size) for _, name, size in found]

    def _read(self, name: str) -> bytes | None:
        file = self._directory / name
        try:
            data = file.read_bytes()
            os.utime(file)  # mtime is our access time: noatime mounts never update atime
        except OSError:
            return None
        return data

    async def _store(self, name: str, data: bytes) -> None:
        try:
            await asyncio.to_thread(self._write, name, data)
        except OSError as exc:
            # Disk full or read-only: the picture still shows this once, it just is not kept.
            log.warning("images: could not cache %s: %s", name, exc)
            return
        index = await self._loaded_index()
        self._forget(name)
        index[name] = _Entry(len(data))
        self._bytes += len(data)
        await self._evict()

    def _write(self, name: str, data: bytes) -> None:
        temp = self._directory / (name + _TEMP_SUFFIX)
        temp.write_bytes(data)
        temp.replace(self._directory / name)

    async def _evict(self) -> None:
        index = self._index if self._index is not None else OrderedDict[str, _Entry]()
        doomed: list[str] = []
        while self._bytes > self._limits.max_disk_bytes and index:
            name, entry = index.popitem(last=False)
            self._bytes -= entry.size
            doomed.append(name)
        if doomed:
            await asyncio.to_thread(self._remove, doomed)

    def _remove(self, names: list[str]) -> None:
        for name in names:
            (self._directory / name).unlink(missing_ok=True)
