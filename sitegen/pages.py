"""The plan: which pages exist, and what each one's context is.

Every list a page shows is computed here (or in the linker), never in a
template. Each page also names what it depends on, for incremental builds.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from . import model as m
from .urls import NAMED, output_file, path_for, path_of

REGISTER_LATEST = 50
HOME_LIST = 8


@dataclass(slots=True)
class Page:
    path: str  # address relative to the site root
    template: str
    title: str
    context: dict[str, Any]
    deps: frozenset[str] = field(default_factory=frozenset)
    file: str = field(init=False)  # where it is written, relative to the output folder
    plan: int = field(init=False)  # the plan that made it (see PLANS): the preview tells kept pages by it

    def __post_init__(self) -> None:
        self.file = output_file(self.path)
        self.plan = PLANS[0]

    @property
    def kind(self) -> str:
        """What the page is, in words, for search ("" for lists, which are not indexed)."""
        from .present import PAGE_KINDS

        return PAGE_KINDS.get(self.template, "")


PLANS = [0]  # the number of the plan being made: each plan() counts one more


@dataclass(slots=True)
class Kept:
    """What the preview keeps of its last plan after an edit to meeting files alone
    (see Project._unaffected): a page is kept when nothing it shows can have changed."""

    meetings: dict[str, list[Page]]  # the pages of meetings no edit touched, by meeting id
    lists: dict[str, Page]  # the last plan's body, issue, person and decision-year pages, by address
    touched: set[str]  # the meetings an edit may have changed, or changed what they show
    bodies: set[str]  # the bodies of those meetings, before and after the edit
    # each meeting's public decisions and recommendations, by id, with the meeting object
    # they were found in (kept between plans: a meeting not read again has the same ones)
    publics: dict[str, tuple[m.Meeting, list[m.Decision], list[m.Decision]]] = field(default_factory=dict)


def _public(meeting: m.Meeting) -> list[m.Decision]:
    """A meeting's decisions of non-exempt items, in agenda order."""
    return [d for item in meeting.items if not item.exempt for d in item.decisions]


def declarations(model: m.Model) -> list[tuple[m.Meeting, m.Item, m.Interest]]:
    """Every declaration of interest at a public item, newest meeting first, in agenda order."""
    return [
        (meeting, item, interest)
        for meeting in reversed(model.meetings.values())
        for item in meeting.items
        if not item.exempt
        for interest in item.interests
    ]


def public_decisions(model: m.Model) -> list[m.Decision]:
    """Every decision of a non-exempt item, newest meeting first, in agenda order."""
    return [d for meeting in reversed(model.meetings.values()) for d in _public(meeting)]


def public_decision_years(model: m.Model, publics: list[list[m.Decision]]) -> list[tuple[int, list[m.Decision]]]:
    """public_decisions() grouped by year, newest first (worked out a meeting at a time).
    PUBLICS: each meeting's _public(), in the model's order."""
    out: list[tuple[int, list[m.Decision]]] = []
    for meeting, decisions in zip(reversed(model.meetings.values()), reversed(publics), strict=True):
        if not decisions:
            continue
        if out and out[-1][0] == meeting.date.year:
            out[-1][1].extend(decisions)
        else:
            out.append((meeting.date.year, list(decisions)))  # (extended below: not the meeting's own list)
    return out


def public_recommendations(model: m.Model) -> list[m.Decision]:
    """The recommendations of non-exempt items, oldest first (by the date each was made)."""
    return public_decisions_by_meeting(model)[1]


def public_decisions_by_meeting(
    model: m.Model, known: dict[str, tuple[m.Meeting, list[m.Decision], list[m.Decision]]] | None = None
) -> tuple[list[list[m.Decision]], list[m.Decision]]:
    """Each meeting's _public() in the model's order, and public_recommendations(), in
    one walk. KNOWN: what an earlier plan found (see Kept.publics), kept up to date."""
    publics: list[list[m.Decision]] = []
    recommendations: list[m.Decision] = []
    if known is not None and len(known) > 2 * len(model.meetings):
        known.clear()  # mostly meetings gone
    for meeting in model.meetings.values():
        found = known.get(meeting.id) if known is not None else None
        if found is None or found[0] is not meeting:
            public = _public(meeting)
            found = (meeting, public, [d for d in public if d.is_recommendation])
            if known is not None:
                known[meeting.id] = found
        publics.append(found[1])
        recommendations += found[2]
    return publics, recommendations


