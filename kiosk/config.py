"""The app's settings: one frozen `Settings` built from CLI > KIOSK_* environment > TOML file > defaults."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit


class Mode(StrEnum):
    """Who uses this terminal: a customer kiosk or a store associate's device."""

    KIOSK = "kiosk"
    ASSOCIATE = "associate"


LANGUAGES = ("en", "cs", "pl", "bg")
THEMES = ("standard", "high-contrast")
DEMO_LOCATION = "CZ-PRG-01"
DEFAULT_IDLE_TIMEOUT = 120.0
APP_DIR_NAME = "store-kiosk"

_LOCATION_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# Enrolment keys are printable text; control characters never reach a header or a log line.
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,100}$")

# The file's keys and the environment variables that override them, in the order they are checked.
_ENV = {
    "central_url": "KIOSK_CENTRAL_URL",
    "enrol_key": "KIOSK_ENROL_KEY",
    "location": "KIOSK_LOCATION",
    "mode": "KIOSK_MODE",
    "data_dir": "KIOSK_DATA_DIR",
    "idle_timeout": "KIOSK_IDLE_TIMEOUT",
    "language": "KIOSK_LANGUAGE",
    "theme": "KIOSK_THEME",
}


class ConfigError(Exception):
    """A setting the operator must fix; the message names where the bad value came from."""


@dataclass(frozen=True, slots=True)
class CliOptions:
    """What the command line said; None means "not given here", so lower layers may decide."""

    demo: bool = False
    central_url: str | None = None
    data_dir: str | None = None
    mode: str | None = None
    enrol_key: str | None = None
    location: str | None = None
    language: str | None = None
    config_file: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start, validated."""

    demo: bool
    central_url: str | None  # None only in demo mode, where the embedded server decides it
    data_dir: Path
    mode: Mode
    enrol_key: str | None = None
    location: str | None = None
    language: str | None = None  # None: the store's own language
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    theme: str = "standard"  # one of THEMES; a customer may still switch to high contrast for a visit

    @property
    def state_dir(self) -> Path:
        """Where this run keeps its files; the demo has its own folder, never mixed with a real device's."""
        return self.data_dir / "demo" if self.demo else self.data_dir

    def __repr__(self) -> str:
        # The enrolment key is a credential: keep it out of logs and tracebacks.
        key = "<set>" if self.enrol_key else None
        return (
            f"Settings(demo={self.demo}, central_url={self.central_url!r}, data_dir={str(self.data_dir)!r}, "
            f"mode={self.mode.value!r}, enrol_key={key}, location={self.location!r}, "
            f"language={self.language!r}, idle_timeout={self.idle_timeout}, theme={self.theme!r})"
        )


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/store-kiosk``, or ``~/.local/share/store-kiosk`` when XDG_DATA_HOME is unset."""
    xdg = environ.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / APP_DIR_NAME


def read_config_file(path: Path) -> dict[str, object]:
    """The TOML file's settings; unknown keys are refused so a typo does not pass silently."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_ENV))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(_ENV))})"
        )
    return dict(data)


