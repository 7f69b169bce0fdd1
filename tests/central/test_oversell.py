"""Oversell: 16 terminals ordering at once, 100 rounds, over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from central.db import Database
from central.server import ServerThread
from tests.central.conftest import Central, kiosk_order, new_key, sku_with_stock

TERMINALS = 16
ROUNDS = 100


@pytest.fixture
def live(database: Database) -> Iterator[ServerThread]:
    with ServerThread(database) as server:
        yield server


def place(
    client: httpx.Client, token: str, sku: str, qty: int, barrier: threading.Barrier
) -> tuple[int, int]:
    barrier.wait()  # all terminals press "order" at the same moment
    response = client.post(
        "/v1/orders",
        json=kiosk_order(sku, qty),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": new_key()},
    )
    return response.status_code, qty


@pytest.mark.slow
def test_no_oversell_and_no_undersell(central: Central, live: ServerThread) -> None:
    tokens = [central.device_token("kiosk") for _ in range(TERMINALS)]
    sku = sku_with_stock(central, at_least=0)
    rng = random.Random(1)
    clients = [httpx.Client(base_url=live.url, timeout=30) for _ in range(TERMINALS)]
    accepted_total = 0
    try:
        with ThreadPoolExecutor(TERMINALS) as pool:
            for round_no in range(ROUNDS):
                stock = rng.randint(0, TERMINALS + 4)
                central.set_stock(sku, "CZ-PRG-01", stock)
                multi = round_no % 4 == 3  # every fourth round: 1-3 units per order
                quantities = [rng.randint(1, 3) if multi else 1 for _ in range(TERMINALS)]
                barrier = threading.Barrier(TERMINALS)
                outcomes = list(
                    pool.map(place, clients, tokens, [sku] * TERMINALS, quantities, [barrier] * TERMINALS)
                )
                assert {status for status, _ in outcomes} <= {201, 409}, outcomes
                accepted = sum(q for status, q in outcomes if status == 201)
                on_hand, reserved = central.stock(sku, "CZ-PRG-01")
                assert reserved == accepted <= stock
                assert on_hand - reserved >= 0
                if not multi:
                    # Single units: exactly min(stock, terminals) win; nobody is refused while stock is left.
                    assert accepted == min(stock, TERMINALS)
                else:
                    refused = [q for status, q in outcomes if status == 409]
                    assert all(q > stock - accepted for q in refused)
                accepted_total += accepted
    finally:
        for client in clients:
            client.close()
    assert accepted_total > 0