def open_recommendations(recommendations: list[m.Decision]) -> list[m.Decision]:
    """Open recommendations, oldest first. RECOMMENDATIONS: public_recommendations()
    (a status edit changes no decision: the preview keeps the list)."""
    return [d for d in recommendations if d.status is not None and d.status.open]


def _latest_decisions(model: m.Model, count: int) -> list[m.Decision]:
    """The first COUNT of public_decisions()."""
    out: list[m.Decision] = []
    for meeting in reversed(model.meetings.values()):
        out.extend(_public(meeting))
        if len(out) >= count:
            break
    return out[:count]


def _year_counts(model: m.Model) -> list[tuple[int, int]]:
    """Meetings a year, newest year first: what by_year() gives, counted."""
    counts: dict[int, int] = {}
    for meeting in model.meetings.values():
        counts[meeting.date.year] = counts.get(meeting.date.year, 0) + 1
    return sorted(counts.items(), reverse=True)


def upcoming(model: m.Model) -> list[m.Meeting]:
    return [x for x in model.meetings.values() if x.date >= model.today and x.status in ("scheduled", "postponed")]


def by_year(meetings: Iterable[m.Meeting]) -> list[tuple[int, list[m.Meeting]]]:
    """MEETINGS (newest first, as the model's are in reverse) by year, newest year first."""
    return [(year, list(group)) for year, group in groupby(meetings, key=lambda x: x.date.year)]


def meeting_deps(meeting: m.Meeting, memo: dict[int, frozenset[str]]) -> set[str]:
    deps = {f"meeting:{meeting.id}", f"body:{meeting.body_id}"}
    for person in [meeting.chair, *meeting.present, *meeting.apologies, *meeting.in_attendance]:
        if person is not None:
            deps.add(f"person:{person.id}")
    for item in meeting.items:
        deps.update(item_links(item, memo))
    return deps


def item_links(item: m.Item, memo: dict[int, frozenset[str]] | None = None) -> frozenset[str]:
    """The meetings whose data an item's rendering shows (statuses, steps, considers)."""
    if memo is not None:
        known = memo.get(id(item))
        if known is None:
            known = memo[id(item)] = item_links(item)
        return known
    deps: set[str] = set()
    for decision in item.decisions:
        for step in [*decision.steps, *decision.decides]:
            for d in (step.decision, step.target):
                if d is not None:
                    deps.add(f"meeting:{d.meeting.id}")
        if decision.at is not None:
            deps.add(f"meeting:{decision.at.id}")
        for other in decision.considered_by:
            deps.add(f"meeting:{other.meeting.id}")  # type: ignore[union-attr]
        if decision.to is not None:
            deps.add(f"body:{decision.to.id}")
    for target in item.considers:
        deps.add(f"meeting:{target.meeting.id}")  # type: ignore[union-attr]
    for other in item.considered_by:
        deps.add(f"meeting:{other.meeting.id}")  # type: ignore[union-attr]
    for issue in item.issues:
        deps.add(f"issue:{issue.id}")
    for interest in item.interests:
        if interest.person is not None:
            deps.add(f"person:{interest.person.id}")
    for amendment in item.amendments:
        for person in (amendment.moved_by, amendment.seconded_by):
            if person is not None:
                deps.add(f"person:{person.id}")
    for vote in item.votes:
        for person in [*vote.for_people, *vote.against_people, *vote.abstained_people]:
            deps.add(f"person:{person.id}")
    return deps


