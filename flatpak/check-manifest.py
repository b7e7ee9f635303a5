#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifests: they parse (flatpak-builder --show-manifest, when installed, with
no unknown property), run on the GNOME runtime with the minimal permissions the app needs, and the
stable and .Devel manifests differ only where they should.

Usage: check-manifest.py FLATPAK_DIR BASE_APP_ID
"""
import json
import pathlib
import shutil
import subprocess
import sys

REQUIRED = {
    "--share=network",          # model endpoints
    "--share=ipc",              # X11 shared memory
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",             # GL rendering
    "--talk-name=org.freedesktop.secrets",  # API keys (libsecret falls back to it without the portal)
}
FORBIDDEN_PREFIXES = ("--filesystem", "--socket=x11", "--socket=session-bus", "--device=all",
                      "--talk-name=org.freedesktop.Flatpak", "--socket=system-bus")

# Libraries the GNOME runtime lacks, built before the app: snappy for the Parquet reader (zlib,
# zstd, lz4 and brotli are in the runtime).
BUNDLED = {"snappy"}

errors = []


def check(condition, message):
    if not condition:
        errors.append(message)


def load(path, app_id):
    manifest = json.loads(path.read_text(encoding="utf-8"))
    check(manifest.get("id") == app_id, f"{path.name}: id is {manifest.get('id')}, expected {app_id}")
    check(manifest.get("runtime") == "org.gnome.Platform", f"{path.name}: runtime must be org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", f"{path.name}: sdk must be org.gnome.Sdk")
    check(manifest.get("runtime-version") in ("47", "48"), f"{path.name}: runtime-version must be a stable GNOME release")
    check(manifest.get("command") == "clair-studio", f"{path.name}: command must be clair-studio")
    args = manifest.get("finish-args", [])
    check(set(args) == REQUIRED,
          f"{path.name}: finish-args {sorted(args)} differ from the minimal set {sorted(REQUIRED)}")
    for arg in args:
        check(not arg.startswith(FORBIDDEN_PREFIXES), f"{path.name}: {arg} is not allowed; files go through portals")
    modules = manifest.get("modules", [])
    check(len(modules) >= 1 and modules[-1].get("name") == "clair-studio",
          f"{path.name}: the app must be the last module")
    extra = [m.get("name") for m in modules[:-1]]
    check(all(name in BUNDLED for name in extra),
          f"{path.name}: modules {extra} are not in the allowed list {sorted(BUNDLED)}; the other "
          "dependencies are in the runtime")
    for module in modules[:-1]:
        for source in module.get("sources", []):
            check(source.get("type") != "git" or len(source.get("commit", "")) == 40,
                  f"{path.name}: {module.get('name')} must pin its git source to a commit")

    builder = shutil.which("flatpak-builder")
    if builder:
        result = subprocess.run([builder, "--show-manifest", str(path)], capture_output=True, text=True)
        check(result.returncode == 0, f"{path.name}: flatpak-builder --show-manifest failed: {result.stderr.strip()}")
        check("WARNING" not in result.stderr and "CRITICAL" not in result.stderr,
              f"{path.name}: flatpak-builder warns: {result.stderr.strip()}")
    else:
        print(f"# flatpak-builder not installed: {path.name} checked as JSON only")
    return manifest


def main():
    directory = pathlib.Path(sys.argv[1])
    base_app_id = sys.argv[2]
    stable = load(directory / f"{base_app_id}.json", base_app_id)
    devel = load(directory / f"{base_app_id}.Devel.json", base_app_id + ".Devel")
    check("-Ddevelopment=true" in devel["modules"][-1].get("config-opts", []),
          "the .Devel manifest must build with -Ddevelopment=true")
    check("-Ddevelopment=true" not in stable["modules"][-1].get("config-opts", []),
          "the stable manifest must not build the development profile")
    check(stable.get("runtime-version") == devel.get("runtime-version"), "both manifests must use one runtime version")
    check(stable["modules"][:-1] == devel["modules"][:-1], "both manifests must bundle the same libraries")
    for message in errors:
        print(message)
    if not errors:
        print("flatpak manifests OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
