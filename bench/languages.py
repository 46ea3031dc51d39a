"""What languages cost: clean builds (--no-cache --no-search) of the synthetic council in
one language and in two (languages: [en, cy], every text in the first language only, so
the second language's pages show them marked with lang), paired A B A B in one run; with
--before REF, the same one-language build by sitegen at the git commit REF too (a
worktree in the work folder, run with this Python).

    python bench/languages.py                       # 1,000 meetings, 4 runs each
    python bench/languages.py --before 4c392e7      # and sitegen before the languages
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from run import empty_trash, paired_arguments, set_aside, timed, worktree  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = paired_arguments(__doc__, runs=4)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-languages-"))
    one = work / "one" / "content"
    if not one.exists():
        synth.generate(args.meetings, one)
    two = work / "two" / "content"
    if not two.exists():
        shutil.copytree(one, two)
        site = two / "site.yaml"
        text = site.read_text(encoding="utf-8").replace("language: en-GB", "language: en\nlanguages: [en, cy]")
        site.write_text(text, encoding="utf-8")
    env = {**os.environ, "SITEGEN_TODAY": "2026-12-06"}
    kinds = {"one language": (ROOT, one), "two languages": (ROOT, two)}
    if args.before:
        tree = worktree(args.before, work)
        kinds = {f"one language, at {args.before}": (tree, one), **kinds}
    results: dict[str, list[dict]] = {name: [] for name in kinds}
    for n in range(args.runs):
        for name, (code, content) in kinds.items():
            out = work / "out" / f"{name.replace(' ', '-')}-{n}"
            cmd = [sys.executable, "-m", "sitegen", "build", "--no-search", "--no-cache"]
            results[name].append(timed([*cmd, "--content", str(content), "--output", str(out)], cwd=code, env=env))
            set_aside(out)  # (deleted after the timing: see run.set_aside)
    empty_trash()
    print(
        f"| clean build, {args.meetings:,} meetings ({args.runs} runs) | wall s (median) | cpu s (median) "
        "| cpu s (least, most) | peak MiB |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, runs in results.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpus = [r["cpu"] for r in runs]
        spread = f"{min(cpus):.2f}, {max(cpus):.2f}"
        print(f"| {name} | {wall:.2f} | {statistics.median(cpus):.2f} | {spread} | {max(r['rss'] for r in runs):.0f} |")
    one_cpu = statistics.median(r["cpu"] for r in results["one language"])
    two_cpu = statistics.median(r["cpu"] for r in results["two languages"])
    print(f"\ntwo languages / one language (cpu): {two_cpu / one_cpu:.2f}")


if __name__ == "__main__":
    main()