def plan(
    model: m.Model,
    lists_only: bool = False,
    keep: Kept | None = None,
    memo: dict[int, frozenset[str]] | None = None,
    lists: dict[str, object] | None = None,
) -> list[Page]:
    """Every page of the site, in a stable order. LISTS_ONLY: only the pages whose
    contents depend on meetings' statuses (home, meetings, bodies, awaiting decision);
    the preview re-plans just these after an edit that changed no link. KEEP: pages to
    use as they are; MEMO: item links known already. LISTS is given the open
    recommendations, the decisions and meetings by year, for the fingerprints; a lists-only plan
    takes the recommendations from it (a status edit changes no decision)."""
    pages: list[Page] = []
    PLANS[0] += 1
    if memo is None:
        memo = {}  # each item's links, worked out once per plan (the preview keeps it between plans)
    if lists is None:
        lists = {}
    every = frozenset({"*"})
    if lists_only:
        decision_years, decisions = [], _latest_decisions(model, HOME_LIST)
        years, counts = [], _year_counts(model)
    else:
        publics, recommendations = public_decisions_by_meeting(model, keep.publics if keep is not None else None)
        lists["recommendations"] = recommendations
        decision_years = lists["decision-years"] = public_decision_years(model, publics)
        decisions = [d for _, ds in decision_years for d in ds]  # public_decisions(), newest first
        years = by_year(reversed(model.meetings.values()))  # (the model's meetings are in date order)
        counts = [(y, len(ms)) for y, ms in years]
    lists["meeting-years"] = counts  # for the fingerprints
    if "recommendations" not in lists:
        lists["recommendations"] = public_recommendations(model)
    awaiting = lists["awaiting"] = open_recommendations(lists["recommendations"])  # type: ignore[arg-type]
    coming = upcoming(model)
    soon = set(coming)
    kept = keep.lists if keep is not None else {}
    # for the preview's next edit: each meeting's pages, and the body, issue, person and
    # decision-year pages by address (a lists-only plan updates the body pages it made)
    by_meeting: dict[str, list[Page]] = lists.setdefault("meeting-pages", {})  # type: ignore[assignment]
    listed: dict[str, Page] = lists.setdefault("list-pages", {})  # type: ignore[assignment]

    def add(page: Page) -> None:
        pages.append(page)
        listed[page.path] = page

    pages.append(
        Page(
            "",
            "home.html",
            "Home",
            {
                "upcoming": coming[:HOME_LIST],
                "latest": decisions[:HOME_LIST],
                "awaiting": awaiting[:HOME_LIST],
                "awaiting_count": len(awaiting),
                "bodies": list(model.bodies.values()),
            },
            every,
        )
    )
    pages.append(
        Page(
            NAMED["meetings"],
            "meetings.html",
            "Meetings",
            {
                "years": counts,
                "upcoming": coming,
                "recent": [x for x in reversed(model.meetings.values()) if x.date < model.today][:20],
            },
            every,
        )
    )
    for year, meetings in years:
        pages.append(
            Page(
                path_for("meetings-year", year),
                "year.html",
                f"Meetings in {year}",
                {"year": year, "meetings": meetings, "years": [y for y, _ in years]},
                frozenset({f"listing:{x.id}" for x in meetings} | {"meeting-years", "bodies"}),
            )
        )
    for meeting in [] if lists_only else model.meetings.values():
        if keep is not None and meeting.id in keep.meetings:
            group = by_meeting[meeting.id] = keep.meetings[meeting.id]
            pages.extend(group)  # the preview's pages of a meeting no edit touched
            continue
        deps = meeting_deps(meeting, memo)
        deps.update(_prose_keys(deps))
        base = path_of(meeting)
        group = by_meeting[meeting.id] = [
            Page(base, "meeting.html", _meeting_title(meeting), {"meeting": meeting}, frozenset(deps))
        ]
        own = {f"meeting:{meeting.id}", f"body:{meeting.body_id}", f"prose:{meeting.id}"}
        labels = Counter(item.label for item in meeting.items)
        for item in meeting.items:
            links = item_links(item, memo)
            item_deps = own.union(links, _prose_keys(links))
            label = item.label if labels[item.label] == 1 else f"{item.label} ({item.id})"
            group.append(
                Page(
                    path_of(item),
                    "item.html",
                    f"{label} – {group[0].title}",  # what it is, and where: no two pages share a title
                    {"meeting": meeting, "item": item},
                    frozenset(item_deps),
                )
            )
        pages.extend(group)
    pages.append(Page(NAMED["bodies"], "bodies.html", "Bodies", {"bodies": list(model.bodies.values())}, every))
    for body in model.bodies.values():
        old = kept.get(path_of(body))
        if old is not None and old.context["body"] is body and body.id not in keep.bodies:  # type: ignore[union-attr]
            add(old)  # no meeting of the body was touched
            continue
        past = [x for x in reversed(body.meetings) if x not in soon]
        add(
            Page(
                path_of(body),
                "body.html",
                body.name,
                {
                    "body": body,
                    "upcoming": [x for x in coming if x.body is body],
                    "past": by_year(past),
                    "attended": _attendees(body),
                },
                frozenset({f"body:{body.id}", "bodies", "people"} | {f"listing:{x.id}" for x in body.meetings}),
            )
        )
    if lists_only:
        _plan_awaiting(model, pages, awaiting, memo, lists)
        return pages
    issues = sorted(model.issues.values(), key=lambda i: (i.last_date, i.id), reverse=True)
    pages.append(
        Page(NAMED["issues"], "issues.html", "Topics", {"issues": issues}, frozenset({"issue-list", "bodies"}))
    )
    touched = [model.meetings[mid] for mid in keep.touched if mid in model.meetings] if keep is not None else []
    touched_issues = {issue.id for meeting in touched for item in meeting.items for issue in item.issues}
    touched_years = {meeting.date.year for meeting in touched}  # (a touched meeting gone: its decisions went too)
    titles = issue_titles(model)
    for issue in model.issues.values():
        old = kept.get(path_of(issue))
        title = titles[issue.id]
        if old is not None and old.context["issue"] is issue and issue.id not in touched_issues and old.title == title:
            add(old)  # the same issue (not made again), none of its meetings touched
            continue
        deps = {f"issue:{issue.id}", "bodies", "issue-list"}
        for item in issue.items:
            deps |= item_links(item, memo) | {f"meeting:{item.meeting.id}"}  # type: ignore[union-attr]
        deps.update(_prose_keys(deps))  # it shows their prose
        add(Page(path_of(issue), "issue.html", title, {"issue": issue}, frozenset(deps)))
    if model.has_people_file:
        people = sorted(model.people.values(), key=lambda p: (p.role != "member", p.name))
        pages.append(Page(NAMED["people"], "people.html", "People", {"people": people}, frozenset({"people"})))
        for person in model.people.values():
            record = model.records[person.id]
            old = kept.get(path_of(person))
            if old is not None and old.context["record"] is record and old.context["person"] is person:
                add(old)  # the record was not made again: no edit named the person
                continue
            add(
                Page(
                    path_of(person),
                    "person.html",
                    person.name,
                    {"person": person, "record": record, "attendance": _attendance(model, person, record)},
                    frozenset(_person_deps(person, record)),
                )
            )
    pages.append(
        Page(
            NAMED["decisions"],
            "decisions.html",
            "Decisions register",
            {
                "decisions": decisions[:REGISTER_LATEST],
                "years": [(y, len(ds)) for y, ds in decision_years],
                "year": None,
                "total": len(decisions),
            },
            every,
        )
    )
    year_counts = [(y, len(g)) for y, g in decision_years]
    for year, ds in decision_years:
        old = kept.get(path_for("decisions-year", year))
        if (
            old is not None
            and year not in touched_years
            and old.context["years"] == year_counts
            and old.context["decisions"] == ds  # the same objects (decisions compare by identity)
        ):
            add(old)  # the same decisions, none in a touched meeting, and the same years
            continue
        year_deps: set[str] = {"bodies"}
        for item in {id(d.item): d.item for d in ds}.values():
            year_deps |= item_links(item, memo) | {f"meeting:{item.meeting.id}"}  # type: ignore[union-attr]
        add(
            Page(
                path_for("decisions-year", year),
                "decisions.html",
                f"Decisions in {year}",
                {"decisions": ds, "years": year_counts, "year": year, "total": len(ds)},
                frozenset(year_deps | {"decision-years"}),
            )
        )
    _plan_awaiting(model, pages, awaiting, memo, lists)
    rows = declarations(model)
    years = sorted({meeting.date.year for meeting, _, _ in rows}, reverse=True)
    declared = [(year, [r for r in rows if r[0].date.year == year]) for year in years]
    shown = every | {f"prose:{meeting.id}" for meeting, _, _ in rows}  # it shows what each declared (prose)
    pages.append(
        Page(NAMED["declarations"], "declarations.html", "Declarations of interest", {"years": declared}, shown)
    )
    pages.append(Page(NAMED["how"], "how.html", "How decisions are made here", {}, frozenset({"bodies"})))
    pages.append(Page(NAMED["search"], "search.html", "Search", {}, frozenset({"bodies"})))
    pages.append(Page(NAMED["data"], "data.html", "Open data", {}, frozenset({"bodies"})))
    pages.append(Page(NAMED["404"], "404.html", "Page not found", {}, frozenset({"bodies"})))
    return pages


