"""Python calls, counted by cProfile: the same on every run, where timings on a shared
machine are not. Counts a one-process clean build (`sitegen build --no-search --no-cache
--jobs 1`) of CONTENT, and four one-meeting edits through the preview's engine
(sitegen.incremental.Project, pages only, as `sitegen serve` reloads them).

    python bench/calls.py CONTENT            # this checkout's sitegen
    PYTHONPATH=OTHER python bench/calls.py CONTENT   # another checkout's, to compare
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import sys
import tempfile
from pathlib import Path


def build_calls(content: Path, out: Path) -> int:
    from sitegen.cli import main

    profile = cProfile.Profile()
    profile.enable()
    main(["build", "--content", str(content), "--output", str(out), "--no-search", "--no-cache", "--jobs", "1"])
    profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def edit_calls(content: Path, out: Path) -> int:
    from sitegen.incremental import Project

    project = Project(content, out)
    assert project.build().ok
    project.defer_extras = True
    files = sorted((content / "meetings").rglob("*.md"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    profile = cProfile.Profile()
    try:
        path.write_text(text.replace("location: Council Chamber", "location: Council Chamber X", 1), encoding="utf-8")
        project.build()  # (the first edit after a build compiles the templates in this process)
        for n in range(4):
            path.write_text(
                text.replace("location: Council Chamber", f"location: Council Chamber {n}", 1), encoding="utf-8"
            )
            profile.enable()
            project.build()
            profile.disable()
    finally:
        path.write_text(text, encoding="utf-8")
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def main() -> None:
    content = Path(sys.argv[1])
    os.environ.setdefault("SITEGEN_TODAY", "2026-12-06")
    work = Path(tempfile.mkdtemp(prefix="sitegen-calls-"))
    try:
        print(f"one-process clean build: {build_calls(content, work / 'build'):,} calls")
        print(f"four one-meeting preview edits: {edit_calls(content, work / 'preview'):,} calls")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
