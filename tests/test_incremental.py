"""Incremental rebuilds give byte-for-byte the same site as a clean build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import BODIES, SITE, copy_example, write_site
from test_cli import snapshot

from sitegen import model as m
from sitegen import record
from sitegen.build import build
from sitegen.incremental import Project
from sitegen.record import Reads

CABINET = "meetings/2011/2011-11-16-cabinet.md"
COUNCIL = "meetings/2011/2011-12-07-council.md"
AT_MEETING = "meetings/2012/2012-02-29-council.md"  # where recommendations were due to be decided
SCHEDULED = "meetings/2027/2027-01-20-cabinet.md"
AUDIT = "meetings/2012/2012-01-24-audit-panel.yaml"


def same_as_clean(content: Path, incremental_out: Path, tmp: Path, n: int) -> None:
    clean = tmp / f"clean-{n}"
    build(content, clean, base_path="/", search=False)
    assert snapshot(incremental_out) == snapshot(clean), f"after edit {n}"


def parts_checked(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """After every plan that gives some pages of objects again (record.Parts), check it
    against a plan made afresh of the same model: the same pages, feeds and calendars, in
    the same order, given the very same objects. The list returned has the parts made again in each plan
    after an edit."""
    from sitegen import pages
    from sitegen.build import Builder

    planned = Builder.plan
    made: list[int] = []

    def plan(self, part=pages.whole):  # type: ignore[no-untyped-def]
        out = planned(self, part)
        if isinstance(part, record.Parts):
            fresh = []
            for language, prefix in self.each_language():
                fresh += pages.plan(self.loaded.model, self.publics(), pages.whole, language, prefix)
            assert [p.file for p in out] == [p.file for p in fresh]
            for given, now in zip(out, fresh, strict=True):
                assert (given.template, given.title, given.path, given.language) == (
                    now.template,
                    now.title,
                    now.path,
                    now.language,
                ), given.file
                assert given.context == now.context, given.file  # (the model's objects compare by identity)
            files = self.publisher().plan(self.publics())  # (the feeds and calendars: a ModelFile compares its fields)
            assert [f for f in self.planned.values() if not isinstance(f, pages.Page)] == [
                f for f in files if not f.whole
            ]
            if part.edited:  # (not those made while the preview waits)
                made.append(part.made)
        return out

    monkeypatch.setattr(Builder, "plan", plan)
    return made


def built(content: Path, out: Path, monkeypatch) -> tuple[Project, list[int]]:  # type: ignore[no-untyped-def]
    """A preview of CONTENT built into OUT, its plans checked: with parts_checked's list."""
    project = Project(content, out)
    replanned = parts_checked(monkeypatch)
    assert project.build().ok
    return project, replanned


def warmed(content: Path, out: Path, monkeypatch) -> tuple[Project, list[int]]:  # type: ignore[no-untyped-def]
    """built(), after the work the preview does while it waits (its plan's parts recorded)."""
    project, replanned = built(content, out, monkeypatch)
    while project.warm():
        pass
    return project, replanned


def edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("mode", ["one-process", "forked-workers", "warmed", "deferred"])
def test_series_of_edits_matches_clean_builds(tmp_path, monkeypatch, mode):
    if mode == "forked-workers":  # share out every re-render to forked workers, as for a large site
        import sitegen.build

        monkeypatch.setattr(sitegen.build, "PARALLEL_FROM", 2)
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project, replanned = built(content, out, monkeypatch)
    if mode == "warmed":
        # four steps (the recorded reads compared, the plan's parts recorded, what the plan
        # reads besides them recorded, the reads grouped again), then nothing left
        assert project.warm() is True and project._cold is False and project.parts is None
        assert project.warm() is True and project.parts is not None and project.parts.top is None
        assert project.warm() is True and project.parts.top and project.state.unsettled
        assert project.warm() is False and not project.state.unsettled
        assert project.warm() is False
    # as sitegen serve: the feeds and calendars an edit reaches are made after its pages
    project.defer_extras = mode == "deferred"
    deferred = 0
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
        if mode == "deferred":
            deferred += bool(project.parts_due)
            project.publish_due()
            assert not project.parts_due
        same_as_clean(content, out, tmp_path, n)
        if mode == "warmed":  # as the preview does while idle
            while project.warm():
                pass
    if mode == "deferred":
        assert deferred > 5, deferred  # (edits that reached a feed or calendar)
    if mode == "warmed":  # most edits planned again only the parts they reach
        assert len(replanned) > 10 and max(replanned) < len(project.parts.kept) // 2, (
            replanned,
            len(project.parts.kept),
        )


def test_lists_follow_recommendations_settled_and_reopened_elsewhere(tmp_path):
    """The awaiting-decision page lists only open recommendations, and depends only on
    those: one settled by a new meeting, and reopened when that meeting goes, must
    leave it and come back; the issue index and person pages follow their own keys."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    awaiting = out / "decisions" / "awaiting" / "index.html"
    assert "Contract Procedure" in awaiting.read_text()
    deciding = content / "meetings/2012/2012-02-01-council.md"
    deciding.write_text(
        "---\nbody: council\ndate: 2012-02-01\nstatus: held\nrecord: draft\nitems:\n  - id: rules\n"
        "    title: Contract Procedure Rules\n    decisions:\n      - id: '1'\n        text: Adopted.\n"
        "        decides:\n          - ref: 2012-01-24-audit-panel/contract-procedure-rules/1\n"
        "            outcome: approved\n---\n"
    )
    assert project.build().relinked
    assert "Contract Procedure" not in awaiting.read_text()
    same_as_clean(content, out, tmp_path, 1)
    edit(content, "meetings/2012/2012-02-01-council.md", "outcome: approved", "outcome: deferred")
    assert project.build().relinked
    assert "Contract Procedure" in awaiting.read_text()
    same_as_clean(content, out, tmp_path, 2)
    edit(content, AUDIT, "record: approved", "record: draft")
    result = project.build()  # the pages that show the meeting's record, not the whole site
    assert result.rendered < 40, result.rendered
    same_as_clean(content, out, tmp_path, 3)


def test_the_awaiting_page_follows_a_link_taken_away(tmp_path):
    """The awaiting page is rendered again when a meeting it showed stops linking to
    a recommendation on it."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    awaiting = out / "decisions" / "awaiting" / "index.html"
    # another open recommendation's text: the page is rendered again, and its parts kept
    edit(content, AUDIT, "Rules as set out in the appendix", "Rules as set out in appendix A")
    assert project.build().ok
    assert "On the agenda of Cabinet, 20 January 2027" in awaiting.read_text()
    # the scheduled Cabinet no longer considers the recommendation
    edit(content, SCHEDULED, "    considers:\n      - 2012-09-18-overview-scrutiny/public-conveniences/1\n", "")
    assert project.build().relinked
    assert "On the agenda of Cabinet, 20 January 2027" not in awaiting.read_text()
    same_as_clean(content, out, tmp_path, 1)


def test_a_step_added_in_another_year_updates_kept_list_pages(tmp_path):
    """An existing meeting's decision takes a step on a recommendation made a year
    before: no decision comes or goes, yet the earlier year's register, the issue and
    the recommendation's pages show the new status."""
    content = write_site(
        tmp_path,
        {
            "meetings/2011-06-01-cabinet.yaml": "body: cabinet\ndate: 2011-06-01\nstatus: held\nitems:\n"
            "  - id: plan\n    title: Local plan\n    issue: local-plan\n    decisions:\n"
            "      - id: '1'\n        type: recommendation\n        to: council\n        text: Adopt the plan.\n",
            "meetings/2011-07-01-cabinet.yaml": "body: cabinet\ndate: 2011-07-01\nstatus: held\nitems:\n"
            "  - id: other\n    title: Other business\n    decisions:\n      - id: '1'\n        text: Noted.\n",
            "meetings/2012-01-10-council.yaml": "body: council\ndate: 2012-01-10\nstatus: held\nitems:\n"
            "  - id: plan\n    title: Local plan\n    decisions:\n      - id: '1'\n        text: Adopted.\n",
        },
    )
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    register = out / "decisions" / "2011" / "index.html"
    assert "Awaiting decision by Council" in register.read_text()
    edit(
        content,
        "meetings/2012-01-10-council.yaml",
        "text: Adopted.\n",
        "text: Adopted.\n        decides:\n          - ref: 2011-06-01-cabinet/plan/1\n            outcome: approved\n",
    )
    assert project.build().relinked
    assert "Awaiting decision by Council" not in register.read_text()
    same_as_clean(content, out, tmp_path, 1)


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
    assert result.ok and not any("scheduled but dated" in str(p) for p in result.problems)