def _prose_keys(deps: set[str] | frozenset[str]) -> list[str]:
    """The "prose:MEETING" keys of the meetings among DEPS: a page showing their prose says so."""
    return ["prose:" + key[8:] for key in deps if key.startswith("meeting:")]


def _plan_awaiting(model: m.Model, pages: list[Page], awaiting: list[m.Decision], memo: dict, lists: dict) -> None:
    """LISTS keeps the page's dependencies with the recommendations they were worked out for."""
    by_body: dict[int, list[m.Decision]] = {}
    for d in awaiting:
        by_body.setdefault(id(d.status.body), []).append(d)  # type: ignore[union-attr]
    groups = [(body, by_body[id(body)]) for body in model.bodies.values() if id(body) in by_body]
    # which recommendations are open, and where each stands ("awaiting": see awaiting_list),
    # and what the open ones show: their meetings and the meetings their steps link to
    last = lists.get("awaiting-deps")
    if last is not None and last[1] is memo and last[0] == awaiting:  # (decisions compare by identity)
        deps = last[2]  # the same recommendations, with the same item links (a status edit)
    else:
        deps = frozenset(_awaiting_deps(awaiting, memo))
        lists["awaiting-deps"] = (awaiting, memo, deps)
    pages.append(
        Page(
            NAMED["awaiting"],
            "awaiting.html",
            "Awaiting decision",
            {"groups": groups, "count": len(awaiting)},
            deps,
        )
    )


