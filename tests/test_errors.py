"""One small broken site per error rule: the exact PATH:LINE: message, exit 1, no traceback."""

from __future__ import annotations

import pytest

CABINET = """\
---
body: cabinet
date: 2011-11-16
start: 18:30
status: held
record: approved
items:
  - id: strategic-commissioning
    title: Strategic commissioning
    decisions:
      - id: "1"
        text: Endorsed.
      - id: "2"
        type: recommendation
        to: council
        text: Council approves the proposals.
---
"""


def check(cli, content):
    result = cli("check", "--content", content)
    assert "Traceback" not in result.err
    return result


def errors_of(result) -> list[str]:
    return [line for line in result.err.splitlines() if ": " in line and not line.startswith(("1 error", "2 error"))]


CASES = [
    (
        "yaml syntax",
        {"meetings/m.md": "---\nbody: cabinet\ndate: 2011-11-16\nitems: [\n---\n"},
        "meetings/m.md:4: YAML syntax error:",
    ),
    (
        "tab indentation",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n\t- id: x\n"},
        "meetings/m.yaml:4: YAML does not allow tab characters for indentation; indent with spaces",
    ),
    (
        "a tab opening a block of text (pasted from a word processor)",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: x\n    title: X\n    minutes: |\n      \tPasted.\n"
        },
        "meetings/m.yaml:7: the first line of this block of text starts with a tab",
    ),
    (
        "unknown key with suggestion",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nlocaton: Town Hall\n"},
        'meetings/m.yaml:3: unknown key "locaton" in meeting (did you mean "location"?)',
    ),
    (
        "unknown item key",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    minuets: text\n"},
        'meetings/m.yaml:6: unknown key "minuets" in item (did you mean "minutes"?)',
    ),
    (
        "missing meeting date",
        {"meetings/m.yaml": "body: cabinet\nlocation: Town Hall\n"},
        'meetings/m.yaml:1: meeting is missing "date"',
    ),
    (
        "missing item title (line of the mapping)",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    number: '1'\n"},
        'meetings/m.yaml:4: item is missing "title"',
    ),
    (
        "missing decision text",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n"
        },
        'meetings/m.yaml:7: decision is missing "text"',
    ),
    (
        "recommendation without to",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        type: recommendation\n        text: T\n"
        },
        'meetings/m.yaml:7: decision is missing "to"',
    ),
    (
        "decides without outcome",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: x/y/z\n"
        },
        'meetings/m.yaml:10: decides entry is missing "outcome"',
    ),
    (
        "impossible date",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-02-30\n"},
        'meetings/m.yaml:2: "2011-02-30" is not a real date (date is YYYY-MM-DD)',
    ),
    (
        "malformed date",
        {"meetings/m.yaml": "body: cabinet\ndate: 16/11/2011\n"},
        'meetings/m.yaml:2: date "16/11/2011" is not a date: write YYYY-MM-DD, e.g. 2011-11-16',
    ),
    (
        "impossible time",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nstart: 25:00\n"},
        'meetings/m.yaml:3: "25:00" is not a real time (start is HH:MM, 24-hour, e.g. 18:30)',
    ),
    (
        "bad enum with suggestion",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nstatus: helt\n"},
        'meetings/m.yaml:3: status "helt" is not one of: scheduled, held, cancelled, postponed, adjourned (did you mean "held"?)',
    ),
    (
        "duplicate key",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nbody: council\n"},
        'meetings/m.yaml:3: duplicate key "body" (first given on line 1); keep one of them',
    ),
    (
        "item id not a slug",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: Strategic Commissioning\n    title: A\n"},
        'meetings/m.yaml:4: "Strategic Commissioning" is not a valid item id: use lowercase letters, digits and hyphens (e.g. "strategic-commissioning")',
    ),
    (
        "meeting file name not a slug",
        {"meetings/Cabinet 16 Nov.yaml": "body: cabinet\ndate: 2011-11-16\n"},
        'meetings/Cabinet 16 Nov.yaml:1: the file name "Cabinet 16 Nov" is not a valid meeting id: use lowercase letters, digits and hyphens (e.g. "cabinet-16-nov")',
    ),
    (
        "duplicate meeting id across folders (the later path, naming the first)",
        {
            "meetings/2011/a.yaml": "body: cabinet\ndate: 2011-11-16\n",
            "meetings/2012/a.yaml": "body: cabinet\ndate: 2012-11-16\n",
        },
        'meetings/2012/a.yaml:1: duplicate id "a" (first at meetings/2011/a.yaml); the ids of meetings and decisions are their file names, unique across meetings/ and decisions/: rename one of them',
    ),
    (
        "duplicate item id",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n  - id: a\n    title: B\n"
        },
        'meetings/m.yaml:6: duplicate item id "a" in this meeting (first at line 4)',
    ),
    (
        "duplicate decision id",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: X\n      - id: '1'\n        text: Y\n"
        },
        'meetings/m.yaml:9: duplicate decision id "1" in this item (first at line 7)',
    ),
    (
        "duplicate body id",
        {
            "bodies.yaml": "- id: council\n  name: Council\n  kind: council\n- id: council\n  name: Again\n  kind: council\n"
        },
        'bodies.yaml:4: duplicate body id "council" (first at bodies.yaml:1)',
    ),
    (
        "unknown body",
        {"meetings/m.yaml": "body: cabinett\ndate: 2011-11-16\n"},
        'meetings/m.yaml:1: unknown body "cabinett" (did you mean "cabinet"?); bodies are listed in bodies.yaml',
    ),
    (
        "unknown person",
        {"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\npresent: [leader, cllr-a-kahn]\n"},
        'meetings/m.yaml:3: unknown person "cllr-a-kahn" (did you mean "cllr-a-khan"?); add them to people.yaml',
    ),
    (
        "unknown recommendation target body",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        type: recommendation\n        to: counsel\n        text: T\n"
        },
        'meetings/m.yaml:9: unknown body "counsel" (did you mean "council"?); bodies are listed in bodies.yaml',
    ),
    (
        "decides a decision that does not exist",
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: council\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/9\n            outcome: approved\n",
        },
        'meetings/c.yaml:10: decides "2011-11-16-cabinet/strategic-commissioning/9": there is no such decision',
    ),
    (
        "decides a resolution",
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: council\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/1\n            outcome: approved\n",
        },
        'meetings/c.yaml:10: decides "2011-11-16-cabinet/strategic-commissioning/1": that decision is a resolution, not a recommendation',
    ),
    (
        "decides an item",
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: council\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning\n            outcome: approved\n",
        },
        'meetings/c.yaml:10: decides "2011-11-16-cabinet/strategic-commissioning" names an item; decides names a decision: MEETING/ITEM/DECISION',
    ),
    (
        "decides dated before the recommendation",
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: council\ndate: 2011-11-01\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: approved\n",
        },
        'meetings/c.yaml:10: decides "2011-11-16-cabinet/strategic-commissioning/2": this meeting (2011-11-01) is before the recommendation was made (2011-11-16)',
    ),
    (
        "bad outcome",
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: council\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: aproved\n",
        },
        'meetings/c.yaml:11: outcome "aproved" is not one of: approved, amended, rejected, deferred, referred-back, withdrawn, noted (did you mean "approved"?)',
    ),
    (
        "considers something missing",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    considers:\n      - nowhere/x\n"
        },
        'meetings/m.yaml:7: considers "nowhere/x": there is no such item',
    ),
    (
        "at names no meeting",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        to: council\n        at: 2011-12-07-counsil\n        text: T\n"
        },
        'meetings/m.yaml:9: at "2011-12-07-counsil": there is no such meeting',
    ),
    (
        "href to a missing file",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\ndocuments:\n  - title: Agenda\n    href: files/agenda.pdf\n"
        },
        'meetings/m.yaml:5: href "files/agenda.pdf": there is no such file under the content folder',
    ),
    (
        "href outside the content folder",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\ndocuments:\n  - title: Secrets\n    href: ../../etc/passwd\n"
        },
        'meetings/m.yaml:5: href "../../etc/passwd" should be a path under files/ in the content folder (e.g. files/2011/report.pdf)',
    ),
    (
        "javascript href",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\ndocuments:\n  - title: X\n    href: javascript:alert(1)\n"
        },
        'meetings/m.yaml:5: href "javascript:alert(1)" should be an https:// address or a path under files/',
    ),
    (
        "broken ref: link in minutes",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    minutes: |\n      First line.\n\n      See [the decision](ref:nowhere/x/1).\n"
        },
        'meetings/m.yaml:9: link to "ref:nowhere/x/1": there is no such decision',
    ),
    (
        "vote on an unknown decision",
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    votes:\n      - on: '7'\n        for: 3\n"
        },
        'meetings/m.yaml:7: vote on "7": this item has no decision or amendment with that id',
    ),
    (
        "empty file",
        {"meetings/m.yaml": "\n"},
        "meetings/m.yaml:1: the file is empty",
    ),
    (
        "not UTF-8",
        {"meetings/m.yaml": None},
        "meetings/m.yaml:3: the file is not UTF-8 text (byte offset 41: 0xe9); save it as UTF-8",
    ),
    (
        "missing front matter",
        {"meetings/m.md": "body: cabinet\n"},
        'meetings/m.md:1: a meeting .md file starts with a line "---", then the meeting in YAML, then "---"',
    ),
    (
        "people.yaml unknown role",
        {"people.yaml": "- id: x\n  name: X\n  role: councillor\n"},
        'people.yaml:3: role "councillor" is not one of: member, officer, other',
    ),
]