def describe(loaded) -> list:
    """Everything linking works out, by name: two loads that link alike describe alike."""
    model = loaded.model

    def name(x) -> str | None:  # marked when it is not the object the model holds under that name
        if isinstance(x, m.Meeting | m.Item | m.Decision):
            home = x if isinstance(x, m.Meeting) else x.meeting
            held = model.meetings.get(home.id) is home and (
                isinstance(x, m.Meeting) or any(x is y or x in y.decisions for y in home.items)
            )
            return x.ref if held and not isinstance(x, m.Meeting) else x.id if held else f"stale {x.id}"
        return None if x is None else x.id

    def names(xs) -> list:
        return [name(x) for x in xs]

    out: list = [list(model.meetings), [(b.id, names(b.meetings)) for b in model.bodies.values()]]
    for meeting in model.meetings.values():
        out.append((meeting.id, name(meeting.body), name(meeting.chair), names(meeting.present + meeting.apologies)))
        out.append((name(meeting.maker), names(meeting.call_ins)))
        for item in meeting.items:
            out.append((item.ref, names(item.considers), names(item.considered_by), names(item.issues)))
            out += [(name(v.target), names(v.for_people), names(v.against_people)) for v in item.votes]
            for d in item.decisions:
                s = d.status
                out.append(
                    (
                        d.ref, name(d.to), name(d.at), names(d.considered_by),
                        [(name(x.decision), x.outcome) for x in d.steps], [(x.ref, name(x.target)) for x in d.decides],
                        s and (s.state, s.open, name(s.body), name(s.meeting), s.step and name(s.step.decision)),
                    )
                )  # fmt: skip
                c = d.call_in
                out.append(
                    (
                        d.executive, name(d.plan), d.call_in_until, d.implement_from, d.call_in_state,
                        d.executive_facts, c and (c.called_in, names(c.by), name(c.considered_at), c.outcome),
                    )
                )  # fmt: skip
    for entry in model.plan.values():
        out.append((entry.id, names(entry.decisions), entry.state, name(entry.decision_maker)))
    for issue in model.issues.values():
        out.append((issue.id, issue.title, issue.explicit, names(issue.items)))
    for pid, r in model.records.items():
        out.append((pid, names(r.chaired), names(r.present), names(r.apologies), names(r.in_attendance)))
        out.append(([name(i) for i, _ in r.interests], names(r.moved), [(name(v.item), how) for v, how in r.votes]))
    out.append([str(p) for p in loaded.problems])
    return out


def test_linking_only_what_an_edit_reaches_matches_a_full_link(tmp_path):
    """Random structural edits to a synthetic council: each time, the model the preview
    links in place describes the same as one loaded from scratch, and the site is the same."""
    import random
    import re
    import sys

    from sitegen.build import load
    from sitegen.errors import ContentError

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(60, content, seed=3)
    # issues described but not yet taken up: a warning each, until an item names them
    (content / "issues.yaml").write_text("".join(f"- id: matter-{n}\n  title: Matter {n}\n" for n in range(3)))
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    rng = random.Random(5)
    files = sorted((content / "meetings").rglob("*.md"))

    def pick(pattern: str) -> Path:
        return rng.choice([f for f in files if f.exists() and re.search(pattern, f.read_text(), re.M)])

    def sub(path: Path, pattern: str, new: str) -> None:
        text = path.read_text()
        spots = list(re.finditer(pattern, text, re.M))
        spot = rng.choice(spots)
        path.write_text(text[: spot.start()] + spot.expand(new) + text[spot.end() :])

    def model():
        return project.loaded.model

    def open_rec():
        return rng.choice([d for d in model().all_decisions() if d.is_recommendation and d.status.open])

    def new_meeting(n: int) -> None:
        rec = open_rec()
        day = rec.date + dt.timedelta(days=rng.randint(1, 30))
        body = rec.to.id if rng.random() < 0.8 else "council"
        (content / "meetings" / f"{day}-{body}-new{n}.md").write_text(
            f"---\nbody: {body}\ndate: {day}\nstatus: held\nrecord: draft\nitems:\n  - id: it\n"
            f"    title: Taken up\n    decisions:\n      - id: '1'\n        text: Agreed.\n"
            f"        decides:\n          - ref: {rec.ref}\n            outcome: {rng.choice(m.OUTCOMES)}\n---\n"
        )

    def considers(n: int) -> None:  # often of an item others consider, often by an item that considers others
        taken = [t for t in model().all_items() if t.considered_by]
        item = rng.choice(taken if taken and rng.random() < 0.6 else model().all_items())
        if n % 2 and any("    considers:" in f.read_text() for f in files):
            sub(pick(r"^    considers:"), r"^(    considers:)$", rf"\1\n      - {item.ref}")
        else:
            sub(pick(r"^    title: "), r"^(    title: .*)$", rf"\1\n    considers:\n      - {item.ref}")

    def due_at(n: int) -> None:  # a recommendation due at a later meeting of the body it goes to
        rec = rng.choice([d for d in model().all_decisions() if d.is_recommendation and d.to and not d.at_id])
        later = [x for x in rec.to.meetings if x.date > rec.date] or [model().meetings[list(model().meetings)[-1]]]
        path = content / rec.meeting.source
        lines = path.read_text().split("\n")
        lines.insert(rec.lines["to"], f"        at: {rng.choice(later).id}")
        path.write_text("\n".join(lines))

    def at_meeting_changes(n: int) -> None:  # the meeting a recommendation is due at: its status and who came
        due = [d.at for d in model().all_decisions() if d.at is not None]
        if not due:
            return due_at(n)
        path = content / rng.choice(due).source
        text = path.read_text()
        status = re.search(r"^status: (\S+)", text, re.M)
        new = rng.choice(["held", "adjourned", "postponed", "cancelled"])
        text = text.replace(status.group(0), f"status: {new}") if status else text
        path.write_text(re.sub(r"^present: \[\S+, ", "present: [", text, count=1, flags=re.M))

    def agenda(n: int) -> None:  # an upcoming meeting takes up an open recommendation: it is on an agenda
        rec = open_rec()
        ref = rec.ref if n % 2 else rec.item.ref
        coming = [f for f in files if f.exists() and "status: scheduled" in f.read_text() and "2027-" in f.name]
        if coming and n % 3:
            sub(rng.choice(coming), r"^(    title: .*)$", rf"\1\n    considers:\n      - {ref}")
            return
        (content / "meetings" / f"2027-01-{n % 28 + 1:02}-{rec.to.id}-next{n}.md").write_text(
            f"---\nbody: {rec.to.id}\ndate: 2027-01-{n % 28 + 1:02}\nstatus: scheduled\nitems:\n  - id: it\n"
            f"    title: Taken up\n    considers:\n      - {ref}\n---\n"
        )

    edits = [
        lambda n: sub(pick(r"outcome: "), r"outcome: \S+", f"outcome: {rng.choice(m.OUTCOMES)}"),
        lambda n: sub(pick(r"^        decides:"), r"^        decides:\n(          .*\n)+", ""),
        new_meeting,
        considers,
        lambda n: sub(pick(r"^    title: "), r"^(    title: .*)$", rf"\1\n    issue: matter-{n % 3}"),
        lambda n: sub(pick(r"^    issue: "), r"^    issue: .*\n", ""),
        lambda n: sub(pick(r"^body: "), r"^body: .*$", f"body: {rng.choice(['council', 'cabinet', 'audit'])}"),
        lambda n: sub(pick(r"^present: \[\S+, "), r"^present: \[\S+, ", "present: ["),
        lambda n: None,  # a date moved: below
        lambda n: sub(pick(r'^      - id: "\d"\n        text: .*$'), r"^(        text: .*)$", r"\1\n        type: recommendation\n        to: council"),
        lambda n: sub(pick(r"^status: held"), r"^status: held", "status: scheduled"),
        due_at,
        at_meeting_changes,
        agenda,
    ]  # fmt: skip
    relinked = 0
    for n in range(48):
        kind = n % len(edits) if n < len(edits) else rng.choice([*range(len(edits)), 3, 3, 3])
        before = {f: f.read_text() for f in files if f.exists()}
        edits[kind](n)
        if n % 5 == 4:  # now and then two edits land in one rebuild, as when a clerk saves several files
            edits[rng.choice([0, 1, 2, 3, 4, 11])](n + 100)
        if kind == 8:  # move a meeting a few days: its order among the others changes
            path = pick(r"^date: ")
            text = path.read_text()
            day = dt.date.fromisoformat(re.search(r"^date: (\S+)$", text, re.M).group(1))
            path.write_text(text.replace(f"date: {day}", f"date: {day + dt.timedelta(days=rng.choice([-3, 2, 9]))}"))
        files = sorted((content / "meetings").rglob("*.md"))
        result = project.build()
        try:
            fresh = load(content, "/")
        except ContentError as exc:  # the edit made an error: the preview reports the same, then it is undone
            assert not result.ok and [str(p) for p in result.problems] == [str(p) for p in exc.problems], n
            for f in files:
                if f not in before:
                    f.unlink()
            for f, text in before.items():
                f.write_text(text)
            files = sorted((content / "meetings").rglob("*.md"))
            assert project.build().ok
            continue
        assert result.ok, (n, result.problems)
        relinked += result.relinked
        assert describe(project.loaded) == describe(fresh), (n, kind)
    assert relinked >= 20
    same_as_clean(content, out, tmp_path, 48)


