"""``kiosk-sync``: the headless sync daemon and its inspection commands.

    kiosk-sync run --central URL --data-dir DIR [--enrol-key KEY --location ID] [--once]
    kiosk-sync status --data-dir DIR [--json]
    kiosk-sync export-queue --data-dir DIR --out FILE

Errors are one line on stderr and exit 1 (usage errors exit 2); never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import socket
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final, TextIO

from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.data_dir_lock import DataDirBusy, DataDirLock
from offline_cache.database import DatabaseCorrupt
from offline_cache.device_record import DeviceFileInvalid, DeviceRecord, device_store
from offline_cache.engine import SyncEngine, SyncStatus
from offline_cache.http_remote import HttpRemote, InvalidCentralUrl
from offline_cache.outbox import OUTBOX_FILE, Outbox, OutboxCorrupt, OutboxError
from offline_cache.recovery import recovery_events
from offline_cache.remote import Rejected, RemoteError, RetryLater, ServerFailed, Unauthorized, Unreachable

PROG: Final = "kiosk-sync"
APP_VERSION: Final = "kiosk-sync/0.1.0"


class CliError(Exception):
    """A failure to report as one line; ``exit_code`` 1 for runtime problems, 2 for bad arguments."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Sync a store device's local data headlessly.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log sync progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="sync with the central server")
    run.add_argument("--central", required=True, metavar="URL", help="central API base URL")
    run.add_argument("--data-dir", required=True, type=Path, metavar="DIR")
    run.add_argument("--enrol-key", metavar="KEY", help="one-time enrolment key (first run, or to re-enrol)")
    run.add_argument("--location", metavar="ID", help="refuse a key or enrolment for another location")
    run.add_argument("--device-name", default=None, metavar="NAME", help="name shown on the server")
    run.add_argument("--once", action="store_true", help="sync until caught up, then exit")
    run.add_argument("--page-size", type=_positive_int, default=1000, metavar="N", help="changes per pull")
    run.add_argument(
        "--pull-interval", type=_positive_float, default=300.0, metavar="S", help="seconds between pulls"
    )
    run.set_defaults(handler=_run)

    status = commands.add_parser("status", help="what is cached and queued")
    status.add_argument("--data-dir", required=True, type=Path, metavar="DIR")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=_status)

    export = commands.add_parser("export-queue", help="write every unsent or refused action as JSON lines")
    export.add_argument("--data-dir", required=True, type=Path, metavar="DIR")
    export.add_argument("--out", required=True, type=Path, metavar="FILE")
    export.set_defaults(handler=_export)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 5000:
        raise argparse.ArgumentTypeError("must be 1-5000")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError("must be more than 0 and less than a day")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed usage (exit 2) or help (exit 0)
        return exc.code if isinstance(exc.code, int) else 2
    with _logging(args.verbose):
        try:
            code: int = args.handler(args)
        except CliError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            return 130
    return code


@contextlib.contextmanager
def _logging(verbose: bool) -> Iterator[None]:
    """Our own loggers to stderr for this command only; the root logger is left alone."""
    logger = logging.getLogger("offline_cache")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


# -- run ------------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    central = str(args.central).rstrip("/")
    try:
        remote = HttpRemote(central)
    except InvalidCentralUrl as exc:
        raise CliError(f"--central: {exc}", 2) from None
    data_dir: Path = args.data_dir
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot use the data dir {data_dir}: {exc.strerror or exc}") from None
    with _exclusive(data_dir):
        return asyncio.run(_sync(args, central, remote, data_dir))


@contextlib.contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """One syncing process per data dir, the app included: two pushers on one outbox would be a fork."""
    try:
        lock = DataDirLock.acquire(data_dir)
    except DataDirBusy:
        raise CliError(f"another kiosk-sync or the app is already running on {data_dir}") from None
    with lock:
        yield


