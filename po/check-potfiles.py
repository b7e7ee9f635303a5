#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when a source file with translatable strings is missing from po/POTFILES.in,
or when POTFILES.in names a file that does not exist (xgettext would then fail).

A file is translatable when it calls _(), N_(), C_(), NC_() or Q_(), holds
translatable="yes" (GtkBuilder .ui files), or is a GSettings schema, desktop file, metainfo or
MIME template. Usage: check-potfiles.py SOURCE_ROOT
"""
import pathlib
import re
import sys

SCAN_DIRS = ("src", "data")
SCAN_SUFFIXES = {".c", ".h", ".ui", ".in", ".xml"}
MARKER = re.compile(r'\b(?:N|C|NC|Q)?_\s*\(\s*"|translatable\s*=\s*"(?:yes|true)"')
# Files whose every string is translatable by their format (merged by meson's i18n module).
ALWAYS = (".gschema.xml", ".desktop.in", ".desktop.in.in", ".metainfo.xml.in",
          ".metainfo.xml.in.in", ".mime.xml.in")


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    potfiles = root / "po" / "POTFILES.in"
    listed = set()
    for line in potfiles.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            listed.add(line)

    failures = 0
    for name in sorted(listed):
        if not (root / name).is_file():
            print(f"po/POTFILES.in lists {name}, which does not exist: remove the line")
            failures += 1

    for top in SCAN_DIRS:
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or path.suffix not in SCAN_SUFFIXES:
                continue
            rel = path.relative_to(root).as_posix()
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if (MARKER.search(text) or rel.endswith(ALWAYS)) and rel not in listed:
                print(f"{rel} has translatable strings but is missing from po/POTFILES.in: add it")
                failures += 1

    if failures:
        print(f"{failures} problem(s) in po/POTFILES.in")
        return 1
    print(f"po/POTFILES.in lists all {len(listed)} files with translatable strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