def test_executive_records_linked_after_an_edit_match_a_full_link(tmp_path):
    """Random edits to the decisions made by one person, the forward plan entries they
    carry out, their call-ins and the meetings that consider them: each time, what the
    preview links in where the edit reaches (executive.link_executive_after) describes
    the same as a full load, and the site is the same as a clean build."""
    import random
    import re
    import sys

    from sitegen.build import load
    from sitegen.errors import ContentError

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(40, content, seed=6, executive=True)
    spares = ["spare-1", "spare-2"]  # entries no decision carries out yet: planned, then decided
    with (content / "forward-plan.yaml").open("a") as plan:
        for spare in spares:
            plan.write(
                f"- id: {spare}\n  title: A spare entry\n  decision_maker: cabinet\n  expected: 2027-03\n"
                "  first_published: 2023-01-02\n  key: true\n  summary: Nothing yet.\n"
            )
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    rng = random.Random(11)
    plans = re.findall(r"^- id: (\S+)", (content / "forward-plan.yaml").read_text(), re.M)

    def entry() -> str:
        return rng.choice(spares if rng.random() < 0.5 else plans)

    def files() -> list[Path]:
        return _record_files(content)

    def meetings() -> list[str]:  # (the held meetings, which may consider a call-in)
        return [x.id for x in project.loaded.model.meetings.values() if not x.maker_id]

    def sub(pattern: str, new) -> bool:  # type: ignore[no-untyped-def]
        return _sub(rng, files(), pattern, new)

    def day() -> str:
        return _day(rng)

    def considered(n: int) -> bool:  # a call-in considered at a meeting, often at one already considering others
        taken = [x.id for x in project.loaded.model.meetings.values() if x.call_ins]
        mid = rng.choice(taken if taken and n % 2 else meetings())
        outcome = rng.choice(["", *m.CALL_IN_OUTCOMES])
        return sub(
            r"^(  by: .*)$",
            rf"\1\n  considered_at: {mid}" + (f"\n  outcome: {outcome}" if outcome else ""),
        )

    def considering(n: int) -> bool:  # a meeting that considers call-ins is edited: made afresh
        taken = [x for x in project.loaded.model.meetings.values() if x.call_ins]
        if not taken:
            return considered(n)
        path = content / rng.choice(taken).source
        text = path.read_text()
        path.write_text(re.sub(r"^location: .*$", f"location: Room {n}", text, count=1, flags=re.M))
        return True

    edits = [
        lambda n: sub(r"^published: \S+$", lambda: f"published: {day()}"),
        lambda n: sub(r"^plan: \S+$", lambda: f"plan: {entry()}"),
        lambda n: sub(r"^(title: .*)$", lambda: rf"\1\nplan: {entry()}"),
        lambda n: sub(r"^plan: \S+\n", ""),
        lambda n: sub(r"^key: true$", "key: false"),
        lambda n: sub(r"^(title: .*)$", r"\1\nurgency: The contract ends this week."),
        lambda n: sub(r"^  called_in: \S+$", lambda: f"  called_in: {day()}"),
        considered,
        considering,
        lambda n: sub(r"^  considered_at: \S+\n", ""),
        lambda n: sub(r"^date: \S+$", lambda: f"date: {day()}"),
        lambda n: sub(r"^decision_maker: \S+$", "decision_maker: cabinet"),
    ]
    # first, two decisions carry out one entry, and the earlier is edited: made afresh, it
    # must still come first among the entry's decisions
    first, second = [f for f in files() if f.parent.parent.name == "decisions"][:2]
    for path in (second, first):
        path.write_text(path.read_text().replace("\ntitle: ", "\nplan: spare-2\ntitle: ", 1))
        assert project.build().ok
    carried = project.loaded.model.plan["spare-2"].decisions
    assert [d.item.meeting.id for d in carried] == [first.stem, second.stem]
    assert describe(project.loaded) == describe(load(content, "/"))
    relinked = 0
    states: set[str] = set()  # the spare entries' states met
    considering = False  # whether a meeting was met that considers a call-in
    for n in range(40):
        before = {f: f.read_text() for f in files()}
        kind = n % len(edits) if n < len(edits) else rng.randrange(len(edits))
        while not edits[kind](n):
            kind = rng.randrange(len(edits))
        result = project.build()
        try:
            fresh = load(content, "/")
        except ContentError as exc:  # the edit made an error: the preview reports the same, then it is undone
            assert not result.ok and [str(p) for p in result.problems] == [str(p) for p in exc.problems], n
            for f, text in before.items():
                f.write_text(text)
            assert project.build().ok
            continue
        assert result.ok, (n, result.problems)
        relinked += result.relinked
        assert describe(project.loaded) == describe(fresh), (n, kind)
        states |= {project.loaded.model.plan[spare].state for spare in spares}
        considering = considering or any(x.call_ins for x in project.loaded.model.meetings.values())
        if n % 10 == 9:
            same_as_clean(content, out, tmp_path, n)
    assert relinked >= 20, relinked
    assert considering and states >= {"planned", "decided"}, (considering, states)
    same_as_clean(content, out, tmp_path, 99)


def _record_files(content: Path) -> list[Path]:
    """The meeting and decision files of CONTENT (a synthetic council's decisions are .yaml)."""
    return sorted(
        f for d in ("meetings", "decisions") for f in (content / d).rglob("*.*") if f.suffix in (".md", ".yaml")
    )


def _sub(rng, files: list[Path], pattern: str, new) -> bool:  # type: ignore[no-untyped-def]
    """Replace one match of PATTERN (multiline) in one of FILES, chosen by RNG, with NEW (a
    template, or a function giving one); False when no file matches."""
    import re

    found = [f for f in files if re.search(pattern, f.read_text(), re.M)]
    if not found:
        return False
    path = rng.choice(found)
    text = path.read_text()
    spot = rng.choice(list(re.finditer(pattern, text, re.M)))
    path.write_text(text[: spot.start()] + spot.expand(new() if callable(new) else new) + text[spot.end() :])
    return True


def _day(rng) -> str:  # type: ignore[no-untyped-def]
    return str(dt.date(2023, 4, 1) + dt.timedelta(days=rng.randint(0, 900)))


@pytest.mark.parametrize(
    "meeting",
    ["2012/2012-03-27-overview-scrutiny", "2012/2012-02-29-council"],
    ids=["considers-a-call-in", "named-by-at"],
)
def test_a_meeting_renamed_with_an_alias_that_others_name_by_id_is_reported_as_a_full_build_reports_it(
    tmp_path, meeting
):
    """A meeting's file renamed, its old id kept as an alias (as sitegen's warning
    advises): a call-in's considered_at and a recommendation's at: name meetings by id,
    not alias, so a full build reports them; so does the preview, not a link to the
    meeting that went."""
    from sitegen.build import load
    from sitegen.errors import ContentError

    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    assert project.build().ok
    while project.warm():
        pass
    old = content / "meetings" / f"{meeting}.md"
    day = dt.date.fromisoformat(old.stem[:10])
    later = str(day + dt.timedelta(days=1))
    text = old.read_text().replace(f"date: {day}", f"date: {later}\naliases: [{old.stem}]", 1)
    old.unlink()
    (old.parent / f"{later}{old.stem[10:]}.md").write_text(text)
    result = project.build()
    with pytest.raises(ContentError) as full:
        load(content, "/")
    assert not result.ok and [str(p) for p in result.problems] == [str(p) for p in full.value.problems]
    assert any("there is no such meeting" in str(p) for p in result.problems)


