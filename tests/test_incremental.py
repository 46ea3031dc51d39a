"""Incremental rebuilds give byte-for-byte the same site as a clean build."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_example
from test_cli import snapshot

from sitegen import incremental
from sitegen.build import build
from sitegen.incremental import Project

CABINET = "meetings/2011/2011-11-16-cabinet.md"
COUNCIL = "meetings/2011/2011-12-07-council.md"
AT_MEETING = "meetings/2012/2012-02-29-council.md"  # where recommendations were due to be decided
SCHEDULED = "meetings/2027/2027-01-20-cabinet.md"
AUDIT = "meetings/2012/2012-01-24-audit-panel.yaml"


def same_as_clean(content: Path, incremental_out: Path, tmp: Path, n: int) -> None:
    clean = tmp / f"clean-{n}"
    build(content, clean, base_path="/", search=False)
    assert snapshot(incremental_out) == snapshot(clean), f"after edit {n}"


def edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("shared", [False, True], ids=["one-process", "forked-workers"])
def test_series_of_edits_matches_clean_builds(tmp_path, monkeypatch, shared):
    if shared:  # share out every re-render to forked workers, as for a large site
        monkeypatch.setattr(incremental, "PARALLEL_FROM", 2)
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    steps = [
        # change a meeting: the Cabinet item's minutes and a recommendation's text
        lambda: edit(content, CABINET, "The Leader invited", "The Leader warmly invited"),
        lambda: edit(
            content, CABINET, "It be recommended that Council approves", "It be RECOMMENDED that Council approves"
        ),
        # change an outcome in the deciding meeting: statuses elsewhere change
        # a declaration's wording (shown on the person's page) and the meeting's place
        lambda: (
            edit(content, CABINET, "Non-pecuniary", "Non-pecuniary, declared in full"),
            edit(content, CABINET, "Council Chamber", "The Blue Room"),
            # an open recommendation's text, shown on the awaiting-decision page
            edit(content, AUDIT, "Rules as set out in the appendix", "Rules as set out in appendix A"),
        ),
        lambda: edit(content, COUNCIL, "outcome: approved", "outcome: deferred"),
        # add a meeting that decides the now-deferred recommendation
        lambda: (content / "meetings/2012/2012-01-11-council.md").write_text(
            "---\nbody: council\ndate: 2012-01-11\nstatus: held\nrecord: draft\nitems:\n  - id: commissioning\n"
            "    title: Strategic commissioning (deferred)\n    decisions:\n      - id: '1'\n        text: Approved.\n"
            "        decides:\n          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: approved\n---\n"
        ),
        # rename it
        lambda: (content / "meetings/2012/2012-01-11-council.md").rename(
            content / "meetings/2012/2012-01-12-council.md"
        ),
        # delete it
        lambda: (content / "meetings/2012/2012-01-12-council.md").unlink(),
        # edits no link depends on, but statuses and lists do: taken without relinking
        lambda: edit(content, COUNCIL, "record: approved", "record: draft"),  # "(draft minutes)" elsewhere
        lambda: edit(content, AT_MEETING, "status: held", "status: adjourned"),
        lambda: edit(content, AT_MEETING, "status: adjourned", "status: postponed"),  # overdue becomes awaiting
        lambda: edit(content, SCHEDULED, "status: scheduled", "status: cancelled"),  # leaves the agenda lists
        lambda: (
            edit(content, COUNCIL, "end: 21:40", "end: 22:15"),
            edit(content, SCHEDULED, "status: cancelled", "status: scheduled"),
        ),
        # a new meeting whose item, in another issue, considers a Cabinet item: the Cabinet
        # item's page now shows it, though no issue it is in has changed
        lambda: (content / "meetings/2012/2012-06-20-cabinet.md").write_text(
            "---\nbody: cabinet\ndate: 2012-06-20\nstatus: held\nrecord: draft\nitems:\n  - id: review\n"
            "    title: Budget review\n    issue: budget-2012-13\n    considers:\n"
            "      - 2011-11-16-cabinet/strategic-commissioning\n    minutes: Noted.\n---\n"
        ),
        # who attended and chaired (listed on person and body pages), an item's title
        lambda: edit(content, CABINET, "present: [leader, cllr-p-grant,", "present: [leader,"),
        lambda: edit(content, CABINET, "chair: leader", "chair: cllr-h-patel"),
        lambda: edit(content, CABINET, "title: Apologies for absence", "title: Apologies"),
        # change a body
        lambda: edit(content, "bodies.yaml", "name: Cabinet", "name: The Cabinet"),
        # change a person
        lambda: edit(content, "people.yaml", "Councillor Amina Khan", "Councillor Amina Khan-Smith"),
        # change a template in a theme of the site's own
        lambda: _theme_edit(content),
    ]
    for n, step in enumerate(steps, 1):
        step()
        result = project.build()
        assert result.ok, result.problems
        assert result.prose_only == (n in (1, 2, 3)), n  # minutes and a recommendation's text: prose only
        assert result.local == (n in (8, 9, 10, 11, 12)), n  # the status and record edits
        same_as_clean(content, out, tmp_path, n)


def _theme_edit(content: Path) -> None:
    theme = content.parent / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    source = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "item.html"
    (theme / "item.html").write_text(
        source.read_text().replace('<h2 id="minutes-h">Minutes</h2>', '<h2 id="minutes-h">The minutes</h2>')
    )


def test_one_meeting_edit_rewrites_few_pages(tmp_path):
    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    total = project.build().written
    assert project.build().written == 0
    edit(content, "meetings/2012/2012-06-13-planning.md", "location: ", "location: Room 2, ")
    result = project.build()
    assert 0 < result.written < total / 4


def test_bad_content_keeps_last_good_output_and_recovers(tmp_path):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    project.build()
    before = snapshot(out)
    good = (content / CABINET).read_text()
    (content / CABINET).write_text(good.replace("status: held", "status: helt"))
    result = project.build()
    assert not result.ok
    assert any(str(p).startswith(f"{CABINET}:") and "helt" in str(p) for p in result.problems)
    assert snapshot(out) == before
    (content / CABINET).write_text(good)
    assert project.build().ok and not project.problems


def test_warnings_follow_status_edits(tmp_path):
    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    assert project.build().ok
    edit(content, AT_MEETING, "status: held", "status: scheduled")  # in the past: a warning
    result = project.build()
    assert any("scheduled but dated" in str(p) for p in result.problems)
    edit(content, AT_MEETING, "status: scheduled", "status: held")
    result = project.build()
    assert result.ok and not any("scheduled but dated" in str(p) for p in result.problems)
    edit(content, AT_MEETING, "status: held", "status: adjourned")
    result = project.build()
    assert result.local and not any("scheduled but dated" in str(p) for p in result.problems)