@pytest.mark.parametrize("name,files,expected", CASES, ids=[c[0] for c in CASES])
def test_error_rule(cli, site, name, files, expected):
    content = site(files)
    if name == "not UTF-8":
        (content / "meetings").mkdir(exist_ok=True)
        (content / "meetings" / "m.yaml").write_bytes(b"body: cabinet\ndate: 2011-11-16\nnotes: caf\xe9\n")
    result = check(cli, content)
    assert result.code == 1
    lines = errors_of(result)
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)


def test_all_problems_reported_together_sorted(cli, site):
    content = site(
        {
            "meetings/b.yaml": "body: nobody\ndate: 2011-11-16\n",
            "meetings/a.yaml": "body: cabinet\ndate: 2011-13-01\nstatus: helt\n",
        }
    )
    result = check(cli, content)
    lines = [line for line in result.err.splitlines() if line.startswith("meetings/")]
    assert [line.split(": ")[0] for line in lines] == ["meetings/a.yaml:2", "meetings/a.yaml:3", "meetings/b.yaml:1"]
    assert result.err.rstrip().endswith(f"3 errors (paths are relative to {content}); nothing was written")


def test_warning_does_not_fail_unless_strict(cli, site):
    content = site(
        {
            "meetings/2011-11-16-cabinet.md": CABINET,
            "meetings/c.yaml": "body: audit\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: approved\n",
        }
    )
    result = check(cli, content)
    assert result.code == 0
    assert (
        'meetings/c.yaml:10: warning: decides "2011-11-16-cabinet/strategic-commissioning/2": the recommendation '
        "was made to Council, but Audit Committee decides it" in result.err
    )
    assert check(cli, content).code == 0
    assert cli("check", "--strict", "--content", content).code == 1