def test_pages_planned_afresh_follow_later_edits(tmp_path):
    """A page planned afresh after one edit (here, because a new meeting now considers
    its recommendation) must be rendered again by a later edit to what it shows now."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    audit_item = out / "meetings/2012-01-24-audit-panel/contract-procedure-rules/index.html"
    (content / "meetings/2027/2027-02-03-council.md").write_text(
        "---\nbody: council\ndate: 2027-02-03\nstatus: scheduled\nitems:\n  - id: rules\n"
        "    title: Contract Procedure Rules\n    considers:\n"
        "      - 2012-01-24-audit-panel/contract-procedure-rules/1\n---\n"
    )
    assert project.build().relinked
    assert "3 February 2027" in audit_item.read_text()
    same_as_clean(content, out, tmp_path, 1)
    edit(content, "meetings/2027/2027-02-03-council.md", "status: scheduled", "status: cancelled")
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 2)


def test_prose_edits_after_pages_went_away(tmp_path):
    """Pages that an edit took away (an item removed, a meeting deleted) are not
    among the pages a later prose edit renders again."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    edit(content, CABINET, "  - id: apologies\n", "  - id: apologies-gone\n")
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 1)
    edit(content, CABINET, "  - id: apologies-gone\n", "  - id: apologies\n")
    assert project.build().ok
    edit(content, CABINET, "The Leader invited", "The Leader warmly invited")
    result = project.build()
    assert result.ok and 0 < result.rendered <= 3, result.rendered  # the item's page, and its meeting's
    same_as_clean(content, out, tmp_path, 2)
    new = content / "meetings/2027/2027-02-03-council.md"
    new.write_text(
        "---\nbody: council\ndate: 2027-02-03\nstatus: scheduled\nitems:\n  - id: rules\n"
        "    title: Contract Procedure Rules\n    considers:\n"
        "      - 2012-01-24-audit-panel/contract-procedure-rules/1\n---\n"
    )
    assert project.build().ok
    new.unlink()
    assert project.build().ok
    edit(content, AUDIT, "Rules as set out in the appendix", "Rules as set out in appendix A")
    result = project.build()
    assert result.ok and 0 < result.rendered <= 3, result.rendered  # the item's page, and its meeting's
    same_as_clean(content, out, tmp_path, 3)


def test_snapshot_after_reported_changes_is_a_fresh_snapshot(tmp_path):
    """The preview looks only at the files the operating system reports changed: what it
    makes of them must be what scanning every folder gives, or it must ask for a scan."""
    from sitegen.files import snapshot, snapshot_after

    root = tmp_path / "content"
    (root / "meetings" / "2011").mkdir(parents=True)
    (root / "site.yaml").write_text("title: x\n")
    a = root / "meetings" / "2011" / "a.yaml"
    a.write_text("one\n")
    (root / "meetings" / "2011" / "b.yaml").write_text("two\n")
    folders = [root]
    last = snapshot(folders)

    def after(*paths: Path) -> dict | None:
        return snapshot_after(last, folders, [str(p) for p in paths])

    a.write_text("one, longer\n")
    made = root / "meetings" / "2011" / "c.md"
    made.write_text("three\n")
    (root / "meetings" / "2011" / "b.yaml").unlink()
    hidden = root / "meetings" / ".x.yaml"
    hidden.write_text("hidden\n")
    backup = root / "meetings" / "2011" / "a.yaml~"
    backup.write_text("backup\n")
    gone = root / "meetings" / "2011" / "never.yaml"
    reported = [a, made, root / "meetings" / "2011" / "b.yaml", hidden, backup, gone]
    assert after(*reported) == snapshot(folders)
    assert after(*reported) != last
    # what it cannot say from the files reported: a folder came or went, a path outside
    # the folders, a path through a symbolic link
    (root / "meetings" / "2012").mkdir()
    (root / "meetings" / "2012" / "d.yaml").write_text("four\n")
    assert after(root / "meetings" / "2012") is None
    assert after(tmp_path / "elsewhere.yaml") is None
    last = snapshot(folders)
    (root / "meetings" / "2012" / "d.yaml").unlink()
    (root / "meetings" / "2012").rmdir()
    assert after(root / "meetings" / "2012") is None
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "e.yaml").write_text("five\n")
    (root / "linked").symlink_to(tmp_path / "outside")
    assert after(root / "linked" / "e.yaml") is None


def test_edits_match_clean_builds_once_errors_are_mended(tmp_path):
    """While the content has errors the preview keeps the last good build; once mended,
    edits still match clean builds."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    edit(content, CABINET, "date: 2011-11-16", "date: 2011-11-31")
    assert not project.build().ok
    edit(content, CABINET, "date: 2011-11-31", "date: 2011-11-16")
    assert project.build().ok
    edit(content, COUNCIL, "outcome: approved", "outcome: deferred")
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 1)


# a site theme that shows unusual fields on unusual pages: nothing declares that a
# body's page shows item titles and statuses, or a person's page minutes and places
UNUSUAL = {
    "body.html": (
        "<section><h2>Every item</h2><ul>{% for x in body.meetings %}{% for i in x.items %}"
        "<li>{{ i.title }}{% for d in i.decisions %} {{ d.status | status_words if d.status else d.type }}{% endfor %}"
        "</li>{% endfor %}{% endfor %}</ul></section>\n"
    ),
    "person.html": (
        "<section><h2>Where</h2><ul>{% for x in record.present %}<li>{{ x.location }}: "
        "{{ x.items | map(attribute='minutes') | join(' ') | truncate(60) }}</li>{% endfor %}</ul></section>\n"
    ),
    "year.html": ("<p>{% for x in meetings %}{{ x.items | length }} {{ x.notes | length }} {% endfor %}</p>\n"),
}


def _unusual_theme(content: Path, variant: str = "") -> None:
    theme = content.parent / "themes" / "default" / "templates"
    theme.mkdir(parents=True, exist_ok=True)
    builtin = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates"
    for name, extra in UNUSUAL.items():
        text = (builtin / name).read_text()
        cut = text.rindex("{% endblock %}")
        (theme / name).write_text(text[:cut] + extra.replace("<ul>", f"<ul>{variant}", 1) + text[cut:])


def _toggle(content: Path, rel: str, a: str, b: str) -> None:
    path = content / rel
    text = path.read_text()
    path.write_text(text.replace(a, b, 1) if a in text else text.replace(b, a, 1))


def _toggle_file(content: Path, rel: str, text: str) -> None:
    path = content / rel
    if path.exists():
        path.unlink()
    else:
        path.write_text(text)


EDITS = [
    lambda c: _toggle(c, CABINET, "The Leader invited", "The Leader warmly invited"),  # prose
    lambda c: _toggle(c, CABINET, "title: Apologies for absence", "title: Apologies"),  # an item renamed
    lambda c: _toggle(c, CABINET, "Council Chamber", "The Blue Room"),  # a place
    lambda c: _toggle(c, COUNCIL, "outcome: approved", "outcome: deferred"),  # an outcome: statuses elsewhere
    lambda c: _toggle(c, COUNCIL, "record: approved", "record: draft"),
    lambda c: _toggle(c, AT_MEETING, "status: held", "status: adjourned"),
    lambda c: _toggle(c, SCHEDULED, "status: scheduled", "status: cancelled"),
    lambda c: _toggle(c, AUDIT, "Rules as set out in the appendix", "Rules as set out in appendix A"),
    lambda c: _toggle(c, "bodies.yaml", "name: Cabinet", "name: The Cabinet"),
    lambda c: _toggle(c, "people.yaml", "Councillor Amina Khan", "Councillor Amina Khan-Smith"),
    lambda c: _toggle_file(  # a meeting added and taken away, deciding a recommendation
        c,
        "meetings/2012/2012-01-11-council.md",
        "---\nbody: council\ndate: 2012-01-11\nstatus: held\nrecord: draft\nlocation: Room 4\nitems:\n"
        "  - id: commissioning\n    title: Strategic commissioning (deferred)\n    minutes: Agreed at once.\n"
        "    decisions:\n      - id: '1'\n        text: Approved.\n        decides:\n"
        "          - ref: 2011-11-16-cabinet/strategic-commissioning/2\n            outcome: approved\n---\n",
    ),
    lambda c: _unusual_theme(c, variant="<li>edited</li>"),  # the theme's templates
    lambda c: _unusual_theme(c),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_under_a_theme_of_unusual_pages_match_clean_builds(tmp_path, monkeypatch, seed):
    """Whatever a theme's templates read is what a page depends on: after each of many
    random edits the preview's output is byte for byte a clean build's."""
    import random

    content = copy_example(tmp_path)
    _unusual_theme(content)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    body = out / "bodies" / "cabinet" / "index.html"
    assert "Every item" in body.read_text()  # the theme is in use
    rng = random.Random(seed)
    compare = Reads.compare

    def checked(self, keys, once=False, touched=None, linked=True):  # type: ignore[no-untyped-def]
        fresh = record.Keys(keys.model, keys.lookups)  # the keys kept from the last build are the ones made afresh
        assert keys.by_id == fresh.by_id and keys.objects == fresh.objects
        plainly = self.changed_plainly(keys)
        found = compare(self, keys, once, touched, linked=linked)
        assert found == plainly  # the shortcuts find what normalizing every value finds
        return found

    monkeypatch.setattr(Reads, "compare", checked)
    replanned = parts_checked(monkeypatch)
    for n in range(1, 15):
        while project.warm():  # (as the preview does while it waits)
            pass
        rng.choice(EDITS)(content)
        result = project.build()
        assert result.ok, result.problems
        same_as_clean(content, out, tmp_path, n)
    assert replanned, "no edit planned again only the parts it reached"
    # the stale page the hand-kept dependencies left: an item renamed, shown on its body's page
    _toggle(content, CABINET, "title: Apologies for absence", "title: Apologies, renamed")
    assert project.build().ok
    assert ("Apologies, renamed" in body.read_text()) == ("Apologies, renamed" in (content / CABINET).read_text())
    same_as_clean(content, out, tmp_path, 99)


def test_what_the_keys_and_templates_could_hide_is_followed(tmp_path, monkeypatch):
    """Amendments with no id, people named only in a vote (no people.yaml), a template
    in a subfolder and the day moving on: each edit matches a clean build."""
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-10")
    content = write_site(
        tmp_path,
        {
            "meetings/2011-06-01-cabinet.yaml": "body: cabinet\ndate: 2011-06-01\nstatus: held\nitems:\n"
            "  - id: plan\n    title: Local plan\n    amendments:\n      - text: First wording.\n"
            "      - text: Second wording.\n    votes:\n      - on: '1'\n        for: [zed-one, zed-two]\n"
            "    decisions:\n      - id: '1'\n        text: Agreed.\n",
            "meetings/2027-01-20-cabinet.yaml": "body: cabinet\ndate: 2027-01-20\nstatus: scheduled\n",
            "site.yaml": SITE,
            "bodies.yaml": BODIES,
        },
        base=False,  # no people.yaml: people are named as the minutes name them
    )
    theme = content.parent / "themes" / "default" / "templates"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "note.html").write_text("<p>A note.</p>\n")
    builtin = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "meeting.html"
    text = builtin.read_text()
    cut = text.rindex("{% endblock %}")
    (theme / "meeting.html").write_text(text[:cut] + '{% include "partials/note.html" %}\n' + text[cut:])
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    meeting = "meetings/2011-06-01-cabinet.yaml"
    steps = [
        lambda: edit(content, meeting, "First wording.", "First wording, changed."),
        lambda: edit(content, meeting, "First wording, changed.", "First wording, changed again."),
        lambda: edit(content, meeting, "zed-two", "zed-three"),
        lambda: (theme / "partials" / "note.html").write_text("<p>A note, edited.</p>\n"),
        lambda: (
            monkeypatch.setenv("SITEGEN_TODAY", "2027-01-25"),  # the scheduled meeting is past
            edit(content, meeting, "Agreed.", "Agreed at once."),
        ),
    ]
    for n, step in enumerate(steps, 1):
        step()
        assert project.build().ok
        same_as_clean(content, out, tmp_path, n)


def test_a_document_that_grows_shows_its_new_size(tmp_path):
    """A document's size is read with its meeting's file: replacing the document under
    files/ must show the new size, as a clean build does."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    document = content / "files/2011/cabinet-2011-11-16-agenda.pdf"
    document.write_bytes(document.read_bytes() + b"\n" * 50_000)
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 1)