def _awaiting_deps(awaiting: list[m.Decision], memo: dict) -> set[str]:
    """What the open recommendations show: their meetings, their prose (their texts)
    and the meetings their items link to."""
    deps: set[str] = {"bodies", "awaiting"}
    for item in {id(d.item): d.item for d in awaiting}.values():
        mid = item.meeting.id  # type: ignore[union-attr]
        deps |= item_links(item, memo)
        deps.update((f"meeting:{mid}", f"prose:{mid}"))
    return deps


def awaiting_list(awaiting: list[m.Decision]) -> tuple:
    """What decides which recommendations the awaiting page lists, in what order, and
    the state each is shown in: a change here renders the page again."""
    out = []
    for d in awaiting:
        status = d.status
        step = status.step if status is not None else None
        out.append(
            (
                d.item.meeting.id,  # type: ignore[union-attr]
                d.item.id,  # type: ignore[union-attr]
                d.id,
                status.state if status else None,
                status.body.id if status and status.body else None,
                status.meeting.id if status and status.meeting else None,
                (step.ref, step.outcome, step.decision.ref if step.decision else None) if step else None,
            )
        )
    return tuple(out)


def issue_titles(model: m.Model) -> dict[str, str]:
    """Each issue's page title: its title, and where several issues share one, when it
    began (or, failing that, its id), so that no two pages share a title."""
    from .present import short_date

    shared = Counter(issue.title for issue in model.issues.values())
    out = {}
    for issue in model.issues.values():
        title = issue.title
        if shared[title] > 1:
            title = f"{title} (from {short_date(issue.first_date)})" if issue.items else f"{title} ({issue.id})"
        out[issue.id] = title
    again = Counter(out.values())
    return {iid: title if again[title] == 1 else f"{model.issues[iid].title} ({iid})" for iid, title in out.items()}