async def _sync(args: argparse.Namespace, central: str, remote: HttpRemote, data_dir: Path) -> int:
    device = await _device(args, central, remote, data_dir)
    remote.use_token(device.token)
    try:
        outbox = Outbox.open(data_dir / OUTBOX_FILE, device.device_id)
    except (OutboxError, OSError) as exc:
        raise CliError(f"cannot open the outbox: {exc}") from None
    cache = CacheStore.open(data_dir / CACHE_FILE)
    # Without --once it keeps running: pokes over SSE (long-poll when SSE fails) pull at once.
    engine = SyncEngine.for_device(
        remote,
        cache,
        outbox,
        device,
        app_version=APP_VERSION,
        page_size=args.page_size,
        pull_interval=args.pull_interval,
    )
    try:
        if args.once:
            try:
                status = await engine.run_once()
            except RemoteError as exc:
                raise _explain(exc, central) from None
            except sqlite3.Error as exc:  # each page and each push's results is one transaction
                raise CliError(
                    f"the local data in {data_dir} could not be written ({exc}); nothing was "
                    "half-written: run again once the disk works"
                ) from None
            print(_summary(status, cache.counts()))
            return 0
        await _until_stopped(engine)
        return 0
    finally:
        engine.close()
        cache.close()
        outbox.close()


