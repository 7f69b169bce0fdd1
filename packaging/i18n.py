"""Qt Linguist upkeep for the app's shipped languages: `uv run python packaging/i18n.py update|release|check`.

- ``update`` extracts every ``tr()``/``translate()`` string of ``kiosk/ui`` into
  ``resources/i18n/kiosk_<lang>.ts`` (existing translations are kept; vanished strings are dropped);
- ``release`` compiles the ``.ts`` files into the ``.qm`` files the app loads;
- ``check`` fails (exit 1) when a ``.ts`` file is out of date with the code, a message is untranslated,
  or a ``.qm`` file is not the compiled form of its ``.ts``; the test suite runs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET  # our own committed .ts files, not untrusted input
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("cs", "pl", "bg")  # English is the source language
SOURCES = ROOT / "kiosk" / "ui"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(f"{name} not found: run through `uv run` so PySide6's tools are on PATH")
    return found


def _sources() -> list[str]:
    return sorted(str(p) for p in SOURCES.rglob("*.py"))


def ts_path(language: str, directory: Path = I18N) -> Path:
    return directory / f"kiosk_{language}.ts"


def qm_path(language: str, directory: Path = I18N) -> Path:
    return directory / f"kiosk_{language}.qm"


def update(directory: Path = I18N) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        subprocess.run(  # noqa: S603 - fixed tool, our own file list
            [
                _tool("pyside6-lupdate"),
                "-silent",
                "-extensions",
                "py",
                "-locations",
                "none",
                "-no-obsolete",
                "-target-language",
                language,
                *_sources(),
                "-ts",
                str(ts_path(language, directory)),
            ],
            check=True,
        )


def release(directory: Path = I18N) -> None:
    for language in LANGUAGES:
        subprocess.run(  # noqa: S603 - fixed tool, our own files
            [
                _tool("pyside6-lrelease"),
                "-silent",
                str(ts_path(language, directory)),
                "-qm",
                str(qm_path(language, directory)),
            ],
            check=True,
        )


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    tree = ET.parse(ts)  # noqa: S314 - our own committed .ts files, not untrusted input
    found: dict[tuple[str, str], ET.Element] = {}
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def _untranslated(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in {"unfinished", "vanished", "obsolete"}:
        return True
    forms = translation.findall("numerusform")
    if forms:
        return any(not (form.text or "").strip() for form in forms)
    return not (translation.text or "").strip()


def problems() -> list[str]:
    """What `check` complains about, one line each."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh_dir = Path(tmp)
        for language in LANGUAGES:
            committed = ts_path(language)
            if not committed.exists():
                found.append(f"{committed.name}: missing (run `uv run python packaging/i18n.py update`)")
                continue
            shutil.copy(committed, ts_path(language, fresh_dir))
        update(fresh_dir)
        release(fresh_dir)
        for language in LANGUAGES:
            committed = ts_path(language)
            if not committed.exists():
                continue
            current, fresh = _messages(committed), _messages(ts_path(language, fresh_dir))
            for context, source in sorted(fresh.keys() - current.keys()):
                found.append(f"{committed.name}: new string not extracted yet: {context}: {source!r}")
            for context, source in sorted(current.keys() - fresh.keys()):
                found.append(f"{committed.name}: string no longer in the code: {context}: {source!r}")
            for (context, source), message in sorted(current.items()):
                if _untranslated(message):
                    found.append(f"{committed.name}: untranslated: {context}: {source!r}")
            qm = qm_path(language)
            if not qm.exists() or qm.read_bytes() != qm_path(language, fresh_dir).read_bytes():
                found.append(f"{qm.name}: not compiled from {committed.name} (run `... i18n.py release`)")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
    elif command == "release":
        release()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) if issues else "translations are complete and up to date")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
