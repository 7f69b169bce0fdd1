"""Request bodies of contract v1 as pydantic models: unknown fields and bad values refused."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from retail_rules.pickup import PickupEvent
from retail_rules.returns import Disposition, ItemCondition, RefundMethod, ReturnReason

# Printable text only: control characters (NUL above all) never reach the database.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
Id = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._@:-]+$")]
Uuid = Annotated[
    str,
    StringConstraints(
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=80, pattern=_PRINTABLE, strip_whitespace=True)
]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=_PRINTABLE)]
Quantity = Annotated[int, Field(ge=1, le=999)]
Minor = Annotated[int, Field(ge=0, le=10**11)]
Seq = Annotated[int, Field(ge=1, le=2**53)]

MAX_PUSH_ACTIONS = 50


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class DeviceEnrolment(Strict):
    enrolment_key: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_PRINTABLE)]
    device_name: Name = "terminal"


class AssociateSignIn(Strict):
    badge: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_PRINTABLE)] | None = None
    employee_id: Id | None = None
    pin: Annotated[str, StringConstraints(min_length=4, max_length=8, pattern=r"^[0-9]+$")] | None = None

    @model_validator(mode="after")
    def _one_method(self) -> AssociateSignIn:
        by_badge = self.badge is not None
        by_pin = self.employee_id is not None or self.pin is not None
        if by_badge == by_pin or (by_pin and (self.employee_id is None or self.pin is None)):
            raise ValueError("give either badge, or employee_id together with pin")
        return self


class Customer(Strict):
    first_name: Name
    last_name: Name | None = None
    email: (
        Annotated[
            str,
            StringConstraints(
                max_length=120, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
            ),
        ]
        | None
    ) = None
    phone: Annotated[str, StringConstraints(max_length=20, pattern=r"^\+?[0-9][0-9 ]{5,18}$")] | None = None


Fulfilment = Literal["take_now", "pickup_here", "pickup_other_store", "ship_to_home"]
OrderKind = Literal["endless_aisle", "kiosk_request", "bopis", "curbside", "ship"]
PaymentMethod = Literal["pay_at_till", "card_present", "paid_online"]


class OrderLineIn(Strict):
    sku: Id
    qty: Quantity
    location_id: Id
    fulfilment: Fulfilment
    quoted_unit_price: Minor | None = None


class OrderCreate(Strict):
    order_id: Uuid
    store_id: Id
    kind: OrderKind
    customer: Customer
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=50)]
    payment_method: PaymentMethod
    promotion_discount: Minor = 0
    pickup_store_id: Id | None = None
    note: ShortText | None = None


class LineQty(Strict):
    line_no: Annotated[int, Field(ge=1, le=50)]
    qty: Annotated[int, Field(ge=0, le=999)]


class Parcel(Strict):
    parcel_id: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
    line_nos: Annotated[list[Annotated[int, Field(ge=1, le=50)]], Field(min_length=1, max_length=50)]


class Override(Strict):
    supervisor_id: Id
    reason: Annotated[str, StringConstraints(min_length=3, max_length=200, pattern=_PRINTABLE)]


class PickupEventIn(Strict):
    event: PickupEvent
    lines: Annotated[list[LineQty], Field(max_length=50)] | None = None
    bin: Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=_PRINTABLE)] | None = None
    parcels: Annotated[list[Parcel], Field(min_length=1, max_length=20)] | None = None
    parking_spot: (
        Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=_PRINTABLE)] | None
    ) = None
    method: Literal["pass", "code", "id_check"] | None = None
    pickup_pass: Annotated[str, StringConstraints(max_length=600, pattern=_PRINTABLE)] | None = None
    code: Annotated[str, StringConstraints(min_length=4, max_length=12, pattern=r"^[0-9]+$")] | None = None
    parcels_scanned: (
        Annotated[
            list[Annotated[str, StringConstraints(max_length=40, pattern=_PRINTABLE)]], Field(max_length=20)
        ]
        | None
    ) = None
    collected_by: Name | None = None
    override: Override | None = None


class PickupEventAction(PickupEventIn):
    """A pickup event as an action in a push: it names its order."""

    order_id: Uuid


class ReturnLineIn(Strict):
    line_no: Annotated[int, Field(ge=1, le=50)]
    qty: Quantity
    reason: ReturnReason
    condition: ItemCondition
    disposition: Disposition


class ReturnCreate(Strict):
    return_id: Uuid
    order_id: Uuid
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=50)]
    refund_method: RefundMethod
    override: Override | None = None

    @model_validator(mode="after")
    def _distinct_lines(self) -> ReturnCreate:
        numbers = [line.line_no for line in self.lines]
        if len(numbers) != len(set(numbers)):
            raise ValueError("each order line may appear once in a return")
        return self


class AuditEvent(Strict):
    entries: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=100)]


ACTION_TYPES = ("order.create", "pickup.event", "return.create", "audit.event")


class PushAction(Strict):
    seq: Seq
    action_id: Uuid
    type: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z_.]+$")]
    action_version: Annotated[int, Field(ge=1, le=1000)] = 1
    payload: dict[str, Any]
    payload_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    associate_id: Id | None = None
    auth_context: Annotated[str, StringConstraints(max_length=80, pattern=_PRINTABLE)] = ""
    client_created_at: Annotated[str, StringConstraints(max_length=40, pattern=_PRINTABLE)] = ""
    depends_on: Uuid | None = None


class PushRequest(Strict):
    protocol: int
    terminal_id: Id
    install_id: Uuid
    app_version: Annotated[str, StringConstraints(max_length=40, pattern=_PRINTABLE)] = ""
    actions: Annotated[list[PushAction], Field(min_length=1, max_length=10_000)]
