"""The plan: which pages exist, and what each one's context is.

Every list a page shows is computed here (or in the linker), never in a
template. Nothing here says what a page depends on: the preview records what
each page reads as it renders (sitegen.record).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from . import model as m
from .i18n import _, long_date, short_date
from .urls import NAMED, output_file, path_for, path_of

REGISTER_LATEST = 50
HOME_LIST = 8
PLAN_LATEST = 20  # the decided and withdrawn entries the forward plan page lists


@dataclass(slots=True)
class Page:
    path: str  # address relative to the site root
    template: str
    title: str
    context: dict[str, Any]
    language: str = ""  # the language it is written in (on a site in several, its path starts /LANG/ but for the first)
    file: str = field(init=False)  # where it is written, relative to the output folder

    def __post_init__(self) -> None:
        self.file = output_file(self.path)

    @property
    def kind(self) -> str:
        """What the page is, in words, for search ("" for lists, which are not indexed)."""
        from .present import PAGE_KINDS

        return PAGE_KINDS.get(self.template, "")  # type: ignore[return-value]


def public(meeting: m.Meeting) -> list[m.Decision]:
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


def public_decisions(model: m.Model, publics: list[list[m.Decision]] | None = None) -> list[m.Decision]:
    """Every decision of a non-exempt item, newest meeting first, in agenda order.
    PUBLICS: each meeting's public(), in the model's order, when already worked out."""
    if publics is None:
        publics = [public(meeting) for meeting in model.meetings.values()]
    return [d for decisions in reversed(publics) for d in decisions]


def public_decision_years(model: m.Model, publics: list[list[m.Decision]]) -> list[tuple[int, list[m.Decision]]]:
    """public_decisions() grouped by year, newest first (worked out a meeting at a time).
    PUBLICS: each meeting's public(), in the model's order."""
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
    return [d for meeting in model.meetings.values() for d in public(meeting) if d.is_recommendation]


def open_recommendations(recommendations: list[m.Decision]) -> list[m.Decision]:
    """Open recommendations, oldest first. RECOMMENDATIONS: public_recommendations()."""
    return [d for d in recommendations if d.status is not None and d.status.open]


def has_executive(model: m.Model) -> bool:
    """Whether the site publishes the executive's records (the forward plan, call-in): it
    has a forward plan, an executive body, or decisions made by one person."""
    return (
        bool(model.plan)
        or any(b.kind == "executive" for b in model.bodies.values())
        or (len(model.held()) < len(model.meetings))
    )


def forward_plan(model: m.Model) -> dict[str, Any]:
    """The forward plan page's lists: slipped entries first, then the planned ones by
    expected month, then the latest decided and withdrawn."""
    entries = list(model.plan.values())

    def when(e: m.PlanEntry) -> tuple:
        return (e.expected or dt.date.max, e.id)

    slipped = sorted((e for e in entries if e.state == "slipped"), key=when)
    planned = sorted((e for e in entries if e.state == "planned"), key=when)
    months = [
        (month, list(group))
        for month, group in groupby(planned, key=lambda e: e.expected.replace(day=1) if e.expected else None)
    ]
    decided = sorted(
        (e for e in entries if e.state == "decided"), key=lambda e: (e.decisions[-1].date, e.id), reverse=True
    )
    withdrawn = sorted(
        (e for e in entries if e.state == "withdrawn"), key=lambda e: (e.withdrawn or dt.date.min, e.id), reverse=True
    )
    return {
        "slipped": slipped,
        "months": months,
        "decided": decided[:PLAN_LATEST],
        "withdrawn": withdrawn[:PLAN_LATEST],
    }


def call_ins(model: m.Model, publics: list[list[m.Decision]]) -> dict[str, Any]:
    """The call-in page's lists, from the public decisions (PUBLICS, by meeting): those that
    may be called in (the soonest deadline first), those called in and awaiting scrutiny,
    and this year's outcomes (the latest first)."""
    executive = [d for public in publics for d in public if d.executive]
    running = sorted(
        (d for d in executive if d.call_in_state == "open"), key=lambda d: (d.call_in_until, d.date, d.ref)
    )
    waiting = [d for d in executive if d.call_in_state == "called-in"]
    year = model.today.year
    outcomes = sorted(
        (
            d
            for d in executive
            if d.call_in is not None and d.call_in.outcome and d.call_in.called_in and d.call_in.called_in.year == year
        ),
        key=lambda d: (d.call_in.called_in, d.ref),  # type: ignore[union-attr]
        reverse=True,
    )
    return {"running": running, "waiting": waiting, "outcomes": outcomes, "year": year}


