"""sitegen's benchmark: full builds, incremental rebuilds, and a paired run against Hugo.

    python bench/run.py                       # everything: N = 1,000 and 10,000 (about 30 min on 2 cores)
    python bench/run.py --sizes 1000 --quick  # a smoke run
    python bench/run.py --profile 1000        # where the time goes (cProfile, top 25 by cumulative time)

Prints Markdown tables. Never part of the test suite.

1. Synthetic council (bench/synth.py: 12 bodies, 60 people, 4-10 items a meeting,
   ~1.5 KB minutes an item, 1-4 decisions an item, a tenth of them recommendations):
   clean `sitegen build --no-search` in a fresh process: wall s, CPU s (user+sys,
   all processes), pages written, pages/s, peak RSS of the largest process.
2. Incremental at the largest N, through the engine behind `sitegen serve`
   (sitegen.incremental.Project, in one process, as the preview server runs it):
   no-op, one-meeting edits of three kinds (prose; record, then back; an outcome,
   which changes links), one-body edit, one-template edit: wall s and pages rewritten, then,
   separately, the feeds, calendars and data files, which the preview writes
   after the reload. Each edit's files are handed to the engine as the preview's file
   watcher hands them (sitegen.files.snapshot_after; a scan when folders came);
   the no-op scans every file, as the watcher's periodic scan does.
3. Side by side with Hugo on the peers' pages (../shared/bench/peers/gen.py): the
   very same Markdown wrapped as meetings (one item each, the page body as its
   minutes), timed A B A B with a clean `hugo` build of the same pages, each
   pair's ratio reported. sitegen builds with --no-search (Hugo indexes nothing).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get("PEERS", ROOT.parent / "shared" / "bench" / "peers"))
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

TIME = "/usr/bin/time"


def paired_arguments(description: str, runs: int) -> argparse.ArgumentParser:
    """The options of a bench that times this checkout beside another side by side
    (bench/languages.py, bench/executive.py)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--before", help="a git commit of sitegen to time beside this one")
    parser.add_argument("--work", type=Path, default=None)
    return parser


def worktree(ref: str, work: Path) -> Path:
    """sitegen at the git commit REF, checked out once in WORK (run with this Python, from there)."""
    tree = work / f"sitegen-{ref.replace('^', '-parent')}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-f", str(tree), ref], check=True)
    return tree


def checkouts(before: str | None, work: Path) -> dict[str, Path]:
    """The sitegen checkouts a paired bench runs, by name: this one ("now"), and with
    BEFORE, that commit's (a worktree in WORK) first."""
    kinds = {"now": ROOT}
    if before:
        kinds = {f"at {before}": worktree(before, work), **kinds}
    return kinds