def _previewing(tmp_path: Path) -> tuple[Path, Path, Project]:
    """The example, built as sitegen serve builds it (defer_extras), all of it published."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    project.defer_extras = True
    assert project.build().ok
    project.publish_due()
    return content, out, project


def test_the_preview_makes_an_edits_feeds_and_calendars_after_its_pages(tmp_path):
    """With defer_extras (sitegen serve), the feeds and calendars an edit reaches are left
    for just after the pages (publish_parts), made in this process: what they read is
    recorded, so a later edit of a meeting a calendar newly lists makes it again."""
    content, out, project = _previewing(tmp_path)
    new = content / "meetings/2012/2012-06-20-cabinet.md"
    new.write_text(
        "---\nbody: cabinet\ndate: 2012-06-20\nstart: '18:00'\nlocation: Room 4\nstatus: held\nrecord: draft\n"
        "items:\n  - id: review\n    title: Budget review\n    minutes: Noted.\n---\n"
    )
    assert project.build().ok
    calendars = sorted(rel for rel in project.parts_due if rel.endswith(".ics"))
    assert calendars and all("Room 4" not in (out / rel).read_text() for rel in calendars)  # (not yet)
    assert (out / "meetings/2012-06-20-cabinet/index.html").is_file()  # (the pages are)
    project.publish_due()
    assert all("Room 4" in (out / rel).read_text() for rel in calendars)
    same_as_clean(content, out, tmp_path, 1)
    edit(content, "meetings/2012/2012-06-20-cabinet.md", "Room 4", "Room 5")
    assert project.build().ok
    assert set(calendars) <= project.parts_due
    project.publish_due()
    same_as_clean(content, out, tmp_path, 2)


def test_feeds_and_calendars_that_cannot_be_written_after_the_reload_are_said(tmp_path, monkeypatch):
    """When the preview cannot write the feeds and calendars an edit left for after the
    reload (a full disk), it says so on every page, as for a rebuild that fails, and the
    next save builds afresh: the site is then a clean build's."""
    import sitegen.incremental
    from sitegen.serve import BackgroundPublisher

    content, out, project = _previewing(tmp_path)
    edit(content, CABINET, "Council Chamber", "The Blue Room")
    assert project.build().ok and any(rel.endswith(".ics") for rel in project.parts_due)
    real = sitegen.incremental.replace_file

    def full_disk(path: Path, data: bytes) -> None:
        if path.suffix == ".ics":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(sitegen.incremental, "replace_file", full_disk)
    said: list[str] = []
    BackgroundPublisher(project, said.append).request()
    assert [str(p) for p in project.problems] == [
        f"{content}: the feeds and calendars were not written: [Errno 28] No space left on device"
    ]
    assert said and project.loaded is None  # (the next build is a full one)
    monkeypatch.setattr(sitegen.incremental, "replace_file", real)
    edit(content, CABINET, "The Blue Room", "The Red Room")
    assert project.build().ok and not project.problems  # (a full build: its state kept by a forked process)
    project.publish_due()
    project.settle()  # (as the preview does as it stops)
    same_as_clean(content, out, tmp_path, 1)


def test_comparing_what_linking_touched_finds_what_comparing_everything_finds(tmp_path, monkeypatch):
    """After an edit that is linked in where it reaches, only the objects made afresh, the
    objects whose attributes linking set, and the lists and dicts of all are compared
    (record.touching): random edits to the meetings and executive decisions of a
    synthetic council, each time checked against normalizing every read value, and the
    site against a clean build."""
    import random
    import re
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(40, content, seed=4, executive=True)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    project.defer_extras = True  # (as the preview runs it; the feeds and calendars are made at the end)
    while project.warm():
        pass
    replanned = parts_checked(monkeypatch)
    compare = Reads.compare
    shortcut = []

    def checked(self, keys, once=False, touched=None, linked=True):  # type: ignore[no-untyped-def]
        fresh = record.Keys(keys.model, keys.lookups)  # the keys worked out from the last are the ones made afresh
        assert keys.by_id == fresh.by_id and keys.objects == fresh.objects
        plainly = self.changed_plainly(keys)
        found = compare(self, keys, once, touched, linked=linked)
        assert found == plainly, sorted(plainly ^ found)[:5]
        shortcut.append(touched is not None and keys.fresh is not None)
        return found

    monkeypatch.setattr(Reads, "compare", checked)
    touched_route = Reads._compare_touched
    routes = []

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("fresh", True):  # (not Reads.settle's, while the preview waits)
            routes.append(len(self._groups))
        return touched_route(self, *args, **kwargs)

    monkeypatch.setattr(Reads, "_compare_touched", counted)
    rng = random.Random(7)
    files = _record_files(content)
    plans = re.findall(r"^- id: (\S+)", (content / "forward-plan.yaml").read_text(), re.M)

    def sub(pattern: str, new) -> bool:  # type: ignore[no-untyped-def]
        return _sub(rng, files, pattern, new)

    def day() -> str:
        return _day(rng)

    edits = [
        lambda: sub(r"outcome: \S+", lambda: f"outcome: {rng.choice(m.OUTCOMES)}"),
        lambda: sub(r"^location: .*$", lambda: f"location: Room {rng.randint(1, 9)}"),
        lambda: sub(r"^published: \S+$", lambda: f"published: {day()}"),
        lambda: sub(r"^plan: \S+$", lambda: f"plan: {rng.choice(plans)}"),
        lambda: sub(r"^key: true$", "key: false"),
        lambda: sub(r"^key: false$", "key: true"),
        lambda: sub(r"^  called_in: \S+$", lambda: f"  called_in: {day()}"),
        lambda: sub(r"^date: \S+$", lambda: f"date: {day()}"),
        lambda: sub(r"^title: (.*)$", r"title: \1 (revised)"),
        lambda: sub(r"^status: held$", "status: cancelled"),
        # an item added: its page reads what no page read before (the reads are grouped again)
        lambda: sub(r"^items:\n", lambda: f"items:\n  - id: added-{rng.randrange(10**6)}\n    title: An added item\n"),
    ]
    undone = 0
    for n in range(30):
        before = {f: f.read_text() for f in files}
        while not rng.choice(edits)():
            pass
        result = project.build()
        if not result.ok:  # the edit made an error (a date before what it decides, say): undone
            undone += 1
            for f, text in before.items():
                f.write_text(text)
            result = project.build()
        assert result.ok, (n, result.problems)
        project.publish_due()
        while project.warm():  # (as the preview does while it waits)
            pass
        if n % 6 == 5:
            same_as_clean(content, out, tmp_path, n)
    # (most edits are linked in, and compared by the shortcut, also after pages read something new)
    assert sum(shortcut) >= 20 and len(routes) == sum(shortcut) and undone < 10, (shortcut, routes, undone)
    assert len(replanned) >= 20, replanned  # (and planned again only what they reached)
    same_as_clean(content, out, tmp_path, 99)