@dataclass(slots=True)
class Sum:
    """One sum a decision committed: the money page's row (see money)."""

    decision: m.Decision  # the resolution that committed it
    money: m.Money
    recommendation: m.Decision | None = None  # the recommendation it adopted, if it did


def money(publics: list[list[m.Decision]]) -> list[tuple[int, list[Sum], list[tuple[str, Decimal]]]]:
    """The sums decisions committed, by year, newest first: each resolution's own, and each
    recommendation it adopted (approved: the recommendation's sums; amended: the decides
    entry's, the sums as adopted). A recommendation still open, or one only re-recommended
    on, commits nothing; nor does a step that a later outcome overrides. With each year, its totals by kind (in model.MONEY_KINDS' order).
    PUBLICS: each meeting's public decisions, in date order."""
    years: dict[int, list[Sum]] = {}
    for public in reversed(publics):
        for d in public:
            if not (d.money or d.decides) or d.type == "recommendation":
                continue  # (most decisions: nothing committed)
            rows = [Sum(d, mo) for mo in d.money]
            for step in d.decides:
                target = step.target
                if target is None or step.outcome not in ("approved", "amended"):
                    continue
                if target.status is not None and target.status.step is not step:
                    continue  # a later outcome stands (linking warns of the two): as its status says
                sums = step.money or (target.money if step.outcome == "approved" else [])
                rows += [Sum(d, mo, target) for mo in sums]
            if rows:
                years.setdefault(d.date.year, []).extend(rows)
    out = []
    for year in sorted(years, reverse=True):
        totals: dict[str, Decimal] = {}
        for row in years[year]:
            totals[row.money.kind] = totals.get(row.money.kind, Decimal(0)) + row.money.amount
        out.append((year, years[year], [(kind, totals[kind]) for kind in m.MONEY_KINDS if kind in totals]))
    return out


def upcoming(model: m.Model) -> list[m.Meeting]:
    return [x for x in model.meetings.values() if m.is_upcoming(x, model.today)]


def by_year(meetings: Iterable[m.Meeting]) -> list[tuple[int, list[m.Meeting]]]:
    """MEETINGS (newest first, as the model's are in reverse) by year, newest year first."""
    return [(year, list(group)) for year, group in groupby(meetings, key=lambda x: x.date.year)]


def whole(name: tuple, make: Callable[..., list[Page]], *args: object) -> list[Page]:
    """The pages of one object (see plan's PART): made here and now."""
    return make(*args)


