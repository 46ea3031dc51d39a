"""Save-to-reload latency of `sitegen serve`.

    python bench/serve_latency.py            # example site and a 2,000-meeting synthetic site

Starts the real server, connects to its livereload websocket as a browser
does, rewrites one meeting file, and times from the write until the reload
message has arrived and the changed page has been fetched. Prints the median
and the worst of several edits. On the synthetic site it times three kinds of
one-meeting edit: prose only (the place; minutes behave the same), which takes
the fastest path; a status change, which needs statuses worked out again and
the site re-planned but no relinking; and a decision's outcome, a linking edit:
the changed meeting is linked in again, with what links to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def measure(content: Path, meeting: Path, page: str, edits: int, kind: str = "prose") -> list[float]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    os.set_blocking(proc.stdout.fileno(), False)  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                await asyncio.sleep(0.2)
        ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
        await ws.write_message(
            json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
        )
        await ws.read_message()
        await ws.write_message(json.dumps({"command": "info", "url": base + page}))
        times = []
        original = meeting.read_text()
        for n in range(edits):
            await asyncio.sleep(1.0)
            marker = f"Room {n}-{time.time_ns()}"
            start = time.perf_counter()
            text = original.replace("location: ", f"location: {marker}, ", 1)
            if kind == "status" and n % 2 == 0:  # statuses elsewhere change; no link does
                text = text.replace("status: held", "status: adjourned", 1)
            if kind == "outcome" and n % 2 == 0:  # a change to the links between meetings
                text = text.replace("outcome: approved", "outcome: amended", 1)
            meeting.write_text(text)
            while True:  # a reload can also come from catching the file half-written: wait for the good one
                message = json.loads(await asyncio.wait_for(ws.read_message(), 60))
                assert message["command"] == "reload", message
                html = urllib.request.urlopen(base + page, timeout=10).read().decode()
                if marker in html:
                    break
            times.append(time.perf_counter() - start)
        ws.close()
        await asyncio.sleep(0.5)
        said = re.findall(r"built: .*\(([0-9.]+) s\)", proc.stdout.read() or "")  # type: ignore[union-attr]
        print(f"  the server's own rebuild times (s): {', '.join(said[1:])}", file=sys.stderr)
        print(f"  each save to its reloaded page (s): {', '.join(f'{t:.2f}' for t in times)}", file=sys.stderr)
        return times
    finally:
        proc.terminate()
        proc.wait()


def report(name: str, times: list[float]) -> None:
    print(f"| {name} | {len(times)} | {statistics.median(times):.2f} | {max(times):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        example = work / "example"
        shutil.copytree(ROOT / "content", example)
        meeting = example / "meetings/2011/2011-11-16-cabinet.md"
        print("| site | edits | median save-to-reload s | worst s |")
        print("| --- | --- | --- | --- |")
        report("example", asyncio.run(measure(example, meeting, "/meetings/2011-11-16-cabinet/", args.edits)))
        synthetic = work / "synthetic"
        synth.generate(args.meetings, synthetic)
        target = sorted((synthetic / "meetings").rglob("*.md"))[args.meetings // 2]
        report(
            f"synthetic, {args.meetings} meetings: minutes or place edited",
            asyncio.run(measure(synthetic, target, f"/meetings/{target.stem}/", args.edits)),
        )
        report(
            f"synthetic, {args.meetings} meetings: status changed (statuses worked out again, site re-planned)",
            asyncio.run(measure(synthetic, target, f"/meetings/{target.stem}/", args.edits, "status")),
        )
        deciding = next(
            p for p in sorted((synthetic / "meetings").rglob("*.md")) if "outcome: approved" in p.read_text()
        )
        report(
            f"synthetic, {args.meetings} meetings: an outcome changed (a linking edit)",
            asyncio.run(measure(synthetic, deciding, f"/meetings/{deciding.stem}/", args.edits, "outcome")),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("SITEGEN_TODAY", "2026-11-27")
    main()