def load_settings(cli: CliOptions, environ: Mapping[str, str]) -> Settings:
    """Merge the layers (CLI > environment > file > defaults) and validate the result."""
    file_values = read_config_file(cli.config_file) if cli.config_file is not None else {}
    file_label = f"config file {cli.config_file}"
    cli_values: dict[str, object] = {
        "central_url": cli.central_url,
        "enrol_key": cli.enrol_key,
        "location": cli.location,
        "mode": cli.mode,
        "data_dir": cli.data_dir,
        "language": cli.language,
    }

    def pick(key: str, cli_flag: str | None) -> tuple[object, str] | None:
        """The winning raw value for ``key`` and a label naming its source, for error messages."""
        if cli_values.get(key) is not None:
            return cli_values[key], (cli_flag or key)
        env_name = _ENV[key]
        if env_name in environ and environ[env_name].strip() != "":
            return environ[env_name], env_name
        if key in file_values:
            return file_values[key], f"{file_label}: {key}"
        return None

    central = pick("central_url", "--central")
    if cli.demo and cli.central_url is not None:
        raise ConfigError("--demo starts its own central server; do not combine it with --central")
    central_url = None
    if not cli.demo:
        if central is None:
            raise ConfigError(
                "no central server: pass --central URL, set KIOSK_CENTRAL_URL or central_url in a "
                "--config file, or try the demo with --demo"
            )
        central_url = _central_url(*central)

    data = pick("data_dir", "--data-dir")
    data_dir = _data_dir(*data) if data is not None else default_data_dir(environ)

    mode_value = pick("mode", "--mode")
    mode = _mode(*mode_value) if mode_value is not None else Mode.KIOSK

    key_value = pick("enrol_key", "--enrol-key")
    enrol_key = _enrol_key(*key_value) if key_value is not None else None

    location_value = pick("location", "--location")
    location = _location(*location_value) if location_value is not None else None
    if cli.demo and location is None:
        location = DEMO_LOCATION

    language_value = pick("language", "--language")
    language = _language(*language_value) if language_value is not None else None

    idle_value = pick("idle_timeout", None)
    idle_timeout = _idle_timeout(*idle_value) if idle_value is not None else DEFAULT_IDLE_TIMEOUT

    theme_value = pick("theme", None)
    theme = _theme(*theme_value) if theme_value is not None else THEMES[0]

    return Settings(
        demo=cli.demo,
        central_url=central_url,
        data_dir=data_dir,
        mode=mode,
        enrol_key=enrol_key,
        location=location,
        language=language,
        idle_timeout=idle_timeout,
        theme=theme,
    )


def _text(value: object, source: str, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {what} must be text, got {type(value).__name__}")
    return value.strip()


def _central_url(value: object, source: str) -> str:
    text = _text(value, source, "the central URL")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a port out of range or not a number
    except ValueError:
        raise ConfigError(f"{source}: {text!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{source}: {text!r} is not an http:// or https:// URL with a host")
    if port == 0:
        raise ConfigError(f"{source}: {text!r} has port 0, which no server listens on")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{source}: the central URL must not carry a query, fragment or credentials")
    # The client joins "/v1/..." onto it: one canonical form without a trailing slash.
    return text.rstrip("/")


def _data_dir(value: object, source: str) -> Path:
    text = _text(value, source, "the data directory")
    if not text:
        raise ConfigError(f"{source}: the data directory must not be empty")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{source}: {path} exists and is not a directory")
    return path.resolve()


def _mode(value: object, source: str) -> Mode:
    text = _text(value, source, "the mode").lower()
    try:
        return Mode(text)
    except ValueError:
        raise ConfigError(f"{source}: unknown mode {text!r} (choose kiosk or associate)") from None


def _enrol_key(value: object, source: str) -> str:
    text = _text(value, source, "the enrolment key")
    if not _KEY_RE.match(text):
        raise ConfigError(f"{source}: the enrolment key must be 1-100 printable characters without spaces")
    return text


def _location(value: object, source: str) -> str:
    text = _text(value, source, "the location")
    if not _LOCATION_RE.match(text):
        raise ConfigError(
            f"{source}: {text!r} is not a location id (letters, digits and '-', e.g. CZ-PRG-01)"
        )
    return text.upper()


def _language(value: object, source: str) -> str:
    text = _text(value, source, "the language").lower()
    if text not in LANGUAGES:
        raise ConfigError(f"{source}: unknown language {text!r} (choose {', '.join(LANGUAGES)})")
    return text


def _idle_timeout(value: object, source: str) -> float:
    # bool is an int subclass in Python; "idle_timeout = true" is a mistake, not one second.
    if isinstance(value, bool):
        raise ConfigError(f"{source}: the idle timeout must be a positive number of seconds, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ConfigError(
                f"{source}: the idle timeout must be a positive number of seconds, got {value!r}"
            ) from None
    else:
        raise ConfigError(f"{source}: the idle timeout must be a positive number of seconds")
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(f"{source}: the idle timeout must be a positive number of seconds, got {value!r}")
    return number


def _theme(value: object, source: str) -> str:
    text = _text(value, source, "the theme").lower()
    if text not in THEMES:
        raise ConfigError(f"{source}: unknown theme {text!r} (choose {', '.join(THEMES)})")
    return text
