"""Where the time of one `sitegen build` goes, phase by phase, in the process that runs it
(wall-clock seconds, each phase's own: inclusive of what it calls; a line that starts
with spaces is part of the line above; the waits for forked processes are counted
wherever they happen, within the phases above and below). The functions are timed from outside, so sitegen's code, and
with it the build state it keeps, is the same as without this script.

    python bench/phases.py --content DIR --output DIR [--edit FILE]

With --edit, FILE (a meeting file) has its `location:` changed before the build, as
bench/state.py does: the build after a one-meeting edit.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from sitegen import build, record, state
from sitegen.cli import main as cli_main

#: (label, owner, attribute): the phases, in the order a build reaches them
PHASES: list[tuple[str, object, str]] = [
    ("build(), in all", build, "build"),
    ("_build(), in all", build, "_build"),
    ("read the meeting files kept", state.ParsedStore, "load"),
    ("read, check and link", build, "load"),
    ("key the model's objects", record.Keys, "__init__"),
    ("read the build state", state.Opened, "load"),
    ("plan the pages", build.Builder, "plan"),
    ("find the pages due", build, "_due_since"),
    ("  compare the reads", record.Reads, "compare"),
    ("waits for forked processes, wherever they are", build.Aside, "result"),
    ("render the pages due", build, "render_pages"),
    ("put the open data together", build, "_assemble"),
    ("swap the new site in", build, "swap_in"),
    ("keep the build state", build, "_keep_state"),
]


def timed(totals: dict[str, float], label: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--edit", type=Path, help="a meeting file whose place is changed first")
    parser.add_argument("--patch", help="NAME=EXPR: set sitegen.build.NAME to eval(EXPR) first (to try a change)")
    args = parser.parse_args()
    if args.patch:
        name, _, expr = args.patch.partition("=")
        setattr(build, name, eval(expr))  # (a bench's own argument, typed by whoever runs it)
    if args.edit is not None:
        text = args.edit.read_text(encoding="utf-8")
        found = re.search(r"^location: (.*)$", text, re.M)
        if found is None:
            raise SystemExit(f"{args.edit} has no location: line")
        place = found[1]
        place = place[:-1] if place.endswith("+") else place + "+"
        args.edit.write_text(text[: found.start(1)] + place + text[found.end(1) :], encoding="utf-8")
    totals: dict[str, float] = {}
    for label, owner, name in PHASES:
        setattr(owner, name, timed(totals, label, getattr(owner, name)))
    gc.disable()  # (as the command line does, see sitegen.cli.run)
    started = time.perf_counter()
    code = cli_main(["build", "--no-search", "--content", str(args.content), "--output", str(args.output)])
    whole = time.perf_counter() - started
    print("| phase | s |\n| --- | ---: |")
    for label, _, _ in PHASES:
        if label in totals:
            print(f"| {label} | {totals[label]:.2f} |")
    print(f"| **the command, in all** | **{whole:.2f}** |", flush=True)
    os._exit(code)  # (as the command line does: freeing the model object by object takes seconds)


if __name__ == "__main__":
    main()
