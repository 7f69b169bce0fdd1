"""Product images: HTTP fetch validation, the bounded disk cache, and offline placeholders."""

from __future__ import annotations

import asyncio
import io
import logging
import os
from pathlib import Path

import httpx
import pytest
from PIL import Image

from kiosk.api.errors import CentralFailed, CentralRejected, CentralUnreachable
from kiosk.api.images import CentralImages, ImageTooLarge
from kiosk.services.images import ImageLimits, ProductImages, image_dimensions, is_valid_image


def jpeg(side: int = 64, colour: tuple[int, int, int] = (200, 40, 40), quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(side: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def files(directory: Path) -> dict[str, int]:
    """File name -> size of what is on disk (a plain function: async tests must not block on pathlib)."""
    return {f.name: f.stat().st_size for f in directory.iterdir()}


def path(sku: str, n: int = 0) -> str:
    return f"/v1/images/{sku}/{n}.jpg"


class FakeSource:
    """Serves images from a dict; counts fetches; may be switched offline or made slow."""

    def __init__(self, images: dict[str, bytes] | None = None) -> None:
        self.images = images or {}
        self.fetched: list[str] = []
        self.offline = False
        self.gate: asyncio.Event | None = None
        self.cancelled: list[str] = []
        self.waiting = asyncio.Event()  # set once a fetch waits at the gate

    async def fetch(self, path: str) -> bytes:
        self.fetched.append(path)
        if self.gate is not None:
            self.waiting.set()
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled.append(path)
                raise
        if self.offline:
            raise CentralUnreachable("network down")
        if path not in self.images:
            raise CentralRejected(404, "unknown_sku", path)
        return self.images[path]


# -- validation ------------------------------------------------------------------------------------


def test_dimensions_come_from_the_header() -> None:
    assert image_dimensions(jpeg(40)) == (40, 40)
    assert image_dimensions(png(17)) == (17, 17)
    assert image_dimensions(b"GIF89a....") is None
    assert image_dimensions(b"\xff\xd8\xff") is None


def test_bad_bytes_are_not_images() -> None:
    good = jpeg()
    assert is_valid_image(good)
    assert is_valid_image(png())
    assert not is_valid_image(b"")
    assert not is_valid_image(b"<html>not found</html>")
    assert not is_valid_image(good[: len(good) // 2])  # truncated: the header is fine, decoding is not
    assert not is_valid_image(good, ImageLimits(max_image_bytes=len(good) - 1))
    assert not is_valid_image(jpeg(300), ImageLimits(max_side=256))
    # A header announcing 60000 x 60000 px is refused before anything is decoded.
    bomb = bytearray(jpeg(8))
    sof = bomb.index(b"\xff\xc0")
    bomb[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") * 2
    assert image_dimensions(bytes(bomb)) == (60000, 60000)
    assert not is_valid_image(bytes(bomb))


# -- the HTTP side -----------------------------------------------------------------------------------


def client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://central.test", transport=handler)


async def test_central_images_fetches_the_contract_path() -> None:
    body = jpeg()
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/v1/images/SKU-1/0.jpg":
            return httpx.Response(200, content=body, headers={"content-type": "image/jpeg"})
        return httpx.Response(404, json={"type": "unknown_sku"})

    async with client(httpx.MockTransport(handle)) as http:
        images = CentralImages(http)
        assert await images.fetch(path("SKU-1")) == body
        with pytest.raises(CentralRejected):
            await images.fetch(path("SKU-2"))
        with pytest.raises(CentralFailed):
            await images.fetch("/v1/orders/1")  # not an image path: never requested
    assert seen == ["http://central.test/v1/images/SKU-1/0.jpg", "http://central.test/v1/images/SKU-2/0.jpg"]


async def test_central_images_refuses_wrong_types_and_oversized_bodies() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if "HTML" in request.url.path:
            return httpx.Response(200, content=b"<html/>", headers={"content-type": "text/html"})
        if "BIG" in request.url.path:
            return httpx.Response(200, content=b"\xff" * 5000, headers={"content-type": "image/jpeg"})
        if "DOWN" in request.url.path:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(503)

    async with client(httpx.MockTransport(handle)) as http:
        images = CentralImages(http, max_bytes=1000)
        with pytest.raises(CentralFailed, match="not an image"):
            await images.fetch(path("HTML"))
        with pytest.raises(ImageTooLarge):
            await images.fetch(path("BIG"))
        with pytest.raises(CentralUnreachable):
            await images.fetch(path("DOWN"))
        with pytest.raises(CentralFailed):
            await images.fetch(path("FAIL"))


# -- the disk cache ---------------------------------------------------------------------------------


async def test_downloads_once_then_serves_from_disk(tmp_path: Path) -> None:
    body = jpeg()
    source = FakeSource({path("A"): body})
    images = ProductImages(source, tmp_path / "images")
    assert await images.image(path("A")) == body
    assert await images.image(path("A")) == body
    assert source.fetched == [path("A")]
    # A new service over the same directory (the app restarted, offline) still has it.
    offline = FakeSource()
    offline.offline = True
    again = ProductImages(offline, tmp_path / "images")
    assert await again.image(path("A")) == body
    assert offline.fetched == []
    assert again.cached_bytes == len(body)


async def test_concurrent_requests_share_one_download(tmp_path: Path) -> None:
    source = FakeSource({path("A"): jpeg()})
    source.gate = asyncio.Event()
    images = ProductImages(source, tmp_path)
    waiting = [asyncio.ensure_future(images.image(path("A"))) for _ in range(5)]
    await asyncio.sleep(0.05)
    source.gate.set()
    results = await asyncio.gather(*waiting)
    assert len(set(results)) == 1
    assert results[0] is not None
    assert source.fetched == [path("A")]


async def test_closing_cancels_the_downloads_nobody_waits_for_and_starts_no_more(tmp_path: Path) -> None:
    """At shutdown, before the HTTP client closes: a download outlives the card that asked for it, so
    closing cancels it and waits; after that only the disk answers."""
    body = jpeg()
    source = FakeSource({path("A"): body, path("B"): body})
    images = ProductImages(source, tmp_path)
    assert await images.image(path("B")) == body  # on disk now
    source.gate = asyncio.Event()
    card = asyncio.ensure_future(images.image(path("A")))
    await source.waiting.wait()
    card.cancel()  # scrolled away: the download goes on for the next card that shows it
    await asyncio.sleep(0.01)
    assert source.cancelled == []
    await images.aclose()
    assert source.cancelled == [path("A")]
    assert await images.image(path("A")) is None  # nothing is downloaded any more
    assert await images.image(path("B")) == body
    assert source.fetched == [path("B"), path("A")]


async def test_disk_bound_evicts_least_recently_used(tmp_path: Path) -> None:
    bodies = {path(f"S{i}"): jpeg(48, (i * 40 % 256, 90, 160)) for i in range(6)}
    size = max(len(b) for b in bodies.values())
    source = FakeSource(bodies)
    images = ProductImages(source, tmp_path, ImageLimits(max_disk_bytes=size * 3))
    for i in range(3):
        assert await images.image(path(f"S{i}")) is not None
    assert await images.image(path("S0")) is not None  # S0 used again: S1 is now the oldest
    assert await images.image(path("S3")) is not None
    assert images.cached_bytes <= size * 3
    on_disk = files(tmp_path)
    assert sum(on_disk.values()) == images.cached_bytes
    assert len(on_disk) == 3
    source.fetched.clear()
    assert await images.image(path("S0")) is not None
    assert await images.image(path("S1")) is not None
    assert source.fetched == [path("S1")]  # S0 stayed, S1 had been evicted


async def test_bound_applies_to_what_was_on_disk_at_start(tmp_path: Path) -> None:
    for i in range(5):
        file = tmp_path / f"{i:040d}.img"
        file.write_bytes(b"x" * 1000)
        os.utime(file, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "leftover.img.part").write_bytes(b"half")
    images = ProductImages(None, tmp_path, ImageLimits(max_disk_bytes=2500))
    assert await images.image(path("NONE")) is None
    names = sorted(files(tmp_path))
    assert names == [f"{3:040d}.img", f"{4:040d}.img"]  # the two most recently used
    assert images.cached_bytes == 2000


async def test_bad_bytes_are_rejected_and_not_cached(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = FakeSource({path("BAD"): b"<html>oops</html>", path("CUT"): jpeg()[:200]})
    images = ProductImages(source, tmp_path)
    with caplog.at_level(logging.WARNING):
        assert await images.image(path("BAD")) is None
        assert await images.image(path("CUT")) is None
    assert files(tmp_path) == {}
    assert "not a usable image" in caplog.text
    # A refused path is not asked for again at once (no request per repaint).
    assert await images.image(path("BAD")) is None
    assert source.fetched.count(path("BAD")) == 1


async def test_invalid_paths_are_never_fetched(tmp_path: Path) -> None:
    source = FakeSource()
    images = ProductImages(source, tmp_path)
    for bad in ("", "/etc/passwd", "/v1/images/../../x/0.jpg", "/v1/images/A/9.jpg", "http://evil/x.jpg"):
        assert await images.image(bad) is None
    assert source.fetched == []


async def test_offline_gives_placeholders_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    source = FakeSource({path(f"S{i}"): jpeg() for i in range(20)})
    source.offline = True
    images = ProductImages(source, tmp_path, ImageLimits(retry_after=30), clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="kiosk.services.images"):
        results = [await images.image(path(f"S{i}")) for i in range(20)]
        assert results == [None] * 20
        assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
        assert await images.image(path("S0")) is None
        assert source.fetched.count(path("S0")) == 1  # within retry_after: not asked again
        source.offline = False
        now[0] = 31.0
        assert await images.image(path("S0")) is not None
        assert any("reachable again" in r.getMessage() for r in caplog.records)
