"""`kiosk`: the command line; turns arguments into Settings and starts the app (usage errors exit 2)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import LANGUAGES, CliOptions, ConfigError, Mode, Settings, load_settings
from kiosk.logbook import configure_logging

EXIT_USAGE = 2

log = logging.getLogger("kiosk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Offline-first store app for customer kiosks and store associates.",
        epilog=(
            "Settings may also come from KIOSK_* environment variables (KIOSK_CENTRAL_URL, KIOSK_ENROL_KEY, "
            "KIOSK_LOCATION, KIOSK_MODE, KIOSK_DATA_DIR, KIOSK_IDLE_TIMEOUT, KIOSK_LANGUAGE) and a TOML file "
            "(--config); the command line wins over the environment, the environment over the file."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--demo", action="store_true", help="run against a local demo central server with demo data"
    )
    source.add_argument("--central", metavar="URL", help="the central API, e.g. https://central.example.com")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where the device keeps its files (default: XDG data dir)"
    )
    parser.add_argument(
        "--mode", choices=[m.value for m in Mode], help="kiosk (customers) or associate (staff)"
    )
    parser.add_argument("--enrol-key", metavar="KEY", help="one-time enrolment key from the central system")
    parser.add_argument("--location", metavar="ID", help="the store this device belongs to, e.g. CZ-PRG-01")
    parser.add_argument("--language", choices=LANGUAGES, help="UI language (default: the store's)")
    parser.add_argument("--config", metavar="FILE", type=Path, help="TOML file with settings")
    return parser


def parse_settings(argv: Sequence[str] | None, environ: dict[str, str] | None = None) -> Settings:
    """Settings from arguments and environment; bad usage and ConfigError both exit 2 (via argparse)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    cli = CliOptions(
        demo=args.demo,
        central_url=args.central,
        data_dir=args.data_dir,
        mode=args.mode,
        enrol_key=args.enrol_key,
        location=args.location,
        language=args.language,
        config_file=args.config,
    )
    try:
        return load_settings(cli, os.environ if environ is None else environ)
    except ConfigError as exc:
        parser.exit(EXIT_USAGE, f"{parser.prog}: error: {exc}\n")


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    try:
        log_file = configure_logging(settings.state_dir / "logs")
    except OSError as exc:
        print(
            f"kiosk: error: cannot write to the data directory {settings.state_dir}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    log.info("starting: %r (log file %s)", settings, log_file)
    # Imported late: --help and usage errors answer without loading Qt.
    from kiosk.app import run  # noqa: PLC0415

    try:
        return run(settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