async def _until_stopped(engine: SyncEngine) -> None:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await engine.run_forever()
    except asyncio.CancelledError:
        logging.getLogger("offline_cache").info("stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _device(args: argparse.Namespace, central: str, remote: HttpRemote, data_dir: Path) -> DeviceRecord:
    """The stored enrolment, or a new one from --enrol-key; the same rules as the app's Enrolment."""
    key: str | None = args.enrol_key
    try:
        record = device_store(data_dir).load()
    except DeviceFileInvalid as exc:
        if key is None:
            raise CliError(f"{exc}; pass --enrol-key to enrol this device again") from None
        device_store(data_dir).set_aside()
        record = None
    if record is not None:
        mismatch = None
        if record.central_url.rstrip("/") != central:
            mismatch = f"enrolled with {record.central_url}, not {central}"
        elif args.location is not None and record.location_id != args.location:
            mismatch = f"enrolled for {record.location_id}, not {args.location}"
        if mismatch is None:
            return record
        if key is None:
            raise CliError(f"this data dir is {mismatch}; pass --enrol-key to enrol it again")
    if key is None:
        raise CliError(f"{data_dir} is not enrolled: pass --enrol-key KEY (from kiosk-central enrol-key)")
    name = args.device_name or socket.gethostname()[:80] or "kiosk-sync"
    try:
        answer = await remote.enrol_device(key, name)
    except Unauthorized:
        raise CliError("the enrolment key was refused: it is unknown, already used or expired") from None
    except RemoteError as exc:
        raise _explain(exc, central) from None
    if args.location is not None and answer.location_id != args.location:
        raise CliError(f"the enrolment key is for {answer.location_id}, not {args.location}")
    record = DeviceRecord(answer.device_id, answer.token, answer.role, answer.location_id, central)
    device_store(data_dir).save(record)
    return record


def _explain(exc: RemoteError, central: str) -> CliError:
    if isinstance(exc, Unreachable):
        return CliError(f"cannot reach the central server at {central}: {exc}")
    if isinstance(exc, Unauthorized):
        return CliError(
            f"the central server refused this device's credentials ({exc.code}); enrol again with --enrol-key"
        )
    if isinstance(exc, Rejected):
        return CliError(f"the central server refused the request: {exc}")
    if isinstance(exc, RetryLater):
        return CliError(f"the central server is busy, try again later: {exc}")
    if isinstance(exc, ServerFailed):
        return CliError(f"the central server failed: {exc}")
    return CliError(str(exc))


def _summary(status: SyncStatus, rows: dict[str, int]) -> str:
    return (
        f"synced {status.progress_done}/{status.progress_total} streams ({sum(rows.values())} rows); "
        f"actions: {status.pending} pending, {status.rejected} rejected, {status.needs_review} need review"
    )


# -- status and export ----------------------------------------------------------------------------------


def _existing_dir(data_dir: Path) -> Path:
    if not data_dir.is_dir():
        raise CliError(f"no such data dir: {data_dir}")
    return data_dir


def _status(args: argparse.Namespace) -> int:
    data_dir = _existing_dir(args.data_dir)
    report = status_report(data_dir)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_status(report, sys.stdout)
    return 0


def status_report(data_dir: Path) -> dict[str, Any]:
    """Everything ``status`` shows, as plain JSON-ready data (never the token)."""
    try:
        device = device_store(data_dir).load()
    except DeviceFileInvalid as exc:
        raise CliError(str(exc)) from None
    report: dict[str, Any] = {
        "data_dir": str(data_dir),
        "device": None
        if device is None
        else {
            "device_id": device.device_id,
            "role": device.role,
            "location_id": device.location_id,
            "central_url": device.central_url,
        },
        "streams": {},
        "actions": {"pending": 0, "applied": 0, "rejected": 0, "needs_review": 0, "superseded": 0},
        "oldest_pending_age_s": None,
        "install_id": None,
        "next_seq": None,
        "attention": [],
        "last_sync": {"pull": None, "push": None},
        "recoveries": [asdict(event) for event in recovery_events(data_dir)],
        "problems": [],
    }
    if (data_dir / CACHE_FILE).exists():
        try:
            cache = CacheStore.open(data_dir / CACHE_FILE, repair=False)
        except DatabaseCorrupt as exc:
            report["problems"].append(f"{exc} (rebuilt when the app or kiosk-sync run starts)")
            return _outbox_status(data_dir, report)
        try:
            rows = cache.counts()
            for state in cache.streams():
                report["streams"][state.stream] = {
                    "rows": rows.get(state.stream, 0),
                    "cursor": state.cursor,
                    "needs_refetch": state.needs_refetch,
                    "caught_up_version": state.caught_up_version,
                    "server_version": state.server_version,
                    "last_pull_ok_at": state.last_pull_ok_at,
                }
            pulls = [s.last_pull_ok_at for s in cache.streams() if s.last_pull_ok_at]
            report["last_sync"]["pull"] = max(pulls) if pulls else None
        finally:
            cache.close()
    return _outbox_status(data_dir, report)


def _outbox_status(data_dir: Path, report: dict[str, Any]) -> dict[str, Any]:
    if (data_dir / OUTBOX_FILE).exists():
        try:
            outbox = Outbox.open(data_dir / OUTBOX_FILE, None, recover=False)
        except OutboxCorrupt as exc:
            report["problems"].append(f"{exc} (recovered when the app or kiosk-sync run starts)")
            return report
        except (OutboxError, OSError) as exc:
            raise CliError(f"cannot open the outbox: {exc}") from None
        try:
            identity = outbox.identity()
            report["actions"] = outbox.counts()
            report["oldest_pending_age_s"] = outbox.oldest_pending_age()
            report["install_id"] = identity.install_id
            report["next_seq"] = identity.next_seq
            report["last_sync"]["push"] = outbox.last_acked_at()
            report["attention"] = [
                {
                    "action_id": a.action_id,
                    "type": a.action_type,
                    "seq": a.seq,
                    "state": a.state,
                    "code": a.result_code,
                }
                for a in outbox.actions(("rejected", "needs_review"))[-100:]
            ]
        finally:
            outbox.close()
    return report


def _open_outbox(data_dir: Path) -> Outbox:
    try:
        # Inspection never moves a damaged file: only the process holding the data dir's lock may.
        return Outbox.open(data_dir / OUTBOX_FILE, None, recover=False)
    except (OutboxError, OSError) as exc:
        raise CliError(f"cannot open the outbox: {exc}") from None


def _print_status(report: dict[str, Any], out: TextIO) -> None:
    device = report["device"]
    if device:
        out.write(f"device   {device['device_id']} ({device['role']} at {device['location_id']})\n")
        out.write(f"central  {device['central_url']}\n")
    else:
        out.write("device   not enrolled\n")
    out.write(f"pulled   {report['last_sync']['pull'] or 'never'}\n")
    out.write(f"pushed   {report['last_sync']['push'] or 'never'}\n")
    actions = report["actions"]
    age = report["oldest_pending_age_s"]
    oldest = f", oldest {age:.0f} s" if age is not None else ""
    out.write(
        f"actions  {actions['pending']} pending{oldest}, {actions['applied']} applied, "
        f"{actions['rejected']} rejected, {actions['needs_review']} need review\n"
    )
    for name, stream in sorted(report["streams"].items()):
        flag = " (refetching)" if stream["needs_refetch"] else ""
        out.write(f"  {name:<24} {stream['rows']:>8} rows  {stream['cursor'] or '-':<14}{flag}\n")
    for event in report["recoveries"][-3:]:
        saved = f": {event['recovered']} actions recovered" if event["recovered"] is not None else ""
        out.write(f"recovered {event['file']} at {event['at']}{saved} (damaged file: {event['set_aside']})\n")
    for problem in report["problems"]:
        out.write(f"problem  {problem}\n")


def _export(args: argparse.Namespace) -> int:
    data_dir = _existing_dir(args.data_dir)
    if not (data_dir / OUTBOX_FILE).exists():
        raise CliError(f"no outbox in {data_dir}")
    outbox = _open_outbox(data_dir)
    try:
        count = outbox.export(args.out)
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    finally:
        outbox.close()
    print(f"exported {count} actions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
