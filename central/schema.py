"""The central server's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Every row a stream serves carries a version from this single-row counter, bumped in the
# writing transaction (the row lock is held to commit), so versions become visible in
# order and `version > cursor` never skips a row committed late (SYNC_DESIGN 3.6).
version_counter = Table(
    "version_counter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="version_counter_single_row"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Tombstones older than the horizon are purged; a cursor below it must refetch.
stream_horizon = Table(
    "stream_horizon",
    metadata,
    Column("stream", String(96), primary_key=True),
    Column("min_version", BigInteger, nullable=False),
)

locations = Table(
    "locations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("data", Text, nullable=False),
    Column("version", BigInteger, nullable=False, index=True),
    Column("deleted", Boolean, nullable=False, default=False),
)

categories = Table(
    "categories",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("parent_id", String(64)),
    Column("data", Text, nullable=False),
    Column("version", BigInteger, nullable=False, index=True),
    Column("deleted", Boolean, nullable=False, default=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(40), primary_key=True),
    Column("gtin", String(14), nullable=False, unique=True),
    Column("parent_sku", String(40)),
    Column("category_id", String(64), nullable=False),
    Column("motif", String(32), nullable=False),
    Column("hue", Float, nullable=False),
    Column("data", Text, nullable=False),
    Column("version", BigInteger, nullable=False, index=True),
    Column("deleted", Boolean, nullable=False, default=False),
)

stock = Table(
    "stock",
    metadata,
    Column("sku", String(40), nullable=False),
    Column("location_id", String(32), nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, default=0),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", String(40), nullable=False),
    PrimaryKeyConstraint("sku", "location_id"),
    # The last line of defence against oversell: a lost race becomes an error, never
    # negative availability (SYNC_DESIGN 3.8).
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="stock_reserved_within_on_hand"),
    Index("stock_location_version", "location_id", "version"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", String(40), primary_key=True),
    Column("sku", String(40), nullable=False, index=True),
    Column("rating", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("version", BigInteger, nullable=False, index=True),
    Column("deleted", Boolean, nullable=False, default=False),
)

associates = Table(
    "associates",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("store_id", String(32), nullable=False),
    Column("name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("badge_hash", String(64), nullable=False, unique=True),
    Column("pin_hash", String(160), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", Float),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("role IN ('associate', 'supervisor')", name="associate_role"),
)

enrolment_keys = Table(
    "enrolment_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("location_id", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
    Column("device_id", String(40)),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("location_id", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("name", String(120), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("device_id", String(40), ForeignKey("devices.id"), nullable=False),
    Column("associate_id", String(16)),
    Column("role", String(16), nullable=False),
    Column("expires_at", Float, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(24), nullable=False, unique=True),
    # Layer 1 of the dedup (SYNC_DESIGN 3.5): one order per idempotency key, forever.
    Column("client_action_id", String(40), unique=True),
    Column("channel", String(16), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("store_id", String(32), nullable=False),
    Column("state", String(24), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("collected_at", Float),
    Column("hold_until", Float),
    Column("pickup_code_hash", String(80)),
    Column("data", Text, nullable=False),
    # The document served on the orders:<store> stream, rebuilt whenever the order changes.
    Column("doc", Text, nullable=False, default="{}"),
    Column("secret", Text),
    Column("version", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Index("orders_store_version", "store_id", "version"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(40), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_price", Integer, nullable=False),
    Column("discount", Integer, nullable=False, default=0),
    Column("location_id", String(32), nullable=False),
    Column("fulfilment", String(24), nullable=False),
    Column("reserved_qty", Integer, nullable=False, default=0),
    Column("picked_qty", Integer),
    Column("collected_qty", Integer, nullable=False, default=0),
    Column("returned_qty", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("order_id", "line_no"),
    CheckConstraint("qty > 0", name="order_line_qty_positive"),
    CheckConstraint(
        "returned_qty >= 0 AND returned_qty <= collected_qty AND collected_qty <= qty",
        name="order_line_returns_within_purchase",
    ),
    CheckConstraint("reserved_qty >= 0 AND reserved_qty <= qty", name="order_line_reserved"),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("client_action_id", String(40), unique=True),
    Column("event", String(32), nullable=False),
    Column("data", Text, nullable=False),
    Column("device_id", String(40)),
    Column("associate_id", String(16)),
    Column("at", Float, nullable=False),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("client_action_id", String(40), unique=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("store_id", String(32), nullable=False),
    Column("refund_total", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("data", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

terminal_installs = Table(
    "terminal_installs",
    metadata,
    Column("install_id", String(40), primary_key=True),
    Column("device_id", String(40), ForeignKey("devices.id"), nullable=False),
    Column("last_applied_seq", BigInteger, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
)

applied_actions = Table(
    "applied_actions",
    metadata,
    Column("action_id", String(40), primary_key=True),
    Column("device_id", String(40)),
    Column("install_id", String(40)),
    Column("seq", BigInteger),
    Column("action_type", String(32), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("code", String(48), nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("result", Text, nullable=False),
    Column("server_version", BigInteger),
    Column("created_at", Float, nullable=False, index=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action_id", String(40), nullable=False, unique=True),
    Column("device_id", String(40), nullable=False),
    Column("install_id", String(40)),
    Column("entry", Text, nullable=False),
    Column("received_at", Float, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(32), primary_key=True),
    Column("private_pem", Text, nullable=False),
    Column("public_b64", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)
