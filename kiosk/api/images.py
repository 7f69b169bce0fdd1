"""Product images from the central API (``GET /v1/images/{sku}/{n}.jpg``) over the app's httpx client."""

from __future__ import annotations

import re
from typing import Final

import httpx

from kiosk.api.errors import CentralFailed, CentralRejected, CentralUnreachable

# The only image paths the contract knows; anything else in a product body is not fetched.
IMAGE_PATH: Final = re.compile(r"^/v1/images/[A-Za-z0-9._-]{1,40}/[0-3]\.jpg$")
MAX_IMAGE_BYTES: Final = 4 * 1024 * 1024  # a 1024 px JPEG is far smaller; more is not an image for us
_IMAGE_TYPES: Final = ("image/jpeg", "image/png", "image/webp")


class ImageTooLarge(CentralFailed):
    """The body went past the size limit; the download was abandoned there."""


class CentralImages:
    """Fetches image bytes; validation that they decode is the image service's job."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str | None = None, *, max_bytes: int = MAX_IMAGE_BYTES
    ) -> None:
        self._http = http
        # Without a base URL the client's own is used (the app's client has one).
        self._base_url = base_url.rstrip("/") if base_url else ""
        self._max_bytes = max_bytes

    async def fetch(self, path: str) -> bytes:
        """The image at ``path``; CentralUnreachable when offline, CentralRejected (404) when unknown."""
        if not IMAGE_PATH.match(path):
            raise CentralFailed(f"not an image path of the contract: {path[:80]!r}")
        url = f"{self._base_url}{path}"
        try:
            async with self._http.stream("GET", url, headers={"Accept": ", ".join(_IMAGE_TYPES)}) as response:
                status = response.status_code
                if status == 404:
                    raise CentralRejected(404, "unknown_sku", f"no image at {path}")
                if status != 200:
                    raise CentralFailed(f"GET {path}: unexpected status", status)
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if media_type not in _IMAGE_TYPES:
                    raise CentralFailed(f"GET {path}: not an image ({media_type or 'no content type'})")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise ImageTooLarge(f"GET {path}: {declared} bytes announced")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise ImageTooLarge(f"GET {path}: more than {self._max_bytes} bytes")
                return bytes(body)
        except httpx.TimeoutException as exc:
            raise CentralUnreachable(f"GET {path}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise CentralUnreachable(f"GET {path}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise CentralFailed(f"GET {path}: {type(exc).__name__}: {exc}") from exc
