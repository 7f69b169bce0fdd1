"""`kiosk-central`: serve the API, seed demo data, issue enrolment keys, simulate a live chain."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from central.db import Database


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback."""


def _database(args: argparse.Namespace) -> Database:
    if args.database_url:
        url = str(args.database_url)
        if not url.startswith(("postgresql://", "postgresql+psycopg://", "sqlite:///")):
            raise CliError("--database-url must be a postgresql:// or sqlite:/// URL")
    else:
        path = Path(args.db).expanduser().resolve()
        if not path.parent.is_dir():
            raise CliError(f"the folder {path.parent} does not exist")
        url = f"sqlite:///{path}"
    try:
        db = Database(url)
        db.create_schema()
    except (SQLAlchemyError, RuntimeError) as exc:
        raise CliError(f"cannot open the database: {str(exc).splitlines()[0]}") from exc
    return db


def _add_db(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--db", metavar="PATH", help="SQLite database file (created if missing)")
    group.add_argument("--database-url", metavar="URL", help="e.g. postgresql://user@127.0.0.1:5432/kiosk")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("a port is at most 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-central", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve contract v1 over HTTP")
    _add_db(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8700, help="0 picks a free port")
    serve.add_argument("--port-file", type=Path, help="write the URL here once listening")
    serve.add_argument("--heartbeat", type=float, default=15.0, help="SSE heartbeat seconds")

    seed = sub.add_parser("seed", help="fill an empty database with deterministic demo data")
    _add_db(seed)
    seed.add_argument("--products", type=_positive, default=5000)
    seed.add_argument("--seed", type=_positive, default=42)
    seed.add_argument("--reviews-per-product", type=float, default=10.0)
    seed.add_argument("--no-orders", action="store_true", help="skip the demo pickup and past orders")

    enrol = sub.add_parser("enrol-key", help="print a one-time enrolment key for a device")
    _add_db(enrol)
    enrol.add_argument("--location", required=True)
    enrol.add_argument("--role", required=True, choices=["kiosk", "associate", "eshop"])

    revoke = sub.add_parser("revoke-device", help="revoke an enrolled device")
    _add_db(revoke)
    revoke.add_argument("--device", required=True)

    orders = sub.add_parser("demo-orders", help="list a store's pickup orders with their codes and passes")
    _add_db(orders)
    orders.add_argument("--store", required=True)

    simulate = sub.add_parser("simulate", help="keep creating online BOPIS orders and stock movements")
    _add_db(simulate)
    simulate.add_argument("--interval", type=float, default=2.0, help="seconds between events")
    simulate.add_argument(
        "--count", type=_positive, default=0, help="stop after N events (0: run until Ctrl+C)"
    )
    simulate.add_argument("--seed", type=_positive, default=7)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "seed" and not 1 <= args.products <= 2_000_000:
        raise CliError("--products must be between 1 and 2,000,000")
    if args.command == "seed" and not 0 <= args.reviews_per_product <= 100:
        raise CliError("--reviews-per-product must be between 0 and 100")
    if args.command == "simulate" and args.interval <= 0:
        raise CliError("--interval must be positive")
    db = _database(args)
    try:
        if args.command == "serve":
            from central.server import serve

            try:
                serve(db, args.host, args.port, port_file=args.port_file, heartbeat_seconds=args.heartbeat)
            except OSError as exc:
                raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
        elif args.command == "seed":
            from central.seed import seed

            try:
                report = seed(
                    db,
                    products=args.products,
                    seed_value=args.seed,
                    reviews_per_product=args.reviews_per_product,
                    with_orders=not args.no_orders,
                    progress=lambda msg: print(msg, file=sys.stderr),
                )
            except ValueError as exc:
                raise CliError(str(exc)) from exc
            print(
                f"seeded {report.products} products, {report.stock_rows} stock rows, "
                f"{report.reviews} reviews, {report.orders} orders in {report.seconds:.1f} s"
            )
            print("demo associates (badge / employee id + PIN):")
            for a in report.demo_associates:
                print(
                    f"  {a['store_id']:<10} {a['role']:<10} {a['name']:<24} "
                    f"badge {a['badge']}  {a['id']} PIN {a['pin']}"
                )
        elif args.command == "enrol-key":
            from central.auth import create_enrolment_key

            try:
                print(create_enrolment_key(db, args.location, args.role))
            except ValueError as exc:
                raise CliError(str(exc)) from exc
        elif args.command == "revoke-device":
            from central.auth import revoke_device

            if not revoke_device(db, args.device):
                raise CliError(f"no active device {args.device!r}")
            print(f"revoked {args.device}")
        elif args.command == "demo-orders":
            from central.simulate import list_demo_orders

            for line in list_demo_orders(db, args.store):
                print(line)
        elif args.command == "simulate":
            from central.simulate import simulate

            simulate(db, interval=args.interval, count=args.count, seed_value=args.seed, say=print)
    finally:
        db.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except CliError as exc:
        print(f"kiosk-central: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
