"""Check the translation catalogue: run from the repository root, exits 1 with the reasons.

- exactly one catalogue under luoshi/: luoshi/locale/zh_Hans/LC_MESSAGES (settings.LOCALE_PATHS),
  no app keeps a locale directory of its own;
- no message id (with its context) translated two ways across the .po files found;
- nothing fuzzy, nothing untranslated;
- the committed .mo holds exactly the entries of the .po (compiled after the last edit);
- with --sources (needs GNU gettext): `manage.py makemessages` run on a copy of the catalogue
  would add no message id, i.e. every string in the code is in the catalogue.

Usage: .venv/bin/python scripts/check_messages.py [--sources]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "luoshi" / "locale"
CATALOGUE = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "__pycache__"}
# What `make messages` leaves out; keep in step with MESSAGES_IGNORE in the Makefile.
MAKEMESSAGES_IGNORE = ["node_modules", "var", "bench", "docs", "deploy", "test-artifacts"]
MAKEMESSAGES_IGNORE += ["tests", "migrations"]


def message_dirs(top: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, _files in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        if Path(dirpath).name == "LC_MESSAGES":
            found.append(Path(dirpath))
    return sorted(found)


def key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def translation(entry):
    if entry.msgid_plural:
        return tuple(sorted(entry.msgstr_plural.items()))
    return entry.msgstr


def check_one_catalogue() -> list[str]:
    dirs = message_dirs(ROOT / "luoshi")
    expected = CATALOGUE.parent
    problems = [
        f"{d.relative_to(ROOT)}: a second catalogue; every string belongs in "
        f"{CATALOGUE.relative_to(ROOT)}"
        for d in dirs
        if d != expected
    ]
    if not CATALOGUE.is_file():
        problems.append(f"{CATALOGUE.relative_to(ROOT)} is missing")
    return problems


def check_conflicts(paths: list[Path]) -> list[str]:
    seen: dict[tuple, dict] = {}
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or entry.fuzzy or not entry.translated():
                continue
            seen.setdefault(key(entry), {}).setdefault(translation(entry), []).append(path)
    problems = []
    for (context, msgid), translations in sorted(seen.items(), key=str):
        if len(translations) > 1:
            ways = "; ".join(
                f"{value!r} in {', '.join(str(p.relative_to(ROOT)) for p in where)}"
                for value, where in translations.items()
            )
            label = f"{context!r} | {msgid!r}" if context else repr(msgid)
            problems.append(f"{label} is translated two ways: {ways}")
    return problems


def check_entries(po: polib.POFile, name: str) -> list[str]:
    problems = []
    for entry in po:
        label = f"{entry.msgctxt!r} | {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)
        if entry.obsolete:
            problems.append(f"{name}: obsolete entry {label} (run make messages)")
        elif entry.fuzzy:
            problems.append(f"{name}: fuzzy entry {label}: check the translation, drop the flag")
        elif not entry.translated():
            problems.append(f"{name}: untranslated entry {label}")
    return problems


def check_compiled(po: polib.POFile, path: Path) -> list[str]:
    mo_path = path.with_suffix(".mo")
    name = mo_path.relative_to(ROOT)
    if not mo_path.is_file():
        return [f"{name} is missing (run make messages)"]
    compiled = {key(e): translation(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    source = {key(e): translation(e) for e in po.translated_entries()}
    problems = []
    for k in sorted(source.keys() | compiled.keys(), key=str):
        if source.get(k) != compiled.get(k):
            context, msgid = k
            label = f"{context!r} | {msgid!r}" if context else repr(msgid)
            problems.append(f"{name} differs from the .po at {label} (run make messages)")
    return problems[:20] + ([f"… {len(problems) - 20} more"] if len(problems) > 20 else [])


def check_sources(po: polib.POFile) -> list[str]:
    """Run makemessages over the code into a copy of the catalogue: no message id may be new."""
    with tempfile.TemporaryDirectory(prefix="luoshi-messages-") as tmp:
        copy = Path(tmp) / "locale"
        shutil.copytree(LOCALE, copy)
        env = {**os.environ, "LUOSHI_LOCALE_PATH": str(copy)}
        command = [sys.executable, "-c", MAKEMESSAGES, *MAKEMESSAGES_IGNORE]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            return [f"makemessages failed:\n{result.stdout}{result.stderr}"]
        fresh = polib.pofile(str(copy / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {key(e) for e in po if not e.obsolete}
    current = {key(e) for e in fresh if not e.obsolete}
    problems = [
        f"not in the catalogue: {c!r} | {m!r}" if c else f"not in the catalogue: {m!r}"
        for c, m in sorted(current - known, key=str)
    ]
    problems += [
        f"no longer in the code: {c!r} | {m!r}" if c else f"no longer in the code: {m!r}"
        for c, m in sorted(known - current, key=str)
    ]
    if problems:
        problems.append("run make messages and translate what it adds")
    return problems


# makemessages with LOCALE_PATHS pointed at the copy, and luoshi/locale ignored: makemessages
# writes to any "locale" directory it walks past, and the real catalogue must stay untouched.
MAKEMESSAGES = """
import os, sys
import django
from django.conf import settings
from django.core.management import call_command
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
django.setup()
settings.LOCALE_PATHS = [os.environ["LUOSHI_LOCALE_PATH"]]
call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0,
             ignore_patterns=[*sys.argv[1:], "locale"])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sources",
        action="store_true",
        help="also check that makemessages would change no message id (needs GNU gettext)",
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    problems = check_one_catalogue()
    paths = sorted(d / "django.po" for d in message_dirs(ROOT / "luoshi"))
    paths = [p for p in paths if p.is_file()]
    problems += check_conflicts(paths)
    if CATALOGUE.is_file():
        po = polib.pofile(str(CATALOGUE))
        problems += check_entries(po, str(CATALOGUE.relative_to(ROOT)))
        problems += check_compiled(po, CATALOGUE)
        if args.sources:
            problems += check_sources(po)
    if problems:
        print(f"check_messages: {len(problems)} problem(s) in the translation catalogue:")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(f"check_messages: {CATALOGUE.relative_to(ROOT)} is complete and compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