def test_scheduled_in_past_and_held_in_future_warn(cli, site):
    content = site(
        {
            "meetings/a.yaml": "body: cabinet\ndate: 2011-11-16\nstatus: scheduled\n",
            "meetings/b.yaml": "body: cabinet\ndate: 2030-01-01\nstatus: held\n",
        }
    )
    result = check(cli, content)
    assert result.code == 0
    assert (
        "meetings/a.yaml:1: warning: the meeting is scheduled but dated 2011-11-16, in the past; was it held?"
        in result.err
    )
    assert "meetings/b.yaml:1: warning: the meeting is marked held but dated 2030-01-01, in the future" in result.err


def test_build_writes_nothing_on_error(cli, site, tmp_path):
    content = site({"meetings/a.yaml": "body: nobody\ndate: 2011-11-16\n"})
    out = tmp_path / "output"
    result = cli("build", "--content", content, "--output", out)
    assert result.code == 1
    assert not out.exists()
    assert "nothing was written" in result.err


def test_a_broken_meeting_file_does_not_make_false_errors_elsewhere(cli, site):
    content = site(
        {
            "meetings/2011-11-16-cabinet.md": CABINET.replace("date: 2011-11-16", "date: 2011-11-31"),
            "meetings/c.yaml": "body: council\ndate: 2011-12-07\nitems:\n  - id: a\n    title: A\n    considers: [2011-11-16-cabinet/strategic-commissioning/2]\n    decisions:\n      - id: '1'\n        text: T\n        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: approved\n",
        }
    )
    result = check(cli, content)
    lines = errors_of(result)
    assert lines[0] == 'meetings/2011-11-16-cabinet.md:3: "2011-11-31" is not a real date (date is YYYY-MM-DD)'
    assert not any(line.startswith("meetings/c.yaml") for line in lines), lines


def test_file_name_and_date_disagreeing_warns(cli, site):
    content = site({"meetings/2011-11-16-cabinet.yaml": "body: cabinet\ndate: 2011-11-17\n"})
    result = check(cli, content)
    assert result.code == 0
    assert (
        "meetings/2011-11-16-cabinet.yaml:2: warning: the file name says 2011-11-16 but the date is 2011-11-17; "
        "rename the file (keep the old name in aliases:) or correct the date" in result.err
    )


@pytest.mark.parametrize(
    "text,title,notes",
    [
        ("---\nbody: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n---\nNotes.\n", "A", "Notes.\n"),
        ("---\nbody: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: B\n... \t\nLater.\n", "B", "Later.\n"),
        # an indented line, or one that only starts like a fence, does not end it
        (
            "---\nbody: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: C\n    minutes: |\n      ---\n"
            "      ----\n      ---x\n---\nIntro\n\n---\n\nMore\n",
            "C",
            "Intro\n\n---\n\nMore\n",
        ),
    ],
)
def test_front_matter_ends_at_the_first_fence_line(site, text, title, notes):
    """A meeting .md file's YAML ends at the first line that is "---" or "..." (spaces
    after it allowed); what follows is the meeting's notes."""
    from sitegen.build import load

    meeting = load(site({"meetings/2011-11-16-cabinet.md": text})).model.meetings["2011-11-16-cabinet"]
    assert meeting.items[0].title == title
    if title == "C":
        assert meeting.items[0].minutes == "---\n----\n---x\n"
    assert meeting.notes.strip() == notes.strip()


def test_a_suggestion_prefers_the_id_that_differs_only_by_look_alike_characters():
    from sitegen.errors import did_you_mean

    assert did_you_mean("kd-2026-2l", ["kd-2026-24", "kd-2026-21"]) == ' (did you mean "kd-2026-21"?)'
    assert did_you_mean("CY", ["en", "cy"]) == ' (did you mean "cy"?)'
    assert did_you_mean("cabnet", ["cabinet", "council"]) == ' (did you mean "cabinet"?)'
    assert did_you_mean("zzz", ["cabinet"]) == ""