def test_touching_notes_the_objects_whose_attributes_were_set_to_something_else():
    people = [m.Person(id=f"p{n}", name=f"P{n}") for n in range(4)]
    body = m.Body(id="b", name="B", kind="committee")
    with record.touching() as touched:
        people[0].name = "Another"  # changed
        people[1].name = "Q"
        people[1].name = "P1"  # set back
        people[2].name = "P2"  # set to what it was
        body.members = []  # an empty list for an empty list
        people[3].aliases.append("x")  # (in place: Reads.compare compares the lists of every object)
        made = m.Person(id="new", name="New")  # made inside: its attributes were not set before
    assert touched == [people[0], made]
    assert "aliases" in record.CONTAINERS and "members" in record.CONTAINERS and "name" not in record.CONTAINERS
    # of those, what linking may change in place: what model.py declares after "# computed"
    assert {"considered_by", "considers", "issues"} <= record.CHANGING[m.Item]
    assert "decisions" not in record.CHANGING[m.Item] and "decisions" in record.CHANGING[m.PlanEntry]
    assert record.CHANGING[m.PersonRecord] >= {"chaired", "made"}  # (no "# computed" line: all of it)


@pytest.mark.parametrize("site", ["example", "synthetic"])
def test_linking_never_sets_what_a_meeting_has_from_its_file(tmp_path, monkeypatch, site):
    """Of a meeting's own objects, linking sets only the fields model.py declares after
    "# computed" (record.LINKED): a build with a state compares only those of a meeting
    whose file is as it was (and the preview's reset() forgets only those)."""
    from sitegen.build import load
    from sitegen.validate import ParseCache

    monkeypatch.setenv("SITEGEN_TODAY", "2026-12-06")
    if site == "example":
        content = copy_example(tmp_path)
    else:
        import sys

        from conftest import ROOT

        sys.path.insert(0, str(ROOT / "bench"))
        import synth

        content = tmp_path / "content"
        synth.generate(40, content, executive=True)
    cache = ParseCache()
    load(content, "/", cache=cache)  # read and linked
    own = {id(obj) for e in cache.entries.values() if e.meeting is not None for _, obj in m.owned_by(e.meeting)}
    set_: set[tuple[type, str]] = set()

    def noting(self: object, name: str, value: object) -> None:
        if id(self) in own:
            set_.add((type(self), name))
        object.__setattr__(self, name, value)

    for cls in record.MODEL_CLASSES:
        cls.__setattr__ = noting  # type: ignore[method-assign,assignment]
    try:
        load(content, "/", cache=cache)  # reset and linked again
    finally:
        for cls in record.MODEL_CLASSES:
            del cls.__setattr__  # type: ignore[misc]
    assert {m.Meeting, m.Item, m.Decision, *([m.Vote] if site == "example" else [])} <= {cls for cls, _ in set_}
    assert sorted((cls.__name__, name) for cls, name in set_ if name not in record.LINKED[cls]) == []


def test_the_linked_fields_are_those_after_each_class_s_computed_line():
    """record.LINKED reads model.py once; inspect, reading each class's own lines, agrees."""
    import inspect

    for cls in record.MODEL_CLASSES:
        lines = inspect.getsourcelines(cls)[0]
        marker = next((n for n, line in enumerate(lines) if line.strip() == "# computed"), None)
        fields = {f.name for f in dataclasses.fields(cls)}
        after = {found[1] for line in lines[marker or 0 :] if (found := re.match(r"    (\w+)\s*:", line))}
        assert record.LINKED[cls] == (fields if marker is None else fields & after), cls
    assert "status" in record.LINKED[m.Decision] and "title" not in record.LINKED[m.Decision]
    assert record.LINKED[m.Meeting] >= {"body", "present"} and "items" not in record.LINKED[m.Meeting]


def test_an_attribute_that_linking_sets_is_followed_on_every_page_that_shows_it(tmp_path, monkeypatch):
    """What linking an edit in sets on an object the edit did not make afresh (here, the
    site's title: nothing else of it changes, no list of it) is compared, and the pages
    that show it are rendered again."""
    from sitegen import incremental

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    while project.warm():  # (as the preview does while it waits: the next edit compares what changed)
        pass
    relink = incremental.relink

    def relinking(loaded, *args):  # type: ignore[no-untyped-def]
        done = relink(loaded, *args)
        done.model.site.title = "A title set while linking"
        # a meeting the edit did not make afresh is given a chair not in people.yaml
        council = done.model.meetings["2011-12-07-council"]
        council.chair = m.Person("visiting-chair", "A Visiting Chair", known=False)
        # and a status to a decision that had none (its status is keyed, as a full build's would be)
        next(d for item in council.items for d in item.decisions if d.status is None).status = m.Status(
            "awaiting", True
        )
        return done

    compare = Reads.compare

    def checked(self, keys, once=False, touched=None, linked=True):  # type: ignore[no-untyped-def]
        fresh = record.Keys(keys.model, keys.lookups)  # the keys worked out from the last are the ones made afresh
        assert keys.by_id == fresh.by_id and keys.objects == fresh.objects
        assert "p:visiting-chair" in keys.objects
        return compare(self, keys, once, touched, linked=linked)

    monkeypatch.setattr(incremental, "relink", relinking)
    monkeypatch.setattr(Reads, "compare", checked)
    edit(content, CABINET, "The Leader invited", "The Leader warmly invited")
    result = project.build()
    assert result.ok and result.relinked
    assert result.rendered > 100  # (every page shows the site's title)
    assert "A title set while linking" in (out / "meetings" / "index.html").read_text()
    assert "A Visiting Chair" in (out / "meetings" / "2011-12-07-council" / "index.html").read_text()
    # and an edit after, that links nothing of the kind: what the last one set is still keyed
    monkeypatch.setattr(incremental, "relink", relink)
    edit(content, CABINET, "The Leader warmly invited", "The Leader invited")
    result = project.build()
    assert result.ok and result.relinked


