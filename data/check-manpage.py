#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that data/clair.1 documents every command `clair --help` lists and, for each command, exactly
the long options its `--help` lists (options are the tags of .TP paragraphs in the command's .SS
section). A command whose --help does not work yet is reported and skipped.

Usage: check-manpage.py CLAIR MANPAGE
"""
import os
import re
import subprocess
import sys


def run_help(clair, *args):
    env = dict(os.environ, LANGUAGE="C", LC_ALL="C.UTF-8")
    result = subprocess.run([clair, *args, "--help"], capture_output=True, text=True, env=env)
    return result.returncode, result.stdout


def main():
    clair, manpage = sys.argv[1], sys.argv[2]
    text = open(manpage, encoding="utf-8").read().replace("\\-", "-")
    problems = []

    status, top = run_help(clair)
    if status != 0:
        print(f"clair --help failed with status {status}")
        return 1
    commands = re.findall(r"^  ([a-z][a-z-]*) +\S", top.split("Commands:", 1)[1], re.M)
    if not commands:
        print("no commands found in clair --help")
        return 1

    sections = {}
    for match in re.finditer(r'^\.SS "clair ([a-z-]+)(.*?)(?=^\.SS |^\.SH |\Z)', text, re.M | re.S):
        sections[match.group(1)] = match.group(2)

    for command in commands:
        if command not in sections:
            problems.append(f"clair.1 has no section for the command {command}")
            continue
        status, helptext = run_help(clair, command)
        if status != 0:
            print(f"# {command}: --help does not work yet (status {status}); options not checked")
            continue
        cli_options = set(re.findall(r"^\s+(?:-\w, )?--([a-z][a-z-]*)", helptext, re.M)) - {"help"}
        tags = re.findall(r"^\.TP\n(.*)$", sections[command], re.M)
        man_options = set()
        for tag in tags:
            man_options.update(re.findall(r"--([a-z][a-z-]*)", tag))
        for option in sorted(cli_options - man_options):
            problems.append(f"clair.1 does not document clair {command} --{option}")
        for option in sorted(man_options - cli_options):
            problems.append(f"clair.1 documents clair {command} --{option}, which clair does not have")

    for extra in sorted(set(sections) - set(commands)):
        problems.append(f"clair.1 documents a command clair does not have: {extra}")

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"clair.1 documents all {len(commands)} commands and their options")
    return 0


if __name__ == "__main__":
    sys.exit(main())