def plan(
    model: m.Model,
    publics: list[list[m.Decision]] | None = None,
    part: Callable[..., list[Page]] = whole,
    language: str = "",
    prefix: str = "",
) -> list[Page]:
    """Every page of the site, in a stable order, in LANGUAGE (whose words are in use; its
    pages' addresses start with PREFIX). PUBLICS: each meeting's public(), in the model's
    order, when already worked out. The pages of one object (a meeting's, a body's...) are
    asked of PART as ``part(NAME, MAKE, *ARGS)``, which gives ``MAKE(*ARGS)``: the preview's
    gives the same pages again while what making them read is unchanged (record.Parts).
    ARGS are model objects (compared as the very same objects) and plain values (strings,
    numbers, dates, tuples of these: compared by value); never a list or a dict, whose
    contents could change unseen."""
    where = (language, prefix)
    pages: list[Page] = []

    def add(path: str, template: str, title: str, context: dict[str, Any]) -> None:
        pages.append(Page(prefix + path, template, title, context, language))

    if publics is None:
        publics = [public(meeting) for meeting in model.meetings.values()]
    decision_years = public_decision_years(model, publics)
    decisions = [d for _, ds in decision_years for d in ds]  # public_decisions(), newest first
    held = model.held()
    years = by_year(reversed(held))  # (the model's meetings are in date order)
    counts = [(y, len(ms)) for y, ms in years]
    recommendations = [d for public in publics for d in public if d.is_recommendation]
    awaiting = open_recommendations(recommendations)
    coming = upcoming(model)
    add(
        "",
        "home.html",
        _("Home"),
        {
            "upcoming": coming[:HOME_LIST],
            "latest": decisions[:HOME_LIST],
            "awaiting": awaiting[:HOME_LIST],
            "awaiting_count": len(awaiting),
            "bodies": list(model.bodies.values()),
        },
    )
    add(
        NAMED["meetings"],
        "meetings.html",
        _("Meetings"),
        {
            "years": counts,
            "upcoming": coming,
            "recent": [x for x in reversed(held) if x.date < model.today][:20],
        },
    )
    for year, meetings in years:
        add(
            path_for("meetings-year", year),
            "year.html",
            _("Meetings in %(year)s", year=year),
            {"year": year, "meetings": meetings, "years": [y for y, _ in years]},
        )
    made = Counter(x.items[0].title for x in model.meetings.values() if x.maker_id)
    item_title = _("%(item)s – %(meeting)s")  # (an item page's title, filled in by _meeting_pages)
    days: dict[tuple[int, dt.date], list[dt.time | None]] = {}  # the starts of each body's meetings each day
    for meeting in model.meetings.values():
        if meeting.body is not None:
            days.setdefault((id(meeting.body), meeting.date), []).append(meeting.start)
    for meeting in model.meetings.values():
        day = days.get((id(meeting.body), meeting.date), ())
        starts = tuple(day) if len(day) > 1 else ()  # (its body met more than once that day)
        if meeting.maker_id:  # a decision made by one person
            made_here = made[meeting.items[0].title]
            pages += part(("m", language, meeting.id), _decision_pages, meeting, made_here, starts, where)
        else:
            pages += part(("m", language, meeting.id), _meeting_pages, meeting, item_title, starts, where)
    add(NAMED["bodies"], "bodies.html", _("Bodies"), {"bodies": list(model.bodies.values())})
    for body in model.bodies.values():
        pages += part(("b", language, body.id), _body_pages, body, model.today, where)
    issues = sorted(model.issues.values(), key=lambda i: (i.last_date, i.id), reverse=True)
    add(NAMED["issues"], "issues.html", _("Topics"), {"issues": issues})
    titles = issue_titles(model)
    for issue in model.issues.values():
        pages += part(("i", language, issue.id), _issue_pages, issue, titles[issue.id], where)
    if model.has_people_file:
        people = sorted(model.people.values(), key=lambda p: (p.role != "member", p.name))
        add(NAMED["people"], "people.html", _("People"), {"people": people})
        for person in model.people.values():
            pages += part(("p", language, person.id), _person_pages, person, model.records[person.id], where)
    add(
        NAMED["decisions"],
        "decisions.html",
        _("Decisions register"),
        {
            "decisions": decisions[:REGISTER_LATEST],
            "years": [(y, len(ds)) for y, ds in decision_years],
            "year": None,
            "total": len(decisions),
            "bodies": _bodies_of(model, decisions[:REGISTER_LATEST]),
        },
    )
    year_counts = [(y, len(g)) for y, g in decision_years]
    for year, ds in decision_years:
        add(
            path_for("decisions-year", year),
            "decisions.html",
            _("Decisions in %(year)s", year=year),
            {
                "decisions": ds,
                "years": year_counts,
                "year": year,
                "total": len(ds),
                "bodies": _bodies_of(model, ds),
            },
        )
    by_body: dict[int, list[m.Decision]] = {}
    for d in awaiting:
        by_body.setdefault(id(d.status.body), []).append(d)  # type: ignore[union-attr]
    groups = [(body, by_body[id(body)]) for body in model.bodies.values() if id(body) in by_body]
    add(NAMED["awaiting"], "awaiting.html", _("Awaiting decision"), {"groups": groups, "count": len(awaiting)})
    rows = declarations(model)
    declared_years = sorted({meeting.date.year for meeting, _, _ in rows}, reverse=True)
    declared = [(year, [r for r in rows if r[0].date.year == year]) for year in declared_years]
    add(NAMED["declarations"], "declarations.html", _("Declarations of interest"), {"years": declared})
    if has_executive(model):
        add(NAMED["forward-plan"], "forward_plan.html", _("Forward plan"), forward_plan(model))
        planned = Counter(entry.title for entry in model.plan.values())
        for entry in model.plan.values():
            title = entry.title if planned[entry.title] == 1 else f"{entry.title} ({entry.id})"
            title = _("Forward plan: %(title)s", title=title)  # (a decision's page has the same title)
            pages += part(("fp", language, entry.id), _entry_pages, entry, title, where)
        add(NAMED["call-in"], "call_in.html", _("Call-in"), call_ins(model, publics))
    add(NAMED["money"], "money.html", _("Money committed by decisions"), {"years": money(publics)})
    add(NAMED["how"], "how.html", _("How decisions are made here"), {})
    add(NAMED["search"], "search.html", _("Search"), {})
    add(NAMED["data"], "data.html", _("Open data"), {})
    add(NAMED["404"], "404.html", _("Page not found"), {})
    return pages


# The pages of one object each (see plan's PART): what they read of the model is all
# they depend on, besides their arguments; WHERE is (language, prefix of the addresses).


def _decision_pages(meeting: m.Meeting, made: int, starts: tuple, where: tuple[str, str]) -> list[Page]:
    """The page of a decision made by one person (MADE: the decisions with its title;
    STARTS: see _meeting_title)."""
    item = meeting.items[0]
    title = item.title if made == 1 else f"{item.title} ({meeting.id})"
    title = _("%(item)s – %(meeting)s", item=title, meeting=_meeting_title(meeting, starts))
    return [Page(where[1] + path_of(meeting), "decision.html", title, {"meeting": meeting, "item": item}, where[0])]