def script_result(script: str, args: list[str], cwd: Path, env: dict) -> object:
    """Run SCRIPT (Python source) in a fresh process, importing sitegen from CWD; what it
    printed last, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run CMD in a fresh process; wall, cpu (user+sys incl. children) and peak RSS (MiB)."""
    fmt = "%e %U %S %M"
    started = time.perf_counter()
    result = subprocess.run([TIME, "-f", fmt, *cmd], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    last = result.stderr.strip().splitlines()[-1].split()
    return {"wall": wall, "cpu": float(last[1]) + float(last[2]), "rss": int(last[3]) / 1024, "out": result.stdout}


def sitegen(content: Path, output: Path, jobs: int | None = None, state: bool = False) -> list[str]:
    """A `sitegen build` command; a clean build (no build state) unless STATE."""
    cmd = [sys.executable, "-m", "sitegen", "build", "--no-search", "--content", str(content), "--output", str(output)]
    return cmd + (["--jobs", str(jobs)] if jobs else []) + ([] if state else ["--no-cache"])


def kept_state(n: int, work: Path) -> list[str]:
    """`sitegen build` with its build state: the first build (no state: recorded and kept),
    a build with nothing changed, and one after a one-meeting edit of each kind, each in a
    fresh process, against a clean build (--no-cache) of the same content."""
    pristine = work / f"council-{n}" / "content"
    if not pristine.exists():
        synth.generate(n, pristine)
    base = work / f"council-{n}" / "state"
    shutil.rmtree(base, ignore_errors=True)
    content = base / "content"
    shutil.copytree(pristine, content)
    out = base / "output"
    rows = [
        f"| `sitegen build` (N = {n:,}) | wall s | cpu s | peak RSS MiB | pages rendered |",
        "|---|---:|---:|---:|---|",
    ]

    def run(name: str, state: bool = True) -> None:
        result = timed(sitegen(content, out if state else base / "clean", state=state))
        line = next((x for x in result["out"].splitlines() if x.startswith("render")), "")
        rows.append(f"| {name} | {result['wall']:.1f} | {result['cpu']:.1f} | {result['rss']:.0f} | {line[9:60]} |")
        print(rows[-1], flush=True)

    run("clean, --no-cache (for comparison)", state=False)
    run("no build state yet: everything rendered, reads recorded and kept")
    run("nothing changed")
    meeting = sorted((content / "meetings").rglob("*.md"))[n // 2]
    meeting.write_text(meeting.read_text().replace("location: ", "location: Room 9, ", 1))
    run("one meeting's place edited")
    deciding = next(p for p in sorted((content / "meetings").rglob("*.md")) if "outcome: approved" in p.read_text())
    deciding.write_text(deciding.read_text().replace("outcome: approved", "outcome: amended", 1))
    run("one decision's outcome edited")
    shutil.rmtree(base / "clean", ignore_errors=True)
    return rows


TRASH: list[Path] = []  # outputs set aside, deleted when the timing is over


def set_aside(path: Path) -> None:
    """Move PATH (a last run's output) out of the way, to be deleted after the timed runs.
    On ext4 without a journal, the inode allocator skips inodes freed in the last 30 s,
    each skip a lookup: a tree of tens of thousands of files deleted just before a timed
    run slows that run's file creation several-fold. A fresh clone (CI, Netlify) has no
    such deletions behind it, so neither sitegen nor Hugo is timed after one."""
    if path.exists():
        trash = path.parent / f".trash-{len(TRASH)}-{os.getpid()}"
        path.rename(trash)
        TRASH.append(trash)


def empty_trash() -> None:
    while TRASH:
        shutil.rmtree(TRASH.pop(), ignore_errors=True)


def pages_in(output: Path) -> int:
    return sum(1 for _ in output.rglob("index.html"))


def full_builds(sizes: list[int], work: Path, runs: int) -> list[str]:
    rows = [
        "| N meetings | pages | wall s (median of runs) | cpu s | pages/s | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        content = work / f"council-{n}" / "content"
        if not content.exists():
            synth.generate(n, content)
        results = []
        for _ in range(runs):
            out = work / f"council-{n}" / "output"
            set_aside(out)
            results.append(timed(sitegen(content, out)))
        wall = statistics.median(r["wall"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        rss = statistics.median(r["rss"] for r in results)
        pages = pages_in(work / f"council-{n}" / "output")
        rows.append(f"| {n:,} | {pages:,} | {wall:.1f} | {cpu:.1f} | {pages / wall:.0f} | {rss:.0f} |")
        print(rows[-1], flush=True)
    return rows


def incremental(n: int, work: Path) -> list[str]:
    from sitegen.files import snapshot, snapshot_after
    from sitegen.incremental import Project

    pristine = work / f"council-{n}" / "content"
    if not pristine.exists():
        synth.generate(n, pristine)
    content = work / f"council-{n}" / "edited" / "content"  # a fresh copy: the edits below change it
    shutil.rmtree(content.parent, ignore_errors=True)
    shutil.copytree(pristine, content)
    shutil.rmtree(work / f"council-{n}" / "incremental", ignore_errors=True)
    project = Project(content, work / f"council-{n}" / "incremental", search=False)
    project.defer_extras = True  # as in `sitegen serve`: pages first, then feeds, calendars and data
    # as in `sitegen serve` too: garbage is collected after each rebuild, not as it ends
    collecting = gc.isenabled()
    gc.disable()
    started = time.perf_counter()
    project.build()
    first = time.perf_counter() - started
    started = time.perf_counter()
    while project.warm():  # as `sitegen serve` does while idle after its first build
        pass
    idle = time.perf_counter() - started
    rows = [
        f"| change (N = {n:,}) | pages: wall s | pages rendered, rewritten | where the time went (s) | then feeds, calendars and data: wall s |",
        "|---|---:|---:|---|---:|",
        f"| first build (in process, what each page reads recorded) | {first:.1f} | all | then, while idle, the "
        f"first comparison and the plan's parts recorded {idle:.1f} s; peak RSS {_peak_mib():.0f} MiB | |",
    ]

    def step(name: str, change) -> None:  # type: ignore[no-untyped-def]
        paths = change()  # the files written, as the preview's file watcher reports them
        started = time.perf_counter()
        if paths is None:  # nothing reported: the whole snapshot, as the watcher's scans take it
            result = project.build()
        else:  # as the preview's watcher does: look at the files reported, or scan when it cannot say
            folders = project.watched()
            inputs = snapshot_after(project.inputs, folders, [str(p) for p in paths]) or snapshot(folders)
            result = project.build(inputs)
        seconds = time.perf_counter() - started
        assert result.ok, result.problems[:3]
        where = "only the changed meeting linked in: " if result.relinked else ""
        where += ", ".join(f"{k} {v:.2f}" for k, v in result.phases.items())
        started = time.perf_counter()
        project.publish_due()
        extras = time.perf_counter() - started
        gc.collect()
        rows.append(f"| {name} | {seconds:.2f} | {result.rendered}, {result.written} | {where} | {extras:.2f} |")
        print(rows[-1], flush=True)

    meeting = sorted((content / "meetings").rglob("*.md"))[n // 2]
    bodies = content / "bodies.yaml"
    theme = content.parent / "themes" / "default" / "templates"
    step("no-op", lambda: None)

    def place() -> list[Path]:
        meeting.write_text(meeting.read_text().replace("location: ", f"location: Room {time.time_ns()}, ", 1))
        return [meeting]

    step("one meeting edited: its place (prose)", place)

    def record() -> list[Path]:
        text = meeting.read_text()
        swap = (
            ("record: approved", "record: draft")
            if "record: approved" in text
            else ("record: draft", "record: approved")
        )
        assert swap[0] in text, "the bench meeting has no record: line"
        meeting.write_text(text.replace(*swap, 1))
        return [meeting]

    step("one meeting edited: its record, approved or draft", record)
    step("the same meeting's record edited back", record)

    def outcome() -> list[Path]:
        deciding = next(p for p in sorted((content / "meetings").rglob("*.md")) if "outcome: approved" in p.read_text())
        deciding.write_text(deciding.read_text().replace("outcome: approved", "outcome: amended", 1))
        return [deciding]

    step("one meeting edited: a decision's outcome (a linking edit)", outcome)

    def body() -> list[Path]:
        text = bodies.read_text()
        assert "name: Licensing Committee" in text, "the bench body is not in bodies.yaml"
        bodies.write_text(text.replace("name: Licensing Committee", "name: Licensing and Appeals Committee"))
        return [bodies]

    step("one body renamed", body)

    def template() -> list[Path]:
        theme.mkdir(parents=True, exist_ok=True)
        source = (ROOT / "themes/default/templates/person.html").read_text()
        (theme / "person.html").write_text(source.replace('<h2 id="interests-h">', '<h2 id="interests-h" class="x">'))
        return [theme.parent.parent, theme.parent, theme, theme / "person.html"]  # folders came: a scan

    step("one template (person.html) edited", template)
    shutil.rmtree(content.parent / "themes", ignore_errors=True)
    if collecting:
        gc.enable()
    return rows


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wrap_as_meetings(plain: Path, content: Path) -> None:
    """The peers' pages as sitegen meetings: one item each, the page body as its minutes."""
    committees: dict[str, str] = {}
    (content / "meetings").mkdir(parents=True, exist_ok=True)
    for path in sorted((plain / "content" / "minutes").glob("*.md")):
        text = path.read_text()
        _, front, body = text.split("---\n", 2)
        title = re.search(r'^title: "(.*)"$', front, re.M).group(1)  # type: ignore[union-attr]
        date = re.search(r"^date: (\S+)$", front, re.M).group(1)  # type: ignore[union-attr]
        committee = re.search(r'^committee: "(.*)"$', front, re.M).group(1)  # type: ignore[union-attr]
        bid = committees.setdefault(committee, re.sub(r"[^a-z0-9]+", "-", committee.lower()).strip("-"))
        body = body.replace("](/minutes/", "](/meetings/")
        minutes = "\n".join(("      " + line) if line else "" for line in body.strip("\n").splitlines())
        (content / "meetings" / path.name).write_text(
            f"---\nbody: {bid}\ndate: {date}\nstatus: held\nrecord: approved\nitems:\n  - id: minutes\n"
            f"    title: {json.dumps(title)}\n    minutes: |\n{minutes}\n---\n"
        )
    (content / "site.yaml").write_text("authority: Bench Council\ntitle: Bench\nbase_url: https://bench.example/\n")
    (content / "bodies.yaml").write_text(
        "".join(
            f"- id: {bid}\n  name: {json.dumps(name)}\n  kind: committee\n" for name, bid in sorted(committees.items())
        )
    )


def versus_hugo(sizes: list[int], work: Path, runs: int) -> list[str]:
    hugo = shutil.which(os.environ.get("HUGO", "hugo"))
    rows = [
        "| pages | sitegen wall s (median) | Hugo wall s (median) | ratio sitegen/Hugo, pair by pair | median ratio | sitegen cpu s | Hugo cpu s |",
        "|---:|---:|---:|---|---:|---:|---:|",
    ]
    if hugo is None:
        rows.append("| - | Hugo is not installed (apt-get install hugo) | | | | | |")
        return rows
    for n in sizes:
        hugo_site = work / f"hugo-{n}"
        plain = work / f"plain-{n}"
        content = work / f"wrapped-{n}" / "content"
        if not hugo_site.exists():
            subprocess.run(
                [sys.executable, str(PEERS / "gen.py"), "--pages", str(n), "--out", str(hugo_site), "--flavor", "hugo"],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [sys.executable, str(PEERS / "gen.py"), "--pages", str(n), "--out", str(plain), "--flavor", "plain"],
                check=True,
                capture_output=True,
            )
            wrap_as_meetings(plain, content)
        pairs = []
        for _ in range(runs):
            out = work / f"wrapped-{n}" / "output"
            set_aside(out)
            a = timed(sitegen(content, out))
            set_aside(hugo_site / "public")
            b = timed([hugo, "--quiet"], cwd=hugo_site)
            pairs.append((a, b))
            print(f"  {n}: sitegen {a['wall']:.2f} s, hugo {b['wall']:.2f} s", flush=True)
        ratios = [a["wall"] / b["wall"] for a, b in pairs]
        rows.append(
            f"| {n:,} | {statistics.median(a['wall'] for a, _ in pairs):.2f} | {statistics.median(b['wall'] for _, b in pairs):.2f} "
            f"| {', '.join(f'{r:.2f}' for r in ratios)} | {statistics.median(ratios):.2f} "
            f"| {statistics.median(a['cpu'] for a, _ in pairs):.1f} | {statistics.median(b['cpu'] for _, b in pairs):.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def profile(n: int, work: Path) -> None:
    import cProfile
    import pstats

    from sitegen.build import build

    content = work / f"council-{n}" / "content"
    if not content.exists():
        synth.generate(n, content)
    stats_file = work / "profile.out"
    cProfile.runctx(
        "build(content, out, search=False, jobs=1)",
        {"build": build, "content": content, "out": work / "profile-output"},
        {},
        str(stats_file),
    )
    pstats.Stats(str(stats_file)).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--profile", type=int, metavar="N", help="profile a full build of N meetings, then stop")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: full,incremental,state,hugo")
    args = parser.parse_args()
    os.environ.setdefault("SITEGEN_TODAY", "2026-11-27")
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile(args.profile, work)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.quick else args.runs
    skip = set(args.skip.split(","))
    print(f"work folder: {work}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n", flush=True)
    try:
        run_parts(sizes, work, runs, skip)
    finally:
        empty_trash()


def run_parts(sizes: list[int], work: Path, runs: int, skip: set[str]) -> None:
    if "full" not in skip:
        print("\n".join(["## Full builds, synthetic council", "", *full_builds(sizes, work, runs), ""]), flush=True)
    if "incremental" not in skip:
        print(
            "\n".join(
                ["## Incremental rebuilds (the preview server's engine)", "", *incremental(max(sizes), work), ""]
            ),
            flush=True,
        )
    if "state" not in skip:
        print("\n".join(["## Builds with the build state on disk", "", *kept_state(max(sizes), work), ""]), flush=True)
    if "hugo" not in skip:
        print("\n".join(["## Side by side with Hugo, same pages", "", *versus_hugo(sizes, work, runs), ""]), flush=True)


if __name__ == "__main__":
    main()
