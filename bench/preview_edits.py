"""The preview's engine after an edit (sitegen.incremental.Project, as `sitegen serve`
runs it), on a synthetic council: a first build, the work the preview does while it
waits (Project.warm), then five edits of a meeting's place and five of a decision's
outcome, each timed from the watcher's report of the file to the pages written (the
feeds and data after the reload are timed apart), with the engine's own phases; the
work the preview does while it waits is done between the edits, untimed. With
--before REF, sitegen at the git commit REF does the same on the same council, one
after the other in this run (not alternated: a first build at 10,000 meetings takes
a minute and 3 GiB).

    python bench/preview_edits.py --meetings 10000 --before 8d663b3
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from run import checkouts, empty_trash, paired_arguments, script_result, set_aside  # noqa: E402

ENGINE = """
import json, sys, time
from pathlib import Path
from sitegen.files import snapshot, snapshot_after
from sitegen.incremental import Project

content, out = Path(sys.argv[1]), Path(sys.argv[2])
project = Project(content, out)
project.keep_state = False  # (each checkout builds afresh: neither reads the other's state)
assert project.build().ok
project.defer_extras = True  # as sitegen serve runs it
while project.warm():
    pass
snap = snapshot(project.watched())
files = sorted((content / "meetings").rglob("*.md"))
place = files[len(files) // 2]
outcome = next(f for f in files[len(files) // 3 :] if "outcome: approved" in f.read_text(encoding="utf-8"))
texts = {place: place.read_text(encoding="utf-8"), outcome: outcome.read_text(encoding="utf-8")}
rows = []
try:
    for kind, path in (("place", place), ("outcome", outcome)):
        for n in range(5):
            if kind == "place":
                new = texts[path].replace("location: Council Chamber", f"location: Council Chamber {n}", 1)
            else:
                new = texts[path].replace("outcome: approved", "outcome: deferred" if n % 2 == 0 else "outcome: approved", 1)
            path.write_text(new, encoding="utf-8")
            started = time.perf_counter()
            snap = snapshot_after(snap, project.watched(), [str(path)])
            result = project.build(snap)
            seconds = time.perf_counter() - started
            assert result.ok, result.problems
            started = time.perf_counter()
            project.publish_due()
            rows.append([kind, seconds, time.perf_counter() - started, result.rendered, result.phases])
            while project.warm():  # (as sitegen serve does while it waits for the next save)
                pass
finally:
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
print(json.dumps(rows))
"""


def main() -> None:
    parser = paired_arguments(__doc__, runs=1)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-edits-"))
    content = work / f"council-{args.meetings}" / "content"
    if not content.exists():
        synth.generate(args.meetings, content)
    env = {**os.environ, "SITEGEN_TODAY": "2026-12-06"}
    results: dict[str, list] = {}
    for name, code in checkouts(args.before, work).items():
        out = work / "out" / name.replace(" ", "-")
        results[name] = script_result(ENGINE, [str(content), str(out)], code, env)  # type: ignore[assignment]
        set_aside(out)
    empty_trash()
    print(
        f"| {args.meetings:,} meetings | edit | pages s (median of 5) | all five | then feeds and data s | phases ms (median) |"
    )
    print("|---|---|---:|---|---:|---|")
    for name, rows in results.items():
        for kind in ("place", "outcome"):
            mine = [r for r in rows if r[0] == kind]
            seconds = [r[1] for r in mine]
            phases = {k: round(statistics.median(r[4].get(k, 0.0) for r in mine) * 1000) for k in mine[0][4]}
            print(
                f"| {name} | {kind} ({mine[0][3]} pages) | {statistics.median(seconds):.2f} "
                f"| {', '.join(f'{s:.2f}' for s in seconds)} | {statistics.median(r[2] for r in mine):.2f} | {phases} |"
            )


if __name__ == "__main__":
    main()
