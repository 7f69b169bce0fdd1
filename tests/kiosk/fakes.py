"""Fakes implementing the app's Protocols (PullSource, EnrolmentRemote, HealthSource) over plain data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from kiosk.api.contract import Change, DeviceEnrolment, Health, PullPage
from kiosk.api.errors import CentralError, CentralUnauthorized

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
    sku: str, version: int, *, popularity: float = 1.0, price: int = 129900, parent: str | None = None
) -> Change:
    return Change(
        "product",
        sku,
        version,
        "upsert",
        {
            "sku": sku,
            "parent_sku": parent,
            "brand": "Acme",
            "names": {"en": f"Chair {sku}", "cs": f"Židle {sku}"},
            "prices": {"CZK": price, "PLN": price // 5},
            "rating": {"average": 4.2, "count": 17},
            "popularity": popularity,
        },
    )


def tombstone(entity: str, key: str, version: int) -> Change:
    return Change(entity, key, version, "delete", None)


@dataclass
class FakeCentral:
    """A scripted central API: streams as lists of changes, paged like the real one by version."""

    streams: dict[str, list[Change]] = field(default_factory=dict)
    valid_tokens: set[str] = field(default_factory=set)
    keys: dict[str, DeviceEnrolment] = field(default_factory=dict)
    health_error: CentralError | None = None
    pull_error: Callable[[str], CentralError | None] = lambda _stream: None
    pull_delay: float = 0.0
    token: str | None = None
    pulls: list[tuple[str, str, int]] = field(default_factory=list)
    enrolments: list[str] = field(default_factory=list)

    @property
    def server_version(self) -> int:
        return max((c.version for changes in self.streams.values() for c in changes), default=0)

    async def health(self) -> Health:
        await asyncio.sleep(0)
        if self.health_error is not None:
            raise self.health_error
        return Health("ok", "0.1.0", 1, self.server_version)

    async def enrol_device(self, key: str, name: str) -> DeviceEnrolment:
        await asyncio.sleep(0)
        self.enrolments.append(key)
        answer = self.keys.pop(key, None)
        if answer is None:
            raise CentralUnauthorized(
                401, "invalid_enrolment_key", "The enrolment key is unknown, used or expired."
            )
        self.valid_tokens.add(answer.token)
        return answer

    def use_token(self, token: str | None) -> None:
        self.token = token

    async def pull(self, stream: str, cursor: str, limit: int) -> PullPage:
        self.pulls.append((stream, cursor, limit))
        await asyncio.sleep(self.pull_delay)
        error = self.pull_error(stream)
        if error is not None:
            raise error
        if self.token not in self.valid_tokens:
            raise CentralUnauthorized(401, "unauthorized", "The token is not valid or has expired.")
        after = int(cursor.rpartition(".")[2] or 0)
        changes = sorted(
            (c for c in self.streams.get(stream, []) if c.version > after), key=lambda c: c.version
        )
        page = changes[:limit]
        next_version = page[-1].version if page else after
        return PullPage(
            stream=stream,
            changes=tuple(page),
            next_cursor=f"v1.{next_version}",
            has_more=len(changes) > limit,
            checksum="crc32:00000000",
            server_version=self.server_version,
        )


def enrolment(
    token: str = "d.token-1", role: str = "kiosk", location_id: str = "CZ-PRG-01"
) -> DeviceEnrolment:
    return DeviceEnrolment(device_id="T-0001", token=token, role=role, location_id=location_id)


def catalog(products: int, categories: int, first_version: int = 10) -> list[Change]:
    changes: list[Change] = [category(f"cat-{i}", first_version + i) for i in range(categories)]
    start = first_version + categories
    changes += [product(f"SKU-{i:04d}", start + i, popularity=float(i)) for i in range(products)]
    return changes


def standard_central(products: int = 25, categories: int = 4) -> FakeCentral:
    return FakeCentral(
        streams={
            "locations": [location(STORE, 1), location(OTHER_STORE, 2)],
            "catalog": catalog(products, categories),
        },
        keys={"KEY-1": enrolment()},
    )


def flatten(groups: Sequence[Sequence[Change]]) -> list[Change]:
    return [c for group in groups for c in group]
