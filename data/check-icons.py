#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the app icons: well-formed SVG on the HIG canvases (128 px for the app icon and its .Devel
variant, 16 px for the symbolic one), and a symbolic icon GTK can recolour (filled shapes only, no
strokes, no gradients, no colours but the foreground).

Usage: check-icons.py ICONS_DIR BASE_APP_ID
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def main():
    icons, base = pathlib.Path(sys.argv[1]), sys.argv[2]
    expected = {
        icons / "scalable" / "apps" / f"{base}.svg": 128,
        icons / "scalable" / "apps" / f"{base}.Devel.svg": 128,
        icons / "symbolic" / "apps" / f"{base}-symbolic.svg": 16,
    }
    problems = []
    for path, size in expected.items():
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        if root.tag != SVG + "svg":
            problems.append(f"{path.name}: the root element is not an SVG")
        if (root.get("width"), root.get("height"), root.get("viewBox")) != (str(size), str(size), f"0 0 {size} {size}"):
            problems.append(f"{path.name}: the canvas must be {size}×{size} with viewBox 0 0 {size} {size}")
        shapes = [e for e in root.iter() if e.tag in (SVG + "path", SVG + "rect", SVG + "circle")]
        if len(shapes) < 3:
            problems.append(f"{path.name}: {len(shapes)} shapes; this is not the designed icon")
        if size == 16:
            text = path.read_text(encoding="utf-8")
            if "stroke" in text or "Gradient" in text:
                problems.append(f"{path.name}: symbolic icons use filled shapes only (GTK recolours fills)")
            colours = set(re.findall(r"#[0-9a-fA-F]{6}\b", text))
            if colours - {"#2e3436"}:
                problems.append(f"{path.name}: colours {sorted(colours)} besides the foreground #2e3436")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(expected)} icons OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
