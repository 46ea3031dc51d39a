"""`sitegen build` and `sitegen serve` starting from a build state, paired with sitegen at an
earlier commit on the same synthetic council, in one run:

- a build after a one-meeting edit (its place), in a fresh process, after a first build
  that recorded and kept the state; repeated RUNS times, A B A B, a new edit each time;
- with --preview, `sitegen serve` started from its state: the seconds from starting the
  command to the first page served (HTTP 200 for /), after a first preview that kept it;
  with --preview-edit too, a meeting's place is changed before each start, as a clerk
  does with the preview stopped (else no file changed since its state was kept);
- with --fresh-checkout, every content file is given a new time before each edit, as a
  fresh clone on CI or Netlify gives them (the state and the output kept by the cache);
- with --hugo, a clean `hugo` build of the peers' same number of pages
  (../shared/bench/peers/gen.py), timed in the same loop, after each round of edits:
  the issue's yardstick for an edit's build, on the same machine in the same minutes.

Each checkout has its own copy of the council, so that neither reads the other's state.

    python bench/state.py --meetings 10000 --before 399d55f --runs 3 --preview
    python bench/state.py --meetings 10000 --runs 5 --hugo
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from run import PEERS, checkouts, empty_trash, paired_arguments, set_aside, timed  # noqa: E402


def main() -> None:
    parser = paired_arguments(__doc__, runs=3)
    parser.add_argument(
        "--preview", action="store_true", help="time sitegen serve from its state to the first page too"
    )
    parser.add_argument(
        "--preview-edit", action="store_true", help="with --preview, change a meeting's place before each start"
    )
    parser.add_argument(
        "--fresh-checkout", action="store_true", help="give every content file a new time before each edit (as CI)"
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="keep each checkout's council and state from an earlier run in --work (no first build)",
    )
    parser.add_argument(
        "--hugo", action="store_true", help="time a clean Hugo build of the peers' same number of pages in each round"
    )
    args = parser.parse_args()
    hugo = shutil.which(os.environ.get("HUGO", "hugo")) if args.hugo else None
    if args.hugo and hugo is None:
        raise SystemExit("Hugo is not installed (apt-get install hugo)")
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-state-"))
    pristine = work / "pristine"
    if not pristine.exists():
        synth.generate(args.meetings, pristine)
    env = {**os.environ, "SITEGEN_TODAY": "2026-12-06"}
    kinds = checkouts(args.before, work)
    contents = {}
    for name, code in kinds.items():
        base = work / re.sub(r"\W+", "-", name)
        contents[name] = base / "content"
        if args.again and (base / "output").is_dir():
            print(f"{name}: the council and state of an earlier run", flush=True)
            continue
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(pristine, base / "content")
        first = timed(build(base / "content", base / "output"), cwd=code, env=env)
        print(
            f"{name}: first build with no state, {first['wall']:.1f} s ({first['cpu']:.1f} s of CPU, "
            f"{first['rss']:.0f} MiB at most)",
            flush=True,
        )
    hugo_site = work / f"hugo-{args.meetings}"
    if hugo is not None and not hugo_site.exists():
        generate = [sys.executable, str(PEERS / "gen.py"), "--pages", str(args.meetings), "--out", str(hugo_site)]
        subprocess.run([*generate, "--flavor", "hugo"], check=True, capture_output=True)
    hugos: list[dict] = []
    edits: dict[str, list[dict]] = {name: [] for name in kinds}
    for n in range(args.runs):
        for name, code in kinds.items():
            content = contents[name]
            if args.fresh_checkout:
                checked_out = time.time()
                for path in content.rglob("*"):
                    os.utime(path, (checked_out, checked_out))
            move_meeting(content, (n + 1) / (args.runs + 1), f"Room {n}")
            edits[name].append(timed(build(content, content.parent / "output"), cwd=code, env=env))
            print(f"{name}: edit {n + 1}, {edits[name][-1]['wall']:.1f} s", flush=True)
        if hugo is not None:
            set_aside(hugo_site / "public")  # (a clean build: nothing of the last one left)
            hugos.append(timed([hugo, "--quiet"], cwd=hugo_site))
            print(f"hugo: clean build of {args.meetings:,} pages, {hugos[-1]['wall']:.1f} s", flush=True)
    starts: dict[str, list[float]] = {name: [] for name in kinds}
    if args.preview:
        for name, code in kinds.items():
            preview(contents[name], code, env)  # the first: no state for the preview's settings yet
        for n in range(args.runs):
            for name, code in kinds.items():
                if args.preview_edit:
                    move_meeting(contents[name], (n + 1) / (args.runs + 2), f"Hall {n}")
                starts[name].append(preview(contents[name], code, env))
                print(f"{name}: preview start, {starts[name][-1]:.1f} s", flush=True)
    print(
        f"\n| {args.meetings:,} meetings ({args.runs} runs) | build after a one-meeting edit: wall s (median) "
        "| (least, most) | cpu s (median) | peak MiB | sitegen serve from its state to the first page, s (median) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in edits.items():
        walls = [r["wall"] for r in runs]
        start = f"{statistics.median(starts[name]):.1f}" if starts[name] else ""
        print(
            f"| {name} | {statistics.median(walls):.1f} | {min(walls):.1f}, {max(walls):.1f} "
            f"| {statistics.median(r['cpu'] for r in runs):.1f} | {max(r['rss'] for r in runs):.0f} | {start} |"
        )
    if hugos:
        walls = [r["wall"] for r in hugos]
        print(
            f"| Hugo, a clean build of the peers' {args.meetings:,} pages | {statistics.median(walls):.1f} "
            f"| {min(walls):.1f}, {max(walls):.1f} | {statistics.median(r['cpu'] for r in hugos):.1f} "
            f"| {max(r['rss'] for r in hugos):.0f} | |"
        )
    empty_trash()


def move_meeting(content: Path, share: float, room: str) -> None:
    """The one-meeting edit: the meeting file SHARE of the way through CONTENT's (in
    order of their paths) is given ROOM before its place."""
    files = sorted((content / "meetings").rglob("*.md"))
    meeting = files[int(share * len(files))]
    meeting.write_text(meeting.read_text().replace("location: ", f"location: {room}, ", 1))


def build(content: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "sitegen", "build", "--no-search", "--content", str(content), "--output", str(output)]


def preview(content: Path, code: Path, env: dict) -> float:
    """`sitegen serve` of CONTENT started in a fresh process: the seconds until it serves
    its home page; then stopped as Ctrl+C stops it."""
    import signal
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    command = [sys.executable, "-m", "sitegen", "serve", "--content", str(content), "--port", str(port)]
    process = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                raise SystemExit(f"sitegen serve ended with {process.returncode}")
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        ended = end_stray_indexers(content)
        if ended:
            print(f"(ended {ended} Pagefind process{'es' if ended > 1 else ''} the preview left running)", flush=True)


def end_stray_indexers(content: Path) -> int:
    """End any Pagefind still indexing a folder of CONTENT's cache folder once its preview
    has stopped (a checkout before 123e934 could leave one, which then slowed every later
    run); the number ended. Linux only (it reads /proc)."""
    import signal

    cache = str(Path(content).resolve().parent / ".sitegen-cache")
    ended = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else []:
        try:
            parts = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if any(b"pagefind" in part for part in parts) and any(
            p.decode(errors="replace").startswith(cache) for p in parts
        ):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                ended += 1
            except OSError:
                pass
    return ended


if __name__ == "__main__":
    main()