def _meeting_pages(meeting: m.Meeting, item_title: str, starts: tuple, where: tuple[str, str]) -> list[Page]:
    """A meeting's page and its items' (ITEM_TITLE: an item page's title, in words;
    STARTS: see _meeting_title)."""
    language, prefix = where
    title = _meeting_title(meeting, starts)
    pages = [Page(prefix + path_of(meeting), "meeting.html", title, {"meeting": meeting}, language)]
    labels = [item.label for item in meeting.items]
    shared = Counter(labels) if len(set(labels)) < len(labels) else None
    for item, label in zip(meeting.items, labels, strict=True):
        if shared is not None and shared[label] > 1:
            label = f"{label} ({item.id})"
        pages.append(
            Page(
                prefix + path_of(item),
                "item.html",
                item_title % {"item": label, "meeting": title},  # no two pages share a title
                {"meeting": meeting, "item": item},
                language,
            )
        )
    return pages


def _body_pages(body: m.Body, today: dt.date, where: tuple[str, str]) -> list[Page]:
    """A body's page: its meetings to come, and those past by year, on TODAY."""
    coming = [x for x in body.meetings if m.is_upcoming(x, today)]
    soon = set(coming)
    past = [x for x in reversed(body.meetings) if x not in soon]
    context = {"body": body, "upcoming": coming, "past": by_year(past), "attended": _attendees(body)}
    return [Page(where[1] + path_of(body), "body.html", body.name, context, where[0])]


def _issue_pages(issue: m.Issue, title: str, where: tuple[str, str]) -> list[Page]:
    return [Page(where[1] + path_of(issue), "issue.html", title, {"issue": issue}, where[0])]


def _person_pages(person: m.Person, record: m.PersonRecord, where: tuple[str, str]) -> list[Page]:
    context = {"person": person, "record": record, "attendance": _attendance(record)}
    return [Page(where[1] + path_of(person), "person.html", person.name, context, where[0])]


def _entry_pages(entry: m.PlanEntry, title: str, where: tuple[str, str]) -> list[Page]:
    return [Page(where[1] + path_of(entry), "plan_entry.html", title, {"entry": entry}, where[0])]


def _bodies_of(model: m.Model, decisions: list[m.Decision]) -> list[m.Body]:
    """The bodies whose decisions are among DECISIONS, in the model's order (a register's filter)."""
    ids = {d.item.meeting.body_id for d in decisions}  # type: ignore[union-attr]
    return [body for body in model.bodies.values() if body.id in ids]


def issue_titles(model: m.Model) -> dict[str, str]:
    """Each issue's page title: its title, and where several issues share one, when it
    began (or, failing that, its id), so that no two pages share a title."""
    shared = Counter(issue.title for issue in model.issues.values())
    out = {}
    for issue in model.issues.values():
        title = issue.title
        if shared[title] > 1:
            title = (
                _("%(title)s (from %(date)s)", title=title, date=short_date(issue.first_date))
                if issue.items
                else f"{title} ({issue.id})"
            )
        out[issue.id] = title
    again = Counter(out.values())
    return {iid: title if again[title] == 1 else f"{model.issues[iid].title} ({iid})" for iid, title in out.items()}


def _meeting_title(meeting: m.Meeting, starts: tuple) -> str:
    """Body, date; and where the body met more than once that day (STARTS: the start times
    of its meetings that day, when there are several), the time (or the id)."""
    from .present import clock

    title = _("%(body)s, %(date)s", body=meeting.who_name, date=long_date(meeting.date))
    if len(starts) > 1:
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


def _attendance(record: m.PersonRecord) -> list[Attendance]:
    """Per body: meetings attended and apologies sent, out of those where they were expected
    (of meetings that name their body by its id, not by an old one)."""
    counts: dict[str, list[int]] = {}
    dates: dict[str, list[dt.date]] = {}
    bodies: dict[str, m.Body | None] = {}  # (every meeting that names a body by one id has the same)
    for place, meetings in ((0, record.present), (1, record.apologies)):
        for meeting in meetings:
            bid = meeting.body_id
            if bid not in bodies:
                body = meeting.body
                bodies[bid] = body if body is not None and body.id == bid else None
            counts.setdefault(bid, [0, 0])[place] += 1
            dates.setdefault(bid, []).append(meeting.date)
    out = []
    for bid, (present, apologies) in sorted(counts.items()):
        body = bodies.get(bid)
        if body is not None:
            out.append(Attendance(body, present, apologies, present + apologies, min(dates[bid]), max(dates[bid])))
    return out
