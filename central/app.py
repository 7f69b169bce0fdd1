"""The FastAPI application serving contract v1 of the central API."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import func, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from central import __version__, schema
from central.actions import OUTCOME_RETENTION_DAYS, Outcome, execute_single, expire_outcomes, push
from central.auth import Principal, authenticate, enrol_device, sign_in_associate
from central.db import Database, Poke
from central.demo_images import render_product_image
from central.models import (
    MAX_PUSH_ACTIONS,
    AssociateSignIn,
    DeviceEnrolment,
    OrderCreate,
    PickupEventIn,
    PushRequest,
    ReturnCreate,
)
from central.orders import Actor
from central.passes import public_key_map, public_keys
from central.pickup_verifiers import PickupVerifiers
from central.problems import PROBLEM_JSON, Problem
from central.streams import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    authorize_stream,
    head,
    parse_cursor,
    parse_stream,
    permitted_streams,
    pull,
)
from retail_rules.pickup_pass import InvalidPass, verify_pass

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SkuPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]
OrderIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="The action's idempotency key (a UUID) created with its draft.",
    ),
]


_bearer = HTTPBearer(auto_error=False, description="Device or associate token")


def _principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    header = f"Bearer {credentials.credentials}" if credentials else None
    db: Database = request.app.state.db
    return authenticate(db, header)


Caller = Annotated[Principal, Depends(_principal)]


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    headers = {}
    if problem.status == 429 and "retry_after" in problem.extra:
        headers["Retry-After"] = str(problem.extra["retry_after"])
    return JSONResponse(
        problem.body(instance), status_code=problem.status, media_type=PROBLEM_JSON, headers=headers
    )


def create_app(db: Database, *, heartbeat_seconds: float = 15.0) -> FastAPI:
    """Build the app around a database; the caller owns the database's lifetime."""
    verifiers = PickupVerifiers(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        db.start_listening()
        maintenance = asyncio.create_task(_expire_outcomes_hourly(db), name="expire-outcomes")
        verifiers.start()
        try:
            yield
        finally:
            maintenance.cancel()
            await run_in_threadpool(verifiers.stop)

    app = FastAPI(
        title="Store kiosk central API",
        version=__version__,
        description="Contract v1: catalog, stock, reviews and orders for offline-first store apps.",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.verifiers = verifiers

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            problem = Problem(400, "malformed_json", "The request body is not valid JSON.")
        else:
            details = [
                {"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": str(e.get("msg", ""))}
                for e in errors[:20]
            ]
            problem = Problem(422, "validation_error", "The request is not valid.", errors=details)
        return problem_response(problem, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(Problem(exc.status_code, code, str(exc.detail)), request.url.path)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, "internal_error", "The server failed; it has been logged."))

    @app.middleware("http")
    async def _limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return problem_response(
                Problem(413, "payload_too_large", "The request body is larger than 1 MiB.")
            )
        return await call_next(request)

    def outcome_response(outcome: Outcome, replayed: bool) -> JSONResponse:
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        if outcome.status == "applied":
            return JSONResponse(outcome.body, status_code=outcome.http_status, headers=headers)
        return JSONResponse(
            outcome.body, status_code=outcome.http_status, media_type=PROBLEM_JSON, headers=headers
        )

    # -- health and keys -------------------------------------------------------------
    @app.get("/v1/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "api": 1,
            "database": "postgresql" if db.is_postgres else "sqlite",
            "server_version": db.current_version(),
        }

    @app.get("/v1/keys", tags=["meta"])
    def keys() -> dict[str, Any]:
        with db.read() as conn:
            return {"keys": public_keys(conn)}

    # -- auth ------------------------------------------------------------------------
    @app.post("/v1/auth/device", tags=["auth"])
    def auth_device(body: DeviceEnrolment) -> dict[str, Any]:
        device_id, token, role, location_id = enrol_device(db, body.enrolment_key, body.device_name)
        return {"device_id": device_id, "token": token, "role": role, "location_id": location_id}

    @app.post("/v1/auth/associate", tags=["auth"])
    def auth_associate(body: AssociateSignIn, caller: Caller) -> dict[str, Any]:
        token, associate_id, role, expires = sign_in_associate(
            db, caller, badge=body.badge, employee_id=body.employee_id, pin=body.pin
        )
        with db.read() as conn:
            name = conn.execute(
                select(schema.associates.c.name).where(schema.associates.c.id == associate_id)
            ).scalar()
        return {
            "token": token,
            "associate_id": associate_id,
            "name": name,
            "role": role,
            "expires_at": expires,
        }

    # -- sync --------------------------------------------------------------------------
    @app.get("/v1/sync/pull", tags=["sync"])
    async def sync_pull(
        caller: Caller,
        stream: Annotated[str, Query(min_length=1, max_length=48)],
        cursor: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        wait: Annotated[int, Query(ge=0, le=30, description="long-poll seconds when nothing is new")] = 0,
        install_id: Annotated[str | None, Header(alias="X-Install-Id", max_length=40)] = None,
    ) -> Response:
        ref = parse_stream(stream)
        after = parse_cursor(cursor)

        def page() -> bytes:
            with db.read() as conn:
                authorize_stream(conn, caller, ref)
                return pull(conn, ref, after, limit)

        body = await run_in_threadpool(page)
        if wait and b'"changes":[]' in body:
            event = asyncio.Event()
            loop = asyncio.get_running_loop()

            def wake(poke: Poke) -> None:
                if poke.stream == ref.name:
                    loop.call_soon_threadsafe(event.set)

            token = db.bus.subscribe(wake)
            try:
                async with asyncio.timeout(wait):
                    await event.wait()
            except TimeoutError:
                pass
            finally:
                db.bus.unsubscribe(token)
            body = await run_in_threadpool(page)
        if install_id:
            terminal = await run_in_threadpool(_terminal, install_id, caller)
            body = body[:-1] + b"," + json.dumps({"terminal": terminal})[1:].encode()
        return Response(body, media_type="application/json")

    def _terminal(install_id: str, caller: Principal) -> dict[str, Any]:
        with db.read() as conn:
            row = conn.execute(
                select(schema.terminal_installs).where(schema.terminal_installs.c.install_id == install_id)
            ).first()
        if row is None or row.device_id != caller.device_id:
            return {"install_id": install_id, "last_applied_seq": 0}
        return {"install_id": install_id, "last_applied_seq": int(row.last_applied_seq)}

    @app.get("/v1/sync/events", tags=["sync"])
    async def sync_events(
        caller: Caller,
        streams: Annotated[
            str | None, Query(max_length=2000, description="comma-separated; default all permitted")
        ] = None,
        last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=24)] = None,
    ) -> StreamingResponse:
        def allowed() -> list[str]:
            with db.read() as conn:
                return permitted_streams(conn, caller)

        permitted = await run_in_threadpool(allowed)
        wanted = set(permitted)
        if streams:
            asked = {s.strip() for s in streams.split(",") if s.strip()}
            for name in asked:
                parse_stream(name)
                if name not in wanted:
                    raise Problem(403, "forbidden", f"Stream {name!r} is not readable by this device.")
            wanted = asked
        since = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
        queue: asyncio.Queue[Poke] = asyncio.Queue(maxsize=1000)
        loop = asyncio.get_running_loop()

        def put(poke: Poke) -> None:
            if queue.full():  # pokes carry no data: dropping one only delays a pull
                return
            queue.put_nowait(poke)

        def deliver(poke: Poke) -> None:
            if poke.stream in wanted:
                loop.call_soon_threadsafe(put, poke)

        token = db.bus.subscribe(deliver)

        def heads() -> list[tuple[str, int]]:
            with db.read() as conn:
                return [(name, head(conn, parse_stream(name))) for name in sorted(wanted)]

        async def generate() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                for name, version in await run_in_threadpool(heads):
                    if version > since:
                        yield _sse(Poke(name, version))
                while True:
                    try:
                        async with asyncio.timeout(heartbeat_seconds):
                            poke = await queue.get()
                    except TimeoutError:
                        yield ": ka\n\n"
                        continue
                    yield _sse(poke)
            finally:
                db.bus.unsubscribe(token)

        return StreamingResponse(
            generate(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post("/v1/sync/push", tags=["sync"], response_model=dict[str, Any])
    def sync_push(body: PushRequest, caller: Caller) -> JSONResponse:
        if len(body.actions) > MAX_PUSH_ACTIONS:
            raise Problem(413, "batch_too_large", f"At most {MAX_PUSH_ACTIONS} actions per push.")
        if caller.has_associate:
            raise Problem(403, "forbidden", "Push with the device token; actions name their associate.")
        # The answer is JSON values already (stored outcomes, numbers, text): written as they are.
        # Returned as a dict, FastAPI's jsonable_encoder walked every outcome first, ~1 ms an action.
        return JSONResponse(push(db, Actor.of(caller), body, verifiers))

    # -- look-ups ----------------------------------------------------------------------
    @app.get("/v1/products/{sku}", tags=["catalog"])
    def product(sku: SkuPath, caller: Caller) -> dict[str, Any]:
        with db.read() as conn:
            row = conn.execute(select(schema.products).where(schema.products.c.sku == sku)).first()
            if row is None or row.deleted:
                raise Problem(404, "unknown_sku", f"No product {sku!r}.")
            c = schema.stock.c
            stock_rows = conn.execute(
                select(c.location_id, c.on_hand, c.reserved, c.updated_at)
                .where(c.sku == sku)
                .order_by(c.location_id)
            ).all()
            histogram: dict[int, int] = {
                int(rating): int(n)
                for rating, n in conn.execute(
                    select(schema.reviews.c.rating, func.count())
                    .where(schema.reviews.c.sku == sku, schema.reviews.c.deleted.is_(False))
                    .group_by(schema.reviews.c.rating)
                )
            }
        count = sum(histogram.values())
        return {
            "sku": sku,
            "version": row.version,
            "data": json.loads(row.data),
            "stock": [
                {
                    "location_id": r.location_id,
                    "on_hand": r.on_hand,
                    "available": r.on_hand - r.reserved,
                    "as_of": r.updated_at,
                }
                for r in stock_rows
            ],
            "rating": {
                "count": count,
                "average": round(sum(k * v for k, v in histogram.items()) / count, 2) if count else None,
                "histogram": {str(k): histogram.get(k, 0) for k in range(1, 6)},
            },
        }

    def _readable_order(caller: Principal, store_id: str) -> None:
        if caller.device_role == "eshop":
            return
        if caller.device_role != "associate" or caller.location_id != store_id:
            raise Problem(403, "forbidden", "Orders are readable by their store's associates.")

    @app.get("/v1/orders/{order_id}", tags=["orders"])
    def get_order(order_id: OrderIdPath, caller: Caller) -> dict[str, Any]:
        if caller.is_kiosk:
            raise Problem(403, "forbidden", "Kiosks cannot read orders.")
        with db.read() as conn:
            row = conn.execute(
                select(schema.orders.c.store_id, schema.orders.c.doc).where(schema.orders.c.id == order_id)
            ).first()
        if row is None:
            raise Problem(404, "order_not_found", "No such order.")
        _readable_order(caller, row.store_id)
        doc: dict[str, Any] = json.loads(row.doc)
        return doc

    @app.get("/v1/orders", tags=["orders"])
    def find_order(
        code: Annotated[str, Query(min_length=1, max_length=600)], caller: Caller
    ) -> dict[str, Any]:
        """Find an order by the number on its slip or receipt, or by a pickup pass."""
        if caller.is_kiosk:
            raise Problem(403, "forbidden", "Kiosks cannot read orders.")
        code = code.strip()
        with db.read() as conn:
            order = schema.orders.c
            if code.startswith("PP1."):
                try:
                    parsed = verify_pass(code, public_key_map(conn))
                except InvalidPass as exc:
                    raise Problem(
                        422, "invalid_pickup_pass", f"The pickup pass is not valid: {exc}."
                    ) from exc
                row = conn.execute(
                    select(order.store_id, order.doc).where(order.id == parsed.order_id)
                ).first()
            else:
                row = conn.execute(
                    select(order.store_id, order.doc).where(order.number == code.upper())
                ).first()
        if row is None:
            raise Problem(404, "order_not_found", "No order with this code.")
        _readable_order(caller, row.store_id)
        doc: dict[str, Any] = json.loads(row.doc)
        return doc

    # -- single actions ------------------------------------------------------------------
    @app.post("/v1/orders", tags=["orders"], status_code=201)
    def post_order(body: OrderCreate, caller: Caller, key: IdempotencyKey) -> JSONResponse:
        if caller.device_role == "associate" and not caller.has_associate:
            raise Problem(403, "associate_required", "Sign in as an associate to create orders.")
        outcome, replayed = execute_single(
            db, Actor.of(caller), key, "order.create", body.model_dump(mode="json"), verifiers=verifiers
        )
        return outcome_response(outcome, replayed)

    @app.post("/v1/orders/{order_id}/events", tags=["orders"])
    def post_order_event(
        order_id: OrderIdPath, body: PickupEventIn, caller: Caller, key: IdempotencyKey
    ) -> JSONResponse:
        if not caller.has_associate:
            raise Problem(403, "associate_required", "Pickup steps are taken by a signed-in associate.")
        outcome, replayed = execute_single(
            db, Actor.of(caller), key, "pickup.event", body.model_dump(mode="json"), order_id=order_id
        )
        return outcome_response(outcome, replayed)

    @app.post("/v1/returns", tags=["orders"], status_code=201)
    def post_return(body: ReturnCreate, caller: Caller, key: IdempotencyKey) -> JSONResponse:
        if not caller.has_associate:
            raise Problem(403, "associate_required", "Returns are taken by a signed-in associate.")
        outcome, replayed = execute_single(
            db, Actor.of(caller), key, "return.create", body.model_dump(mode="json")
        )
        return outcome_response(outcome, replayed)

    # -- images ----------------------------------------------------------------------------
    @app.get("/v1/images/{sku}/{view}.jpg", tags=["catalog"], response_class=Response)
    def image(
        sku: SkuPath,
        view: Annotated[int, Path(ge=0, le=3)],
        size: Annotated[int, Query(ge=64, le=1024)] = 480,
    ) -> Response:
        with db.read() as conn:
            row = conn.execute(
                select(schema.products.c.motif, schema.products.c.hue, schema.products.c.data).where(
                    schema.products.c.sku == sku
                )
            ).first()
        if row is None:
            raise Problem(404, "unknown_sku", f"No product {sku!r}.")
        brand = str(json.loads(row.data).get("brand", ""))
        return Response(
            _render(row.motif, round(float(row.hue), 4), view, size, brand),
            media_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400, immutable"},
        )

    return app


@lru_cache(maxsize=512)
def _render(motif: str, hue: float, view: int, size: int, label: str) -> bytes:
    return render_product_image(motif, hue, view=view, size=size, label=label)


async def _expire_outcomes_hourly(db: Database) -> None:
    """Stored results age out after 35 days; keys and fingerprints stay (actions.expire_outcomes)."""
    while True:
        try:
            expired = await run_in_threadpool(expire_outcomes, db)
            if expired:
                log.info("expired %d stored outcomes older than %d days", expired, OUTCOME_RETENTION_DAYS)
        except Exception:  # a maintenance failure must not take the API down; try again later
            log.exception("expiring stored outcomes failed")
        await asyncio.sleep(3600)


def _sse(poke: Poke) -> str:
    data = json.dumps({"stream": poke.stream, "version": poke.version})
    return f"id: {poke.version}\nevent: poke\ndata: {data}\n\n"
