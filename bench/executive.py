"""What the executive's records cost: clean builds (--no-cache --no-search) and preview
edits of the synthetic council, paired A B A B in one run:

- "meetings only": the council as bench/synth.py makes it without executive records;
- "with executive records": the same meetings plus about one decision made by one
  person per meeting and a forward plan entry for a tenth of Cabinet's items
  (synth.py --executive);
- with --before REF, the meetings-only council built by sitegen at the git commit REF
  too (a worktree in the work folder, run with this Python).

The preview edit is a meeting's location changed and built through the engine behind
`sitegen serve` (sitegen.incremental.Project), five times, after a first full build and
the work the preview does while it waits for the first edit (Project.warm), from the
watcher's report of the file changed: as the preview server does it, the pages first
(what the browser waits for before it reloads), then the feeds, calendars and data
files, timed apart.

    python bench/executive.py                      # 1,000 meetings, 3 runs each
    python bench/executive.py --before 0b289df^    # and sitegen before the executive records
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from run import empty_trash, paired_arguments, script_result, set_aside, timed, worktree  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

PREVIEW = """
import json, sys, time
from pathlib import Path
from sitegen.files import snapshot, snapshot_after
from sitegen.incremental import Project

content, out = Path(sys.argv[1]), Path(sys.argv[2])
project = Project(content, out)
assert project.build().ok
project.defer_extras = True  # as sitegen serve runs it
while project.warm():  # as sitegen serve does while it waits for the first edit
    pass
snap = snapshot(project.watched())  # the files as sitegen serve's watcher knows them
files = sorted((content / "meetings").rglob("*.md"))
path = files[len(files) // 2]
text = path.read_text(encoding="utf-8")
seconds = []
extras = []
try:
    for n in range(5):
        path.write_text(text.replace("location: Council Chamber", f"location: Council Chamber {n}", 1), encoding="utf-8")
        started = time.perf_counter()
        # as sitegen serve's watcher finds the change (from the file event: the one file)
        snap = snapshot_after(snap, project.watched(), [str(path)])
        result = project.build(snap)
        seconds.append(time.perf_counter() - started)
        assert result.ok, result.problems
        started = time.perf_counter()
        project.publish_due()
        extras.append(time.perf_counter() - started)
finally:
    path.write_text(text, encoding="utf-8")
print(json.dumps([seconds, extras]))
"""


def main() -> None:
    parser = paired_arguments(__doc__, runs=3)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-executive-"))
    plain = work / "plain" / "content"
    if not plain.exists():
        synth.generate(args.meetings, plain)
    executive = work / "executive" / "content"
    if not executive.exists():
        synth.generate(args.meetings, executive, executive=True)
    env = {**os.environ, "SITEGEN_TODAY": "2026-12-06"}
    kinds = {"meetings only": (ROOT, plain), "with executive records": (ROOT, executive)}
    if args.before:
        tree = worktree(args.before, work)
        kinds = {f"meetings only, at {args.before}": (tree, plain), **kinds}
    builds: dict[str, list[dict]] = {name: [] for name in kinds}
    edits: dict[str, list[float]] = {name: [] for name in kinds}
    extras: dict[str, list[float]] = {name: [] for name in kinds}
    for n in range(args.runs):
        for name, (code, content) in kinds.items():
            out = work / "out" / f"{name.replace(' ', '-').replace(',', '')}-{n}"
            cmd = [sys.executable, "-m", "sitegen", "build", "--no-search", "--no-cache"]
            builds[name].append(timed([*cmd, "--content", str(content), "--output", str(out)], cwd=code, env=env))
            set_aside(out)  # (deleted after the timing: see run.set_aside)
            pages_s, extras_s = script_result(PREVIEW, [str(content), str(out)], code, env)  # type: ignore[misc]
            edits[name] += pages_s
            extras[name] += extras_s
            set_aside(out)  # (deleted after the timing: see run.set_aside)
    empty_trash()
    print(
        f"| {args.meetings:,} meetings ({args.runs} runs) | clean build wall s (median) | cpu s (median) "
        "| cpu s (least, most) | pages | peak MiB | preview edit: pages s (median of "
        f"{5 * args.runs}) | then feeds and data s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in builds.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpus = [r["cpu"] for r in runs]
        spread = f"{min(cpus):.2f}, {max(cpus):.2f}"
        found = re.search(r"built (\d+) pages", runs[-1]["out"])
        pages = found.group(1) if found else ""
        print(
            f"| {name} | {wall:.2f} | {statistics.median(cpus):.2f} | {spread} | {pages} "
            f"| {max(r['rss'] for r in runs):.0f} | {statistics.median(edits[name]):.3f} "
            f"| {statistics.median(extras[name]):.3f} |"
        )


if __name__ == "__main__":
    main()