def test_a_title_shared_with_another_objects_is_followed_in_the_plan(tmp_path, monkeypatch):
    """A decision made by one person whose title another takes is told apart by its id,
    and told apart no more when the other's title changes back: what a page's title
    depends on beyond its own object (here, a count over every decision) is followed,
    though the edit did not touch it."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(20, content, seed=3, executive=True)
    out = tmp_path / "out"
    project, replanned = warmed(content, out, monkeypatch)
    first, second = sorted((content / "decisions").rglob("*.yaml"))[:2]
    title = next(line for line in first.read_text().splitlines() if line.startswith("title: "))[7:]
    page = out / "decisions" / first.stem / "index.html"
    assert f"<title>{title} – " in page.read_text()
    text = second.read_text()
    other = next(line for line in text.splitlines() if line.startswith("title: "))
    second.write_text(text.replace(other, f"title: {title}", 1))
    result = project.build()
    assert result.ok and result.relinked and result.replanned is not None
    assert f"<title>{title} ({first.stem}) – " in page.read_text()
    second.write_text(text)
    result = project.build()
    assert result.ok and result.relinked and result.replanned is not None
    assert f"<title>{title} – " in page.read_text()
    assert len(replanned) == 2 and max(replanned) < 20, replanned
    same_as_clean(content, out, tmp_path, 1)


def test_a_part_of_the_plan_that_holds_what_it_did_not_read_is_made_again(tmp_path, monkeypatch):
    """A body's page given its meetings without reading anything of them (a theme's own
    plan might): when one of them is made afresh by an edit, the body's page is given
    the new one, not kept with the old."""
    from sitegen import pages

    def holding(body, today, where):  # type: ignore[no-untyped-def]
        past = [(2011, list(body.meetings))]  # (the list read, none of its meetings)
        context = {"body": body, "upcoming": [], "past": past, "attended": []}
        return [pages.Page(where[1] + f"bodies/{body.id}/", "body.html", body.name, context, where[0])]

    monkeypatch.setattr(pages, "_body_pages", holding)
    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    replanned = parts_checked(monkeypatch)
    assert project.build().ok
    while project.warm():
        pass
    edit(content, CABINET, "The Leader invited", "The Leader warmly invited")
    result = project.build()
    assert result.ok and result.relinked and replanned and replanned[-1] > 0


def test_a_meeting_added_on_the_day_another_of_its_body_met_retitles_both(tmp_path, monkeypatch):
    """Two meetings of a body on one day are told apart by their times, or failing that
    their ids: the preview's plan follows a meeting added, timed and taken away."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project, replanned = warmed(content, out, monkeypatch)
    page = out / "meetings" / "2011-11-16-cabinet" / "index.html"
    assert "<title>Cabinet, Wednesday 16 November 2011 – " in page.read_text()
    added = content / "meetings/2011/2011-11-16-cabinet-morning.md"
    added.write_text("---\nbody: cabinet\ndate: 2011-11-16\nstatus: held\nitems:\n  - id: a\n    title: A\n---\n")
    titles = []
    for step in (
        lambda: None,
        lambda: edit(content, "meetings/2011/2011-11-16-cabinet-morning.md", "status: held", "start: 18:30"),
        lambda: edit(content, "meetings/2011/2011-11-16-cabinet-morning.md", "start: 18:30", "start: 10:00"),
        added.unlink,
    ):
        step()
        result = project.build()
        assert result.ok and (result.relinked or step == added.unlink), result.problems
        titles.append(page.read_text().split("<title>", 1)[1].split(" – ", 1)[0])
        same_as_clean(content, out, tmp_path, len(titles))
    assert titles == [
        "Cabinet, Wednesday 16 November 2011, 6.30pm",  # (the other has no time)
        "Cabinet, Wednesday 16 November 2011 (2011-11-16-cabinet)",  # (both at 6.30pm)
        "Cabinet, Wednesday 16 November 2011, 6.30pm",
        "Cabinet, Wednesday 16 November 2011",
    ]
    assert len(replanned) == 3 and max(replanned) < 20, replanned  # (the file taken away: all planned afresh)


def test_the_plans_parts_are_recorded_a_few_at_a_time_between_edits(tmp_path, monkeypatch):
    """While the preview waits, the plan's parts are recorded a few at a time (a save waits
    for one step at most); an edit that comes before they all are gives again those kept,
    makes the others, and matches a clean build."""
    from sitegen import incremental

    monkeypatch.setattr(incremental, "WARM_PARTS", 10)
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project, replanned = built(content, out, monkeypatch)
    assert project.warm() is True  # (the recorded reads compared)
    assert project.warm() is True and project.parts is not None and len(project.parts.kept) == 10
    edit(content, CABINET, "Council Chamber", "The Blue Room")
    result = project.build()
    assert result.ok and result.relinked and result.replanned is not None
    assert 0 < len(project.parts.kept) <= 10 < len(project.parts.kept) + project.parts.left
    same_as_clean(content, out, tmp_path, 1)
    steps = 0
    while project.warm():
        steps += 1
    assert steps >= 4 and project.parts.left == 0
    project._learnt.clear()  # (linked in again, not set on its objects: see Project._patched)
    edit(content, CABINET, "The Blue Room", "The Red Room")
    result = project.build()
    assert result.ok and result.relinked and not result.patched
    assert 0 < result.replanned < len(project.parts.kept) // 2
    same_as_clean(content, out, tmp_path, 2)
    assert len(replanned) == 2


def test_parts_that_cannot_be_kept_are_made_every_time_and_the_idle_work_ends(tmp_path, monkeypatch):
    """A part that looks something up cannot be compared: it is made on every plan, never
    kept, and the preview's idle work still comes to an end (the parts it leaves are not
    counted as left to record)."""
    from sitegen import incremental, pages

    meeting_pages = pages._meeting_pages

    def looking_up(*args):  # type: ignore[no-untyped-def]
        record.lookup("today", "")
        return meeting_pages(*args)

    monkeypatch.setattr(pages, "_meeting_pages", looking_up)
    monkeypatch.setattr(incremental, "WARM_PARTS", 5)
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project, replanned = built(content, out, monkeypatch)
    steps = 0
    while project.warm():
        steps += 1
        assert steps < 40, "the idle work does not end"
    held = sum(1 for x in project.loaded.model.meetings.values() if not x.maker_id)
    assert not any(part.make is looking_up for part in project.parts.kept.values()) and project.parts.left == 0
    edit(content, CABINET, "The Leader invited", "The Leader warmly invited")
    result = project.build()
    assert result.ok and result.relinked and replanned[-1] >= held
    same_as_clean(content, out, tmp_path, 1)


def test_only_the_first_builds_objects_are_frozen(tmp_path, monkeypatch):
    """The preview freezes the first build's objects for the collector to pass over (and
    its plan's parts, recorded while it waits); never a later model's, which an edit
    replaces and which would then never be collected."""
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    assert project.build().ok and len(frozen) == 1
    while project.warm():
        pass
    assert len(frozen) == 2
    for n in range(3):  # (edits after which the parts are recorded afresh)
        edit(content, "people.yaml", "Councillor Amina Khan", f"Councillor Amina Khan {n}")
        assert project.build().ok
        while project.warm():
            pass
        edit(content, "people.yaml", f"Councillor Amina Khan {n}", "Councillor Amina Khan")
    assert len(frozen) == 2 and project.parts is not None and project.parts.left == 0


