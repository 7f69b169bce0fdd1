"""Fakes and builders for kiosk tests: an enrolment remote, store and catalog changes, a filled cache."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from offline_cache.cache_store import CacheStore
from offline_cache.remote import Change, Enrolment, PullPage, RemoteError, Unauthorized

STORE = {
    "id": "CZ-PRG-01",
    "kind": "store",
    "name": "Praha Můstek",
    "country": "CZ",
    "city": "Praha",
    "address": "Na Příkopě 1",
    "lat": 50.08,
    "lon": 14.42,
    "currency": "CZK",
    "language": "cs",
    "timezone": "Europe/Prague",
}
OTHER_STORE = {**STORE, "id": "PL-WAW-01", "name": "Warszawa Centrum", "city": "Warszawa", "currency": "PLN"}


def location(data: Mapping[str, object], version: int) -> Change:
    return Change("location", str(data["id"]), version, "upsert", dict(data))


def category(key: str, version: int) -> Change:
    return Change("category", key, version, "upsert", {"id": key, "names": {"en": key}})


def product(
    sku: str, version: int, *, popularity: int = 1, price: int = 129900, parent: str | None = None
) -> Change:
    return Change(
        "product",
        sku,
        version,
        "upsert",
        {
            "sku": sku,
            "parent_sku": parent,
            "category_id": "cat-0",
            "brand": "Acme",
            "names": {"en": f"Chair {sku}", "cs": f"Židle {sku}"},
            "prices": {"CZK": price, "PLN": price // 5},
            "rating": {"average": 4.2, "count": 17},
            "images": [f"/v1/images/{sku}/0.jpg"],
            "popularity": popularity,
        },
    )


def catalog(products: int, categories: int, first_version: int = 10) -> list[Change]:
    changes: list[Change] = [category(f"cat-{i}", first_version + i) for i in range(categories)]
    start = first_version + categories
    changes += [product(f"SKU-{i:04d}", start + i, popularity=i) for i in range(products)]
    return changes


def fill(cache: CacheStore, stream: str, changes: Sequence[Change], *, server_version: int = 1000) -> None:
    """Apply ``changes`` to ``stream`` as one page, continuing from the stream's cursor."""
    after = cache.cursor(stream)
    last = max((c.version for c in changes), default=0)
    page = PullPage(stream, tuple(changes), f"v1.{last}", False, "", server_version)
    cache.apply_page(stream, page, after)


@dataclass
class FakeEnrolmentRemote:
    """Enrolment as the central does it: one-time keys, a token per enrolment; or a scripted failure."""

    keys: dict[str, Enrolment] = field(default_factory=dict)
    error: RemoteError | None = None
    token: str | None = None
    enrolments: list[str] = field(default_factory=list)

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        self.enrolments.append(enrolment_key)
        answer = self.keys.pop(enrolment_key, None)
        if answer is None:
            raise Unauthorized(401, "invalid_enrolment_key", "The enrolment key is unknown, used or expired.")
        return answer

    def use_token(self, token: str | None) -> None:
        self.token = token


def enrolment(token: str = "d.token-1", role: str = "kiosk", location_id: str = "CZ-PRG-01") -> Enrolment:
    return Enrolment(device_id="T-0001", token=token, role=role, location_id=location_id)