def issue_list(model: m.Model) -> tuple:
    """What the issues index shows of each issue."""
    return tuple(
        (i.id, i.title, len(i.items), i.first_date, i.last_date) if i.items else (i.id, i.title)
        for i in model.issues.values()
    )


# In the default theme, meeting, item, issue, awaiting and person pages show prose
# (minutes, texts, notes, declarations); every other page shows none. The preview's
# prose-only path relies on these "prose:MEETING" keys (and is not taken for other themes).


def _person_deps(person: m.Person, record: m.PersonRecord) -> set[str]:
    deps = {f"person:{person.id}", "bodies"}
    # meetings attended are listed by name and date ("roll": who attended, by body and date);
    # the others show items, texts and votes
    deps.update(f"roll:{x.id}" for x in [*record.chaired, *record.present, *record.apologies, *record.in_attendance])
    meetings = [item.meeting for item, _ in record.interests]  # type: ignore[misc]
    meetings += [a.item.meeting for a in [*record.moved, *record.seconded]]  # type: ignore[union-attr,misc]
    meetings += [v.item.meeting for v, _ in record.votes]  # type: ignore[union-attr,misc]
    deps.update(f"meeting:{x.id}" for x in meetings if x is not None)
    # the prose it shows: what the person declared
    deps.update(f"prose:{item.meeting.id}" for item, _ in record.interests if item.meeting is not None)
    return deps


def _meeting_title(meeting: m.Meeting) -> str:
    """Body, date; and where the body met more than once that day, the time (or the id)."""
    from .present import clock, long_date

    name = meeting.body.name if meeting.body else meeting.body_id
    title = f"{name}, {long_date(meeting.date)}"
    same_day = [meeting]
    if meeting.body is not None:  # its meetings are in date order: the day's are found by halving
        held = meeting.body.meetings
        first = bisect_left(held, meeting.date, key=lambda x: x.date)
        same_day = held[first : bisect_right(held, meeting.date, lo=first, key=lambda x: x.date)]
    if len(same_day) > 1:
        starts = [x.start for x in same_day]
        title += (
            f", {clock(meeting.start)}" if meeting.start and starts.count(meeting.start) == 1 else f" ({meeting.id})"
        )
    return title


def _attendees(body: m.Body) -> list[m.Person]:
    if body.members:
        return []
    seen: dict[str, m.Person] = {}
    for meeting in body.meetings:
        for person in meeting.present:
            if person.role == "member" and person.known:
                seen.setdefault(person.id, person)
    return sorted(seen.values(), key=lambda p: p.name)


@dataclass(slots=True)
class Attendance:
    body: m.Body
    present: int
    apologies: int
    expected: int  # the meetings whose minutes name them, present or sending apologies
    first: dt.date | None = None  # the period those meetings span
    last: dt.date | None = None


def _attendance(model: m.Model, person: m.Person, record: m.PersonRecord) -> list[Attendance]:
    """Per body: meetings attended and apologies sent, out of those where they were expected."""
    counts: dict[str, list[int]] = {}
    dates: dict[str, list[dt.date]] = {}
    for meeting in record.present:
        counts.setdefault(meeting.body_id, [0, 0])[0] += 1
        dates.setdefault(meeting.body_id, []).append(meeting.date)
    for meeting in record.apologies:
        counts.setdefault(meeting.body_id, [0, 0])[1] += 1
        dates.setdefault(meeting.body_id, []).append(meeting.date)
    out = []
    for bid, (present, apologies) in sorted(counts.items()):
        body = model.bodies.get(bid)
        if body is not None:
            out.append(Attendance(body, present, apologies, present + apologies, min(dates[bid]), max(dates[bid])))
    return out
