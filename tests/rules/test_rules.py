"""The shared business rules: GTINs, money allocation, refunds, the pickup machine, passes."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from retail_rules import gtin
from retail_rules.canonical import canonical_json, payload_sha256
from retail_rules.money import Currency, Money, allocate
from retail_rules.pickup import InvalidTransition, PickupEvent, PickupState, next_state
from retail_rules.pickup_pass import InvalidPass, encode_pass, pass_payload, verify_pass
from retail_rules.returns import (
    Disposition,
    ItemCondition,
    ReturnRuleError,
    check_disposition,
    paid_for_units,
    refund_for_line,
    window_open,
)


def test_known_gtins() -> None:
    assert gtin.is_valid("5901234123457")
    assert gtin.is_valid("036000291452")  # UPC-A
    assert gtin.is_valid("96385074")  # EAN-8
    assert not gtin.is_valid("5901234123458")
    assert not gtin.is_valid("59012341234")
    assert not gtin.is_valid("590123412345x")
    assert not gtin.is_valid("５９０１２３４１２３４５７")  # full-width digits are not ASCII


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_make_gtin13_is_always_valid(body: str) -> None:
    code = gtin.make_gtin13(body)
    assert gtin.is_valid(code)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not gtin.is_valid(wrong)


def test_parse_scans() -> None:
    assert gtin.parse_scan("5901234123457").gtin13 == "5901234123457"
    assert gtin.parse_scan("036000291452").gtin13 == "0036000291452"
    scanned = gtin.parse_scan("]C1010590123412345721SER1\x1d10LOT7")
    assert (scanned.gtin13, scanned.serial, scanned.batch) == ("5901234123457", "SER1", "LOT7")
    assert gtin.parse_scan("(01)05901234123457(10)B1").batch == "B1"
    for bad in ("", "hello", "5901234123458", "(01)123", "0112345678901234", "99123"):
        with pytest.raises(gtin.InvalidGtin):
            gtin.parse_scan(bad)


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_allocate_never_loses_a_unit(total: int, weights: list[int]) -> None:
    shares = allocate(total, weights)
    assert sum(shares) == total
    assert all(s >= 0 for s in shares)
    if sum(weights):
        assert all(s == 0 for s, w in zip(shares, weights, strict=True) if w == 0)


def test_money() -> None:
    a = Money(129900, Currency.CZK)
    assert (a + Money(100, Currency.CZK)).minor == 130000
    assert a.as_text() == "1 299.00 CZK"
    with pytest.raises(ValueError, match="cannot mix"):
        _ = a + Money(1, Currency.EUR)


@given(
    st.integers(1, 50).flatmap(
        lambda qty: st.tuples(
            st.just(qty), st.integers(0, 10**7), st.lists(st.integers(1, qty), min_size=1, max_size=qty)
        )
    )
)
def test_partial_refunds_sum_to_what_was_paid(args: tuple[int, int, list[int]]) -> None:
    qty, paid, parts = args
    returned = 0
    refunded = 0
    for part in parts:
        if returned + part > qty:
            with pytest.raises(ReturnRuleError):
                refund_for_line(paid, qty, returned, part)
            continue
        refunded += refund_for_line(paid, qty, returned, part)
        returned += part
    assert refunded == paid_for_units(paid, qty, returned)
    if returned == qty:
        assert refunded == paid


def test_return_rules() -> None:
    with pytest.raises(ReturnRuleError) as err:
        check_disposition(ItemCondition.DAMAGED, Disposition.RESTOCK)
    assert err.value.code == "invalid_disposition"
    check_disposition(ItemCondition.OPENED, Disposition.RESTOCK)
    assert window_open(0.0, 29 * 86400.0)
    assert not window_open(0.0, 31 * 86400.0)
    with pytest.raises(ReturnRuleError):
        refund_for_line(1000, 2, 0, 0)


def test_pickup_happy_path_and_guards() -> None:
    state = PickupState.PLACED
    for event in (PickupEvent.PICKING_STARTED, PickupEvent.PICKED, PickupEvent.STAGED, PickupEvent.READY):
        state = next_state(state, event)
    assert state is PickupState.READY
    assert next_state(state, PickupEvent.CUSTOMER_ARRIVED) is PickupState.READY
    assert (
        next_state(state, PickupEvent.HANDED_OVER, fully_collected=False) is PickupState.PARTIALLY_COLLECTED
    )
    assert next_state(state, PickupEvent.HANDED_OVER, fully_collected=True) is PickupState.COLLECTED
    with pytest.raises(InvalidTransition):
        next_state(PickupState.COLLECTED, PickupEvent.HANDED_OVER)
    with pytest.raises(InvalidTransition):
        next_state(PickupState.PLACED, PickupEvent.READY)


def test_pickup_pass_verifies_offline_and_rejects_forgery() -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    payload = pass_payload("order-1", "CZ00000001", "CZ-PRG-01", 2_000_000_000, "k1")
    text = encode_pass(payload, key.sign(payload))
    parsed = verify_pass(text, {"k1": raw}, now=1_900_000_000)
    assert (parsed.order_id, parsed.store_id) == ("order-1", "CZ-PRG-01")
    other = Ed25519PrivateKey.generate()
    forged = encode_pass(payload, other.sign(payload))
    for bad in (forged, text + "x", "PP1.abc", "hello", text.replace("PP1", "PP2"), "PP1." + "A" * 700):
        with pytest.raises(InvalidPass):
            verify_pass(bad, {"k1": raw})
    with pytest.raises(InvalidPass, match="expired"):
        verify_pass(text, {"k1": raw}, now=2_100_000_000)
    with pytest.raises(InvalidPass, match="unknown signing key"):
        verify_pass(text, {"k2": raw})


def test_canonical_json_is_stable() -> None:
    a = {"b": 1, "a": [1, {"z": "ž", "y": None}]}
    b = {"a": [1, {"y": None, "z": "ž"}], "b": 1}
    assert canonical_json(a) == canonical_json(b) == '{"a":[1,{"y":null,"z":"ž"}],"b":1}'.encode()
    assert payload_sha256(a) == payload_sha256(b)


def test_pickup_code_hash_is_salted_and_strict() -> None:
    from retail_rules.pickup_code import hash_pickup_code, pickup_code_matches

    stored = hash_pickup_code("order-1", "123456")
    assert stored.startswith("scrypt1$")
    assert stored != hash_pickup_code("order-2", "123456")  # per-order salt
    assert pickup_code_matches("order-1", "123456", stored)
    for wrong in ("123457", "12345", "1234567", "12345a", "１２３４５６", ""):
        assert not pickup_code_matches("order-1", wrong, stored)
    assert not pickup_code_matches("order-2", "123456", stored)
    assert not pickup_code_matches("order-1", "123456", None)
    assert not pickup_code_matches("order-1", "123456", "sha256$abc")