def test_reads_numbered_as_they_are_taken_are_those_of_their_pairs(tmp_path):
    """Reads.numbered (a page rendered again in the preview), which works out the value of
    a read only when it is not kept yet, and the reads a renderer numbers in its share of
    the pages (Keys.note, sent back pickled, then Reads.remember_share: a build's), keep
    what numbering Keys.pairs keeps: the same numbers, values and tables, whether every
    read is new or most are kept."""
    import pickle

    content = copy_example(tmp_path)
    project = Project(content, tmp_path / "out")
    assert project.build().ok
    while project.warm():
        pass
    keys, builder = project.keys, project.builder
    assert keys is not None and builder is not None
    looked_up = 0
    for start in (Reads(), project.state):
        theirs, ours = pickle.loads(pickle.dumps(start)), pickle.loads(pickle.dumps(start))
        shared = pickle.loads(pickle.dumps(start))
        shares = [record.Share() for _ in range(3)]
        with record.recording() as recorder:
            for n, (rel, page) in enumerate(builder.planned.items()):
                builder.render(page)
                reads, extra = recorder.take()
                theirs.remember(rel, *keys.pairs(reads, extra))
                ours.record(rel, keys, reads, extra)
                keys.note(shares[n * 3 // len(builder.planned)], rel, reads, extra)
                assert not recorder.reads and not recorder.extra  # (nothing numbering read was recorded)
                looked_up += any(kind != record.TEMPLATE for kind, _ in extra)
        for share in shares:  # (as a renderer sends it back)
            shared.remember_share(pickle.loads(pickle.dumps(share)))
        assert len(theirs.values) > 1000
        # (each read once a share, however many of its pages read it)
        assert sum(len(share.reads) for share in shares) * 2 < sum(len(n) for s in shares for _, n, _, _ in s.pages)
        for numbered in (ours, shared):
            assert numbered.values == theirs.values
            assert numbered.by_object == theirs.by_object
            assert {rel: frozenset(n) for rel, n in numbered.by_page.items()} == {
                rel: frozenset(n) for rel, n in theirs.by_page.items()
            }
            assert numbered.templates == theirs.templates
    assert looked_up  # (the example's pages look ref: links up)


def test_an_edit_of_what_linking_does_not_read_is_set_on_the_meetings_own_objects(tmp_path):
    """Once a meeting has been linked in after an edit (what linking read of it recorded
    as it did), an edit of its place or minutes is set on its very objects, without
    linking, keying and comparing the whole site again; an edit of what linking read (an
    outcome), or prose with a ref: link that leads nowhere, is linked in or reported as
    before. Each matches a clean build."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    while project.warm():
        pass
    edit(content, CABINET, "Council Chamber", "The Blue Room")
    result = project.build()
    assert result.ok and result.relinked and not result.patched  # (the first: linked in, its reads recorded)
    same_as_clean(content, out, tmp_path, 1)
    steps = [  # (the edit, whether it is set on the objects, whether the plan is kept as it was)
        ("The Blue Room", "The Red Room", True, True),
        ("The Leader invited", "The Leader warmly invited", True, True),
        ("outcome: rejected", "outcome: deferred", False, False),  # (a recommendation's status: linking reads it)
        ("The Leader warmly invited", "The Leader kindly invited", True, True),
        ('number: "1"', 'number: "1A"', True, False),  # (an item's number: in its page's title, planned)
    ]
    for n, (old, new, patched, plan_kept) in enumerate(steps, start=2):
        while project.warm():
            pass
        edit(content, CABINET, old, new)
        result = project.build()
        assert result.ok and result.patched is patched and result.plan_kept is plan_kept, (old, new, result)
        assert result.rendered >= 1
        same_as_clean(content, out, tmp_path, n)
    assert "The Red Room" in (out / "meetings" / "2011-11-16-cabinet" / "index.html").read_text()
    edit(content, CABINET, "The Leader kindly invited", "The Leader (see [this](ref:nowhere-at-all)) invited")
    result = project.build()
    assert not result.ok and any("nowhere-at-all" in str(p) for p in result.problems)
    edit(content, CABINET, "The Leader (see [this](ref:nowhere-at-all)) invited", "The Leader invited")
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 99)


def test_a_sum_of_money_set_on_its_object_makes_the_plan_again(tmp_path):
    """A sum that linking does not read but the plan does (the money page's totals by
    year) is set on its object, and the plan is made again, not given as it was."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    planning = "meetings/2012/2012-06-13-planning.md"
    for n, (old, new) in enumerate([("amount: 42000", "amount: 42500"), ("amount: 42500", "amount: 47000")]):
        while project.warm():
            pass
        assert project.parts is not None and project.parts.top
        edit(content, planning, old, new)
        result = project.build()
        assert result.ok and not result.plan_kept
        same_as_clean(content, out, tmp_path, n)
    assert result.patched  # (the second: set on its object, the first having been linked in)
    assert "47,000" in (out / "decisions" / "money" / "index.html").read_text()


def test_a_link_set_in_prose_to_a_file_only_an_exempt_item_names_is_reported(tmp_path):
    """An edit that could be set on a meeting's objects (its minutes) is checked as linking
    it in checks it: a link to a file that only an exempt item names is an error, shown
    as a clean build shows it, and the file stays unpublished."""
    content = copy_example(tmp_path)
    (content / "files" / "2011" / "private-note.pdf").write_bytes(b"%PDF-1.4 private\n")
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    while project.warm():
        pass
    edit(
        content,
        CABINET,
        "    title: Apologies for absence\n",
        "    title: Apologies for absence\n    exempt: 'Paragraph 1'\n"
        "    documents:\n      - title: Note\n        href: files/2011/private-note.pdf\n",
    )
    assert project.build().ok  # (linked in, what linking read recorded)
    while project.warm():
        pass
    edit(content, CABINET, "Council Chamber", "The Blue Room")
    assert project.build().patched  # (an edit of this meeting is set on its objects now)
    edit(content, CABINET, "The Leader invited", "The Leader (see [the note](files/2011/private-note.pdf)) invited")
    result = project.build()
    assert not result.ok and any("private-note.pdf" in str(p) and not p.warning for p in result.problems)
    assert not any(out.rglob("private-note.pdf"))
    edit(content, CABINET, "The Leader (see [the note](files/2011/private-note.pdf)) invited", "The Leader invited")
    assert project.build().ok
    same_as_clean(content, out, tmp_path, 1)


def test_a_link_set_in_an_exempt_items_text_withholds_the_file_in_the_preview(tmp_path):
    """An edit set on a meeting's objects that makes an exempt item's text link to a file
    withholds that file from the preview, as a clean build does, and gives it back when
    the link goes."""
    content = copy_example(tmp_path)
    (content / "files" / "2011" / "private-note.pdf").write_bytes(b"%PDF-1.4 private\n")
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    while project.warm():
        pass
    edit(
        content,
        CABINET,
        "    title: Apologies for absence\n",
        "    title: Apologies for absence\n    exempt: 'Paragraph 1'\n    decisions:\n      - id: '9'\n        text: Agreed.\n",
    )
    assert project.build().ok
    while project.warm():
        pass
    assert any(out.rglob("private-note.pdf"))  # (no one names it: published, as any file there)
    edit(content, CABINET, "text: Agreed.", "text: Agreed, see [the note](files/2011/private-note.pdf).")
    assert project.build().ok
    assert not any(out.rglob("private-note.pdf"))
    same_as_clean(content, out, tmp_path, 1)
    edit(content, CABINET, "text: Agreed, see [the note](files/2011/private-note.pdf).", "text: Agreed.")
    assert project.build().ok
    assert any(out.rglob("private-note.pdf"))
    same_as_clean(content, out, tmp_path, 2)


def test_a_vote_count_the_file_gives_and_a_sum_written_otherwise_are_followed(tmp_path):
    """What the file gives of a field linking fills in (a vote's count) is linked in, and
    a sum written with its pence is a change: after each, and after a full load, the
    preview is a clean build's."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    planning = "meetings/2012/2012-06-13-planning.md"
    steps = [
        (planning, "location: Council Chamber", "location: The Blue Room"),  # (linked in: what it reads recorded)
        (planning, "for: 5", "for: 4"),
        (planning, "amount: 42000", "amount: 42000.00"),
        ("people.yaml", "\n", "\n# a note\n"),  # (a full load)
    ]
    for n, (rel, old, new) in enumerate(steps):
        while project.warm():
            pass
        edit(content, rel, old, new)
        assert project.build().ok
        same_as_clean(content, out, tmp_path, n)


def test_an_item_made_exempt_whose_decision_another_meeting_links_to_is_reported(tmp_path):
    """Another meeting's minutes link (ref:) to a decision whose item is then made exempt:
    the preview reports the link as a clean build does, at once and after the item's
    meeting has been linked in once (its place or minutes edited since could be set on its
    objects; linking reads an item's exemption, so this edit is linked in), and keeps the
    last good site."""
    content = copy_example(tmp_path)
    jan = "meetings/2012/2012-02-29-council.md"
    title = "    title: Statement of Licensing Policy 2012-2015\n"
    exempt = title + "    exempt: 'Paragraph 3'\n"
    clean = tmp_path / "clean"
    edit(content, jan, title, exempt)
    with pytest.raises(Exception, match="exempt item"):
        build(content, clean)
    edit(content, jan, exempt, title)
    for learnt in (False, True):
        out = tmp_path / f"out-{learnt}"
        project = Project(content, out)
        assert project.build().ok
        if learnt:  # (linked in once: what linking read of it recorded)
            while project.warm():
                pass
            edit(content, jan, "very little consultation", "very little consultation at all")
            assert project.build().ok
            while project.warm():
                pass
        page = out / "meetings" / "2012-02-29-council" / "index.html"
        before = page.read_bytes()
        edit(content, jan, title, exempt)
        result = project.build()
        assert not result.ok, result
        assert any("exempt item" in str(p) and "2012-03-21-cabinet" in str(p) for p in result.problems)
        assert page.read_bytes() == before  # (the last good site is kept, as a failed build keeps it)
        edit(content, jan, exempt, title)
        assert project.build().ok
        if learnt:
            edit(content, jan, "very little consultation at all", "very little consultation")
            assert project.build().ok
        same_as_clean(content, out, tmp_path, int(learnt))


def test_a_call_in_considered_before_it_was_made_is_warned_of_until_either_file_mends_it(tmp_path):
    """The warning joins two files (the decision's, the meeting's): mending either clears it
    in the preview, as in a clean build."""
    decision = (
        "date: 2024-03-11\ndecision_maker: cabinet\ntitle: Depot\ntext: Sell it.\npublished: 2024-03-12\n"
        "call_in:\n  called_in: 2024-03-14\n  considered_at: 2024-03-10-audit\n"
    )
    content = write_site(
        tmp_path,
        {
            "decisions/2024-03-11-depot.yaml": decision,
            "meetings/2024-03-10-audit.yaml": "body: audit\ndate: 2024-03-10\n",
        },
    )
    project = Project(content, tmp_path / "out")

    def warned() -> list[str]:
        result = project.build()
        assert result.ok
        return [str(p) for p in result.problems if "considered_at" in p.message]

    assert warned() == [
        'decisions/2024-03-11-depot.yaml:8: warning: considered_at "2024-03-10-audit": that meeting (2024-03-10) '
        "is before the call-in (2024-03-14); name the meeting that considered it"
    ]
    edit(content, "meetings/2024-03-10-audit.yaml", "date: 2024-03-10", "date: 2024-03-20")
    assert warned() == []  # (the meeting's file mended it: the date in its name is another matter)
    edit(content, "meetings/2024-03-10-audit.yaml", "date: 2024-03-20", "date: 2024-03-10")
    assert len(warned()) == 1
