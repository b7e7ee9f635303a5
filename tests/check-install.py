#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the build into a scratch DESTDIR and checks the tree: binaries, desktop file, metainfo,
MIME type, icons, GSettings schema, translations and the man page; then runs the installed
binaries with --version.

Usage: check-install.py BUILDDIR PREFIX BINDIR DATADIR LOCALEDIR MANDIR APP_ID BASE_APP_ID VERSION WITH_APP
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def main():
    (builddir, prefix, bindir, datadir, localedir, mandir,
     app_id, base_app_id, version, with_app) = sys.argv[1:11]
    with_app = with_app == "true"

    def under(root, path):
        path = pathlib.Path(path)
        if not path.is_absolute():
            path = pathlib.Path(prefix) / path
        return root / path.relative_to("/")

    problems = []
    with tempfile.TemporaryDirectory(prefix="clair-install-") as tmp:
        root = pathlib.Path(tmp)
        env = dict(os.environ, DESTDIR=tmp)
        result = subprocess.run(["meson", "install", "-C", builddir, "--no-rebuild", "--quiet"],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout, result.stderr, sep="\n")
            print(f"meson install into {tmp} failed with status {result.returncode}")
            return 1

        bin_dir = under(root, bindir)
        share = under(root, datadir)
        expected = [
            bin_dir / "clair",
            under(root, mandir) / "man1" / "clair.1",
            share / "metainfo" / f"{app_id}.metainfo.xml",
            share / "mime" / "packages" / f"{app_id}.xml",
            share / "icons" / "hicolor" / "scalable" / "apps" / f"{app_id}.svg",
            share / "icons" / "hicolor" / "symbolic" / "apps" / f"{app_id}-symbolic.svg",
        ]
        for lang in ("de", "fr"):
            expected.append(under(root, localedir) / lang / "LC_MESSAGES" / "clair-studio.mo")
        if with_app:
            expected += [
                bin_dir / "clair-studio",
                share / "applications" / f"{app_id}.desktop",
                share / "glib-2.0" / "schemas" / f"{base_app_id}.gschema.xml",
            ]
        for path in expected:
            if not path.is_file() or path.stat().st_size == 0:
                problems.append(f"not installed: {path.relative_to(root)}")

        desktop = share / "applications" / f"{app_id}.desktop"
        if desktop.is_file():
            text = desktop.read_text(encoding="utf-8")
            for needle in (f"Icon={app_id}\n", "Exec=clair-studio", "Name[de]=", "Comment[fr]="):
                if needle not in text:
                    problems.append(f"{desktop.name} lacks {needle.strip()}")
        metainfo = share / "metainfo" / f"{app_id}.metainfo.xml"
        if metainfo.is_file():
            text = metainfo.read_text(encoding="utf-8")
            for needle in (f"<id>{app_id}</id>", f"{app_id}.desktop</launchable>",
                           "<binary>clair</binary>", "<binary>clair-studio</binary>",
                           f'<release version="{version}"', 'xml:lang="de"', 'xml:lang="fr"'):
                if needle not in text:
                    problems.append(f"{metainfo.name} lacks {needle}")

        # The installed tree as a software centre reads it: metainfo, its launchable desktop file.
        prefix_root = under(root, prefix)
        if with_app and shutil.which("appstreamcli"):
            tree = subprocess.run(["appstreamcli", "validate-tree", "--no-net", str(prefix_root)],
                                  capture_output=True, text=True)
            if tree.returncode != 0:
                problems.append("appstreamcli validate-tree failed on the installed tree:\n"
                                + tree.stdout + tree.stderr)

        # The MIME type the desktop file and the metainfo announce is the one installed.
        mime = share / "mime" / "packages" / f"{app_id}.xml"
        if mime.is_file() and 'type="application/x-clair-project"' not in mime.read_text(encoding="utf-8"):
            problems.append(f"{mime.name} does not define application/x-clair-project")
        if desktop.is_file() and "application/x-clair-project;" not in desktop.read_text(encoding="utf-8"):
            problems.append(f"{desktop.name} does not open application/x-clair-project")

        # What gnome.post_install does on a real install (it is skipped under DESTDIR).
        schemas = share / "glib-2.0" / "schemas"
        if with_app and schemas.is_dir():
            subprocess.run(["glib-compile-schemas", str(schemas)], check=True)

        # (program, arguments, what its standard output must hold). `clair import` runs in
        # clair-full, which the installed launcher finds relative to itself in the staged tree.
        programs = [("clair", ["--version"], f"clair {version}"),
                    ("clair", ["import", "--help"], "clair import")]
        if with_app:
            programs.append(("clair-studio", ["--version"], version))
        for name, args, needle in programs:
            program = bin_dir / name
            if not program.is_file():
                continue
            run_env = dict(os.environ, LANGUAGE="C", LC_ALL="C.UTF-8", GSETTINGS_BACKEND="memory",
                           GSETTINGS_SCHEMA_DIR=str(schemas))
            run_env.pop("DISPLAY", None)
            run_env.pop("WAYLAND_DISPLAY", None)
            out = subprocess.run([str(program), *args], capture_output=True, text=True,
                                 env=run_env, timeout=60)
            if out.returncode != 0 or needle not in out.stdout:
                problems.append(f"installed {name} {' '.join(args)} printed {out.stdout.strip()[:200]!r} "
                                f"{out.stderr.strip()!r} (status {out.returncode}), expected {needle!r}")

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"install tree complete ({len(expected)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
