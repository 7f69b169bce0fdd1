"""Settings: precedence CLI > environment > file > defaults, and clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.__main__ import main, parse_settings
from kiosk.config import DEFAULT_IDLE_TIMEOUT, CliOptions, ConfigError, Mode, default_data_dir, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_outside_demo_need_a_central_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no central server"):
        load_settings(CliOptions(), {"HOME": str(tmp_path)})


def test_demo_defaults(tmp_path: Path) -> None:
    settings = load_settings(CliOptions(demo=True), {"XDG_DATA_HOME": str(tmp_path)})
    assert settings.demo
    assert settings.central_url is None
    assert settings.mode == Mode.KIOSK
    assert settings.location == "CZ-PRG-01"
    assert settings.idle_timeout == DEFAULT_IDLE_TIMEOUT
    assert settings.data_dir == tmp_path / "store-kiosk"
    assert settings.state_dir == tmp_path / "store-kiosk" / "demo"


def test_default_data_dir_follows_xdg_and_ignores_a_relative_one(tmp_path: Path) -> None:
    assert default_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "store-kiosk"
    assert default_data_dir({"XDG_DATA_HOME": "relative/dir"}) == Path.home() / ".local/share/store-kiosk"
    assert default_data_dir({}) == Path.home() / ".local/share/store-kiosk"


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "kiosk.toml",
        'central_url = "http://file:1"\nmode = "associate"\nlanguage = "pl"\nidle_timeout = 30\n'
        'location = "PL-WAW-01"\nenrol_key = "FILEKEY"\n',
    )
    env = {"KIOSK_CENTRAL_URL": "http://env:2/", "KIOSK_LANGUAGE": "bg", "KIOSK_IDLE_TIMEOUT": "45.5"}
    cli = CliOptions(central_url="https://cli:3", data_dir=str(tmp_path / "data"), config_file=config)
    settings = load_settings(cli, env)
    assert settings.central_url == "https://cli:3"  # CLI wins over env and file
    assert settings.language == "bg"  # env wins over file
    assert settings.idle_timeout == 45.5
    assert settings.mode == Mode.ASSOCIATE  # only the file said it
    assert settings.location == "PL-WAW-01"
    assert settings.enrol_key == "FILEKEY"
    assert settings.data_dir == (tmp_path / "data").resolve()

    settings = load_settings(CliOptions(config_file=config), env)
    assert settings.central_url == "http://env:2"  # trailing slash dropped
    settings = load_settings(CliOptions(config_file=config), {})
    assert settings.central_url == "http://file:1"
    assert settings.idle_timeout == 30.0


def test_empty_environment_variable_does_not_override(tmp_path: Path) -> None:
    config = write(tmp_path / "k.toml", 'central_url = "http://file:1"\n')
    settings = load_settings(CliOptions(config_file=config), {"KIOSK_CENTRAL_URL": "  "})
    assert settings.central_url == "http://file:1"


def test_enrol_key_is_not_in_the_repr(tmp_path: Path) -> None:
    settings = load_settings(
        CliOptions(central_url="http://c:1", enrol_key="SECRET-KEY"), {"HOME": str(tmp_path)}
    )
    assert "SECRET-KEY" not in repr(settings)
    assert settings.enrol_key == "SECRET-KEY"


@pytest.mark.parametrize(
    ("cli", "env", "message"),
    [
        (CliOptions(central_url="ftp://x"), {}, "not an http:// or https:// URL"),
        (CliOptions(central_url="http://"), {}, "not an http:// or https:// URL"),
        (CliOptions(central_url="http://host:99999"), {}, "not a valid URL"),
        (CliOptions(central_url="http://u:p@host"), {}, "must not carry"),
        (CliOptions(), {"KIOSK_CENTRAL_URL": "localhost:8700"}, "KIOSK_CENTRAL_URL"),
        (CliOptions(demo=True), {"KIOSK_MODE": "kiozk"}, "KIOSK_MODE: unknown mode 'kiozk'"),
        (CliOptions(demo=True), {"KIOSK_IDLE_TIMEOUT": "0"}, "positive number"),
        (CliOptions(demo=True), {"KIOSK_IDLE_TIMEOUT": "-5"}, "positive number"),
        (CliOptions(demo=True), {"KIOSK_IDLE_TIMEOUT": "soon"}, "positive number"),
        (CliOptions(demo=True), {"KIOSK_IDLE_TIMEOUT": "nan"}, "positive number"),
        (CliOptions(demo=True), {"KIOSK_LANGUAGE": "de"}, "unknown language 'de'"),
        (CliOptions(demo=True), {"KIOSK_LOCATION": "CZ PRG"}, "not a location id"),
        (CliOptions(demo=True), {"KIOSK_ENROL_KEY": "has space"}, "printable characters"),
        (CliOptions(demo=True, central_url="http://c:1"), {}, "do not combine"),
    ],
)
def test_bad_values_are_refused_with_their_source(cli: CliOptions, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(cli, env)


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(CliOptions(demo=True, config_file=tmp_path / "missing.toml"), {})
    broken = write(tmp_path / "broken.toml", "mode = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(CliOptions(demo=True, config_file=broken), {})
    typo = write(tmp_path / "typo.toml", 'centrl_url = "http://x"\n')
    with pytest.raises(ConfigError, match="unknown setting 'centrl_url'"):
        load_settings(CliOptions(demo=True, config_file=typo), {})
    wrong_type = write(tmp_path / "type.toml", "idle_timeout = true\n")
    with pytest.raises(ConfigError, match=r"type.toml: idle_timeout"):
        load_settings(CliOptions(demo=True, config_file=wrong_type), {})
    number_url = write(tmp_path / "url.toml", "central_url = 5\n")
    with pytest.raises(ConfigError, match="must be text"):
        load_settings(CliOptions(config_file=number_url), {})


def test_parse_settings_from_arguments(tmp_path: Path) -> None:
    settings = parse_settings(
        [
            "--central",
            "http://127.0.0.1:8700",
            "--data-dir",
            str(tmp_path),
            "--mode",
            "associate",
            "--language",
            "cs",
        ],
        {},
    )
    assert settings.central_url == "http://127.0.0.1:8700"
    assert settings.mode == Mode.ASSOCIATE
    assert settings.language == "cs"
    assert settings.state_dir == tmp_path.resolve()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--demo", "--central", "http://x:1"], "not allowed with argument"),
        (["--demo", "--mode", "cashier"], "invalid choice: 'cashier'"),
        (["--central", "nonsense"], "'nonsense' is not an http:// or https:// URL"),
        (["--data-dir", "/tmp"], "no central server"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KIOSK_CENTRAL_URL", "KIOSK_MODE", "KIOSK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
