"""A seeded generator of synthetic councils in the content model.

    python bench/synth.py --meetings 2000 --out /tmp/council

N meetings over 12 bodies and 60 people, 4 to 10 items each, about 1.5 KB of
Markdown minutes per item (paragraphs, a list, a table), 1 to 4 decisions per
item; a tenth of the decisions are recommendations decided at a later meeting
of the body they go to (some deferred first), and issues span several meetings.

With executive records (--executive): about one decision made by one person per
meeting (a cabinet member's, with its notice published the next day; one in ten a
key decision, some called in), and a forward plan entry for a tenth of Cabinet's
items, whose first decision is the key decision that carries it out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

BODIES = [
    ("council", "Council", "council", ""),
    ("cabinet", "Cabinet", "executive", "council"),
    ("planning", "Planning Committee", "committee", "council"),
    ("licensing", "Licensing Committee", "committee", "council"),
    ("audit", "Audit Committee", "committee", "council"),
    ("overview-scrutiny", "Overview and Scrutiny Committee", "committee", "council"),
    ("health-scrutiny", "Health Scrutiny Panel", "panel", "overview-scrutiny"),
    ("standards", "Standards Committee", "committee", "council"),
    ("staff", "Staff and Support Services Committee", "committee", "council"),
    ("housing", "Housing Panel", "panel", "cabinet"),
    ("environment", "Environment Sub-Committee", "sub-committee", "cabinet"),
    ("finance", "Finance Panel", "panel", "cabinet"),
]
WORDS = (
    "council report budget service review members officers residents housing planning transport "
    "waste parks library leisure contract consultation policy strategy scheme proposal funding "
    "community ward application licence audit risk performance savings capital revenue"
).split()
TOPICS = [
    "Budget monitoring",
    "Waste collection contract",
    "Local plan review",
    "Car parking charges",
    "Leisure centre refurbishment",
    "Housing allocations policy",
    "Licensing policy",
    "Internal audit plan",
    "Community grants",
    "Climate action plan",
    "Town centre regeneration",
    "Library opening hours",
    "Council tax support scheme",
    "Parks management plan",
    "Procurement strategy",
    "Pay policy statement",
]


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def minutes(rng: random.Random) -> str:
    parts = [" ".join(sentence(rng) for _ in range(4)), " ".join(sentence(rng) for _ in range(3))]
    parts.append("\n".join(f"- {sentence(rng, 9)}" for _ in range(4)))
    rows = "\n".join(f"| {rng.choice(TOPICS)} | £{rng.randint(1, 900)},000 | {rng.randint(1, 12)} |" for _ in range(3))
    parts.append("| Area | Amount | Months |\n| --- | --- | --- |\n" + rows)
    parts.append(" ".join(sentence(rng) for _ in range(3)))
    return "\n\n".join(parts)


def indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else "" for line in text.splitlines())


def generate(n: int, out: Path, seed: int = 1, executive: bool = False) -> None:
    rng = random.Random(seed)
    content = out
    (content / "meetings").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(
        "authority: Synthetic Borough Council\ntitle: Synthetic Borough Council meetings\n"
        "base_url: https://meetings.example.org/\nlanguage: en-GB\ntimezone: Europe/London\n"
        "licence: Open Government Licence v3.0\n"
    )
    bodies = "".join(
        f"- id: {b}\n  name: {name}\n  kind: {kind}\n" + (f"  reports_to: {to}\n" if to else "")
        for b, name, kind, to in BODIES
    )
    (content / "bodies.yaml").write_text(bodies)
    people = [f"cllr-{i:02d}" for i in range(52)] + [f"officer-{i}" for i in range(8)]
    (content / "people.yaml").write_text(
        "".join(
            f"- id: {p}\n  name: {'Councillor' if p.startswith('cllr') else 'Officer'} {p.split('-')[1]}\n"
            f"  role: {'member' if p.startswith('cllr') else 'officer'}\n"
            for p in people
        )
    )
    start = dt.date(2026, 11, 1) - dt.timedelta(days=int(n * 1.3))
    meetings: list[tuple[str, dt.date, str]] = []
    for i in range(n):
        body = BODIES[i % len(BODIES)][0] if i % 5 else rng.choice(BODIES)[0]
        date = start + dt.timedelta(days=int(i * 1.3))
        meetings.append((f"{date.isoformat()}-{body}-{i}", date, body))
    pending: dict[str, list[tuple[str, dt.date]]] = {b[0]: [] for b in BODIES}
    plan: list[str] = []
    for index, (mid, date, body) in enumerate(meetings):
        items = []
        for j in range(rng.randint(4, 10)):
            topic = rng.choice(TOPICS)
            planned = ""
            if executive and body == "cabinet" and rng.random() < 0.1:
                pid = f"kd-{index}-{j + 1}"
                plan.append(
                    f"- id: {pid}\n  title: {topic}\n  decision_maker: cabinet\n  expected: {date:%Y-%m}\n"
                    f"  first_published: {date - dt.timedelta(days=40)}\n  key: true\n  summary: {sentence(rng)}\n"
                )
                planned = f"        key: true\n        plan: {pid}\n        published: {date + dt.timedelta(days=1)}\n"
            decisions = []
            decides = []
            if pending[body] and rng.random() < 0.5:
                ref, made = pending[body].pop(0)
                outcome = (
                    "deferred"
                    if rng.random() < 0.15
                    else rng.choice(["approved", "approved", "amended", "noted", "rejected"])
                )
                decides.append((ref, outcome))
                if outcome == "deferred":
                    pending[body].append((ref, made))
            for k in range(1, rng.randint(1, 4) + 1):
                entry = f'      - id: "{k}"\n        text: {sentence(rng)}\n'
                if k == 1 and planned:
                    entry += planned
                if k == 1 and decides:
                    entry += "        decides:\n" + "".join(
                        f"          - ref: {ref}\n            outcome: {outcome}\n" for ref, outcome in decides
                    )
                elif rng.random() < 0.1 and body != "council":
                    to = next(b for b in BODIES if b[0] == body)[3] or "council"
                    entry = f'      - id: "{k}"\n        type: recommendation\n        to: {to}\n        text: {sentence(rng)}\n'
                    pending[to].append((f"{mid}/item-{j + 1}/{k}", date))
                decisions.append(entry)
            issue = f"    issue: {topic.lower().replace(' ', '-')}-{index // 200}\n" if rng.random() < 0.2 else ""
            items.append(
                f'  - id: item-{j + 1}\n    number: "{j + 1}"\n    title: {topic}\n{issue}'
                f"    minutes: |\n{indent(minutes(rng), 6)}\n    decisions:\n" + "".join(decisions)
            )
        present = rng.sample(people[:52], 8)
        text = (
            f"---\nbody: {body}\ndate: {date.isoformat()}\nstart: 18:30\nlocation: Council Chamber\n"
            f"status: held\nrecord: approved\nchair: {present[0]}\npresent: [{', '.join(present)}]\n"
            f"items:\n" + "".join(items) + "---\n"
        )
        folder = content / "meetings" / str(date.year)
        folder.mkdir(exist_ok=True)
        (folder / f"{mid}.md").write_text(text)
        if executive:
            individual_decision(rng, content, index, date, people)
    if executive:
        (content / "forward-plan.yaml").write_text("".join(plan))


def individual_decision(rng: random.Random, content: Path, index: int, date: dt.date, people: list[str]) -> None:
    """A cabinet member's decision of DATE (decisions/YYYY/DATE-decision-INDEX.yaml)."""
    maker = people[index % 6]
    lines = [
        f"date: {date}",
        f"decision_maker: {maker}",
        f"title: {rng.choice(TOPICS)} - decision {index}",
        f"published: {date + dt.timedelta(days=1)}",
        f"text: {sentence(rng, 30)}",
        f"reasons: {sentence(rng, 40)}",
    ]
    if rng.random() < 0.1:
        lines.append("urgency: The matter could not wait.")
    elif rng.random() < 0.05:
        lines.append(f"call_in:\n  called_in: {date + dt.timedelta(days=3)}\n  by: [{people[10]}, {people[11]}]")
    folder = content / "decisions" / str(date.year)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{date}-decision-{index}.yaml").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--executive", action="store_true", help="add decisions made by one person and a forward plan")
    args = parser.parse_args()
    generate(args.meetings, args.out, args.seed, args.executive)
    print(f"wrote {args.meetings} meetings to {args.out}")


if __name__ == "__main__":
    main()
