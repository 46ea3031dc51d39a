"""What turns the pages into a published civic site: feeds, calendars, open
data, sitemap, robots.txt and redirects for old addresses.

Every file here is a pure function of the model: no build timestamps, so two
builds of the same content are byte-identical."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from . import model as m
from . import pages
from .i18n import _, current, long_date
from .pages import has_executive, public_decisions, whole
from .present import (
    OUTCOME_WORDS,
    PLAN_STATE_WORDS,
    RECORD_WORDS,
    STATUS_WORDS,
    VOTED,
    call_in_words,
    expected_words,
    made_by,
    status_words,
)
from .urls import (
    NAMED,
    Urls,
    body_calendar,
    body_feed,
    follow_feed,
    language_prefix,
    meeting_calendar,
    output_file,
    path_for,
    path_of,
)

FEED_ENTRIES = 50
DECISIONS_SHOWN = FEED_ENTRIES * 2  # a decisions feed's entries (a meeting makes several)
UTC = dt.UTC


@dataclass
class ModelFile:
    """A feed, calendar or data file to be made (Publisher.make): to the model's files what
    a Page is to pages. Reads.due looks at it as at a page: KIND as its template, GIVEN
    (what the plan worked out for it) as its context. A WHOLE file reads the whole
    record (the open data, the calendar of every meeting): it is made on every build,
    never recorded."""

    file: str  # relative to the output folder
    kind: str  # the Publisher method that makes it
    given: tuple  # its arguments
    language: str
    prefix: str  # its language's pages' prefix
    whole: bool = False
    #: a part of that whole file (see Publisher.pieces), never written alone: when the
    #: build state is kept, each part is made and kept as a page is, and only the parts
    #: whose reads changed are made again; the whole is then put together from them
    part_of: str = ""
    title: ClassVar[str] = ""

    @property
    def path(self) -> str:
        return self.file

    @property
    def template(self) -> str:
        return "\x05" + self.kind

    @property
    def context(self) -> dict[str, object]:
        return {str(n): value for n, value in enumerate(self.given)}  # (each list copied by Reads.due)


def is_part(page: object) -> bool:
    """Whether PAGE (of a plan: a Page or a ModelFile) is a part of a whole file (see
    ModelFile.part_of): made and kept as a page is, but never written alone."""
    return page.__class__ is ModelFile and bool(page.part_of)  # type: ignore[attr-defined]


# The files of one object each (see Publisher.plan's PART): what they read of the model is
# all they depend on, besides their arguments; WHERE is (language, prefix of the addresses).


def _issue_files(issue: m.Issue, today: dt.date, authority: str, where: tuple[str, str]) -> list[ModelFile]:
    """An issue's feed, and the calendar of its meetings to come (on TODAY)."""
    language, at = where
    own = at + follow_feed(issue)
    coming = [x for x in dict.fromkeys(i.meeting for i in issue.items) if m.is_upcoming(x, today)]  # type: ignore[arg-type]
    return [
        ModelFile(own, "issue_feed", (issue, own), language, at),
        ModelFile(
            at + path_for("issue-calendar", issue.id),
            "calendar",
            (coming, f"{issue.title} – {authority}"),
            language,
            at,
        ),
    ]


def _person_files(person: m.Person, where: tuple[str, str]) -> list[ModelFile]:
    language, at = where
    own = at + follow_feed(person)
    return [ModelFile(own, "person_feed", (person, own), language, at)]


def _body_files(body: m.Body, authority: str, where: tuple[str, str]) -> list[ModelFile]:
    """A body's feeds of meetings and of decisions (the latest of each), and its calendar."""
    language, at = where
    newest = body.meetings[::-1]
    mine = [x for x in newest if not x.maker_id]  # (its meetings, not the decisions made by one person)
    decided = []
    for x in newest:
        decided += pages.public(x)
        if len(decided) >= DECISIONS_SHOWN:
            break
    own, feed = at + body_feed(body, "meetings"), at + body_feed(body, "decisions")
    return [
        ModelFile(
            own, "meetings_feed", (mine[:FEED_ENTRIES], _("%(body)s: meetings", body=body.name), own), language, at
        ),
        ModelFile(
            feed,
            "decisions_feed",
            (decided[:DECISIONS_SHOWN], _("%(body)s: decisions", body=body.name), feed),
            language,
            at,
        ),
        ModelFile(at + body_calendar(body), "calendar", (body.meetings, f"{body.name} – {authority}"), language, at),
    ]


def _meeting_files(meeting: m.Meeting, where: tuple[str, str]) -> list[ModelFile]:
    """An upcoming meeting's own calendar."""
    language, at = where
    return [ModelFile(at + meeting_calendar(meeting), "calendar", ([meeting], meeting_name(meeting)), language, at)]


def meeting_name(meeting: m.Meeting) -> str:
    """A meeting in words, in a feed or calendar: its body and its date."""
    return _("%(body)s, %(date)s", body=meeting.who_name, date=long_date(meeting.date))


class Publisher:
    """The feeds, calendars and open data of a model. On a site in several languages, the
    feeds and calendars are written in each (under its prefix, as its pages are), the open
    data once. EACH_LANGUAGE (Builder.each_language) puts each language's words and
    addresses in use in turn, with its pages' prefix; SPEAK (Builder.speak) one of them."""

    def __init__(self, model: m.Model, urls: Urls, render_md, each_language=None, speak=None) -> None:  # type: ignore[no-untyped-def]
        self.model = model
        self.urls = urls
        self.md = render_md
        self.languages = model.site.published
        self.each_language = each_language or (lambda: iter([(self.languages[0], "")]))
        self.speak: Callable[[str], None] | None = speak
        self.prefix = ""
        self._settle()

    def _settle(self) -> None:
        """What every file takes from the site's settings (its time zone and full address),
        read afresh, and nothing made for another file kept: as a file is made alone, what
        it reads is all its own (see make_alone)."""
        site = self.model.site
        self.tz = ZoneInfo(site.timezone)
        base = site.base_url
        self.origin = base if base.startswith("http") else "https://example.invalid" + base
        self.host = self.origin.split("://", 1)[1].split("/", 1)[0]
        self._events: dict[tuple[str, str], bytes] = {}  # by (prefix, meeting id)
        self._heads: dict[bool, tuple[bytes, bytes]] = {}  # a calendar's head, with a time zone or without
        self._moments: _Moments | None = None

    # --- helpers -------------------------------------------------------------

    def absolute(self, obj: object) -> str:
        """The full address of OBJ on the published site: a path under the root as it is,
        a page in the language being written."""
        if isinstance(obj, str):
            return self.origin + obj
        return self.origin + ("" if isinstance(obj, m.Document) else self.prefix) + path_of(obj)

    def when(self, meeting: m.Meeting) -> dt.datetime:
        return dt.datetime.combine(meeting.date, meeting.start or dt.time(0), self.tz)

    def meeting_name(self, meeting: m.Meeting) -> str:
        return meeting_name(meeting)

    # --- everything ------------------------------------------------------------

    def files(self) -> Iterator[tuple[str, bytes | Streamed]]:
        """Every file, one at a time: the caller writes each before the next is made."""
        return self.made(self.plan())

    def made(self, parts: list[ModelFile]) -> Iterator[tuple[str, bytes | Streamed]]:
        """PARTS (of plan()) made in turn, each in its language."""
        speaking = None
        try:
            for part in parts:
                if part.language != speaking and self.speak is not None:
                    self.speak(part.language)
                    speaking = part.language
                yield part.file, self.make(part)
        finally:
            self.prefix = ""
            if speaking is not None and self.speak is not None:
                self.speak(self.languages[0])

    def make(self, part: ModelFile) -> bytes | Streamed:
        """The file PART (of plan()), in the language in use."""
        self.prefix = part.prefix
        return getattr(self, part.kind)(*part.given)

    def make_alone(self, part: ModelFile) -> bytes:
        """PART made afresh, sharing nothing made for another file (what it reads is all
        its own, see sitegen.record), in the language in use."""
        self._settle()
        try:
            return bytes(self.make(part))
        finally:
            self.prefix = ""

    def plan(
        self, publics: list[list[m.Decision]] | None = None, part: Callable = whole, split: bool = False
    ) -> list[ModelFile]:
        """Every file, to be made (see make): each feed and calendar in each language, with
        what it is given; the open data once. PUBLICS: each meeting's public decisions
        (pages.public), in the model's order, when already worked out. The files of one
        object (an issue's, a person's, a body's, an upcoming meeting's) are asked of
        PART, as pages.plan asks for the pages of one (see there). SPLIT: the parts of
        the open data too (see ModelFile.part_of), each meeting's."""
        model = self.model
        held = model.held()
        meetings = list(reversed(held))
        if publics is None:
            publics = [pages.public(meeting) for meeting in model.meetings.values()]
        decisions = public_decisions(model, publics)
        executive = has_executive(model)
        today, authority = model.today, model.site.authority
        named = NAMED
        parts: list[ModelFile] = []
        for language, at in self.each_language():

            def add(file: str, kind: str, *given: object, whole: bool = False) -> None:
                parts.append(ModelFile(file, kind, given, language, at, whole))  # noqa: B023

            # (a feed is given only what it shows: it is made again when that changes)
            own = at + named["meetings-feed"]
            add(own, "meetings_feed", meetings[:FEED_ENTRIES], _("All meetings"), own)
            own = at + named["decisions-feed"]
            add(own, "decisions_feed", decisions[:DECISIONS_SHOWN], _("All decisions"), own)
            add(at + named["calendar"], "calendar", held, f"{model.site.title}", whole=True)
            own = at + named["awaiting-feed"]
            add(own, "awaiting_feed", decisions, _("Awaiting decision"), own, whole=True)  # (reads every status)
            where = (language, at)
            for issue in model.issues.values():
                parts += part(("f", language, "i", issue.id), _issue_files, issue, today, authority, where)
            if model.has_people_file:
                for person in model.people.values():
                    parts += part(("f", language, "p", person.id), _person_files, person, where)
            if executive:
                own = at + named["forward-plan-feed"]
                add(own, "plan_feed", _("Forward plan"), own)
                add(at + named["forward-plan-calendar"], "plan_calendar", _("Forward plan"))
            for body in model.bodies.values():
                parts += part(("f", language, "b", body.id), _body_files, body, authority, where)
            for meeting in model.meetings.values():  # an upcoming meeting's own, to add to a calendar
                if m.is_upcoming(meeting, today):
                    parts += part(("f", language, "m", meeting.id), _meeting_files, meeting, where)
        first, none = self.languages[0], ""
        if split:
            for meeting, public in zip(model.meetings.values(), publics, strict=True):
                parts += part(("f", first, "r", meeting.id), self._parts_of, meeting, public)
        parts.append(ModelFile(named["record"], "record_file", (), first, none, True))
        parts.append(ModelFile(named["decisions-csv"], "decisions_csv", (publics,), first, none, True))
        parts.append(ModelFile(named["declarations-csv"], "declarations_csv", (), first, none, True))
        parts.append(ModelFile(named["money-csv"], "money_csv", (), first, none, True))
        parts.append(ModelFile(named["robots"], "robots", (), first, none, True))
        return parts

    def record_file(self) -> Streamed:
        return Streamed(self.record_json)

    # --- the open data's parts ---------------------------------------------------

    #: the whole files made of parts: their kinds, and what gives their pieces
    PIECES: ClassVar[dict[str, str]] = {"record_file": "record_pieces", "decisions_csv": "csv_pieces"}

    def _parts_of(self, meeting: m.Meeting, public: list[m.Decision]) -> list[ModelFile]:
        """MEETING's parts of the open data: its entry in data/record.json, and its rows of
        data/decisions.csv (PUBLIC: its public decisions) when it has any."""
        out = [self._record_part(meeting)]
        if public:
            out.append(self._csv_part(meeting, public))
        return out

    def _record_part(self, meeting: m.Meeting) -> ModelFile:
        return self._part(NAMED["record"], meeting, "record_part", meeting)

    def _csv_part(self, meeting: m.Meeting, public: list[m.Decision]) -> ModelFile:
        return self._part(NAMED["decisions-csv"], meeting, "csv_part", public)

    def _part(self, whole: str, meeting: m.Meeting, kind: str, *given: object) -> ModelFile:
        """MEETING's part of the file WHOLE, made by KIND from GIVEN."""
        return ModelFile(f"{whole}#{meeting.id}", kind, given, self.languages[0], "", part_of=whole)

    def pieces(self, part: ModelFile) -> Iterator[bytes | ModelFile]:
        """The whole file PART (of PIECES' kinds) in order: bytes as they are, and its parts
        (each made by make, or kept from an earlier build)."""
        self.prefix = part.prefix
        return getattr(self, self.PIECES[part.kind])(*part.given)

    def _whole(self, pieces: Iterable[bytes | ModelFile]) -> Iterator[bytes]:
        for piece in pieces:
            yield piece if piece.__class__ is bytes else bytes(self.make(piece))  # type: ignore[arg-type]

    def record_part(self, meeting: m.Meeting) -> bytes:
        return _json(self.made_json(meeting) if meeting.maker_id else self.event_json(meeting))

    def csv_part(self, public: list[m.Decision]) -> bytes:
        buffer = io.StringIO()
        self._decision_rows(csv.writer(buffer, lineterminator="\r\n"), public)
        return buffer.getvalue().encode("utf-8")

    def robots(self) -> bytes:
        sitemap = self.absolute(NAMED["sitemap"])
        return f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n".encode()

    # --- feeds -------------------------------------------------------------------

    def _feed(self, title: str, self_path: str, alternate: str, entries: list[dict]) -> bytes:
        from feedgen.feed import FeedGenerator

        fg = FeedGenerator()
        fg.id(self.absolute(self_path))
        fg.title(f"{title} – {self.model.site.authority}")
        fg.author({"name": f"{self.model.site.authority}"})
        fg.link(href=self.absolute(self.prefix + alternate), rel="alternate")
        fg.link(href=self.absolute(self_path), rel="self")
        fg.language(current().language)
        if self.model.site.licence:
            fg.rights(f"{self.model.site.licence}")
        fg.generator("sitegen")
        updated = max((e["updated"] for e in entries), default=dt.datetime(2000, 1, 1, tzinfo=UTC))
        fg.updated(updated)
        for entry in entries:
            fe = fg.add_entry(order="append")
            fe.id(entry["id"])
            fe.title(entry["title"])
            fe.link(href=entry["link"])
            fe.updated(entry["updated"])
            fe.published(entry["updated"])
            fe.content(entry["html"], type="html")
        return fg.atom_str(pretty=True)

    def meetings_feed(self, meetings: list[m.Meeting], title: str, path: str) -> bytes:
        """A feed of MEETINGS (the latest: see plan)."""
        entries = []
        for meeting in meetings:
            stage = "cancelled" if meeting.status in ("cancelled", "postponed") else meeting.record
            words = STATUS_WORDS[meeting.status] if stage == "cancelled" else RECORD_WORDS[stage]
            items = "".join(
                f"<li>{_esc(i.number) + '. ' if i.number else ''}{_marked(i.title)}</li>" for i in meeting.items
            )
            entries.append(
                {
                    # a new id for each stage: a reader sees the agenda, then the draft, then the approved minutes
                    "id": f"tag:{self.host},{meeting.date.isoformat()}:meetings/{meeting.id}/{stage}",
                    "title": _("%(meeting)s: %(stage)s", meeting=self.meeting_name(meeting), stage=words.lower()),
                    "link": self.absolute(meeting),
                    "updated": self.when(meeting),
                    "html": f"<p>{_esc(words)}. {_marked(meeting.location)}</p>"
                    + (f"<ol>{items}</ol>" if items else ""),
                }
            )
        return self._feed(title, path, NAMED["meetings"], entries)

    def decisions_feed(self, decisions: list[m.Decision], title: str, path: str) -> bytes:
        """A feed of DECISIONS (the latest: see plan)."""
        entries = []
        for d in decisions:
            body = d.meeting.who_name
            label = _esc(_("Status:"))
            status = f"<p><strong>{label}</strong> {_esc(status_words(d.status))}</p>" if d.status else ""
            if d.call_in_state:
                called = _esc(_("Call-in:"))
                status += f"<p><strong>{called}</strong> {_esc(call_in_words(d))}</p>"
            if d.meeting.maker_id:
                heading = _("%(who)s: %(title)s", who=body, title=d.item.title)  # type: ignore[union-attr]
            elif d.is_recommendation:
                heading = _("%(body)s: %(item)s, recommendation %(id)s", body=body, item=d.item.title, id=d.id)  # type: ignore[union-attr]
            else:
                heading = _("%(body)s: %(item)s, decision %(id)s", body=body, item=d.item.title, id=d.id)  # type: ignore[union-attr]
            entries.append(
                {
                    "id": f"tag:{self.host},{d.date.isoformat()}:decisions/{d.ref}",
                    "title": heading,
                    "link": self.absolute(d),
                    "updated": self.when(d.meeting),
                    "html": str(self.md(d.text)) + status,
                }
            )
        return self._feed(title, path, NAMED["decisions"], entries)

    def _item_entry(self, item: m.Item, issue: m.Issue) -> dict:
        """An issue's feed entry for one of its items: a new id at each stage of the meeting's
        record (on the agenda, draft minutes, approved minutes), as the meetings feed has."""
        meeting = item.meeting
        assert meeting is not None
        stage = "cancelled" if meeting.status in ("cancelled", "postponed") else meeting.record
        if meeting.maker_id:
            stage = "decided"
        if item.exempt:
            exempt = _esc(_("Exempt item."))
            html = f"<p>{exempt} {_esc(str(item.exempt_reason))}</p>"
        else:
            parts = []
            for d in item.decisions:
                parts.append(str(self.md(d.text)))
                if d.status is not None:
                    label = _esc(_("Status:"))
                    parts.append(f"<p><strong>{label}</strong> {_esc(status_words(d.status))}</p>")
                for step in d.decides:
                    if step.target is not None:
                        words = _(
                            "%(outcome)s: %(recommendation)s",
                            outcome=OUTCOME_WORDS[step.outcome],
                            recommendation=made_by(step.target),
                        )
                        parts.append(f"<p>{_esc(words)}</p>")
            if not parts and m.is_upcoming(meeting, self.model.today):
                undecided = _esc(_("On the agenda; not yet decided."))
                parts.append(f"<p>{undecided}</p>")
            html = "".join(parts)
        return {
            "id": f"tag:{self.host},{meeting.date.isoformat()}:issues/{issue.id}/{item.ref}/{stage}",
            "title": _("%(meeting)s: %(item)s", meeting=self.meeting_name(meeting), item=item.label),
            "link": self.absolute(item),
            "updated": self.when(meeting),
            "html": html,
        }

    def issue_feed(self, issue: m.Issue, path: str) -> bytes:
        """A matter's own feed: each meeting that considered or will consider it, each decision
        and outcome on it (newest first)."""
        entries = [self._item_entry(item, issue) for item in reversed(issue.items)]
        return self._feed(_("Topic: %(title)s", title=issue.title), path, path_of(issue), entries[:FEED_ENTRIES])

    def person_feed(self, person: m.Person, path: str) -> bytes:
        """A person's feed: the decisions they made alone, their recorded votes and their
        declarations of interest (newest first)."""
        record = self.model.records.get(person.id) or m.PersonRecord()
        entries = []
        for d in record.made:
            entries.append(
                {
                    "id": f"tag:{self.host},{d.date.isoformat()}:people/{person.id}/made/{d.ref}",
                    "title": _("Decision: %(title)s", title=d.item.title),  # type: ignore[union-attr]
                    "link": self.absolute(d),
                    "updated": self.when(d.meeting),
                    "html": str(self.md(d.text)),
                }
            )
        for vote, how in record.votes:
            meeting = vote.item.meeting  # type: ignore[union-attr]
            entries.append(
                {
                    "id": f"tag:{self.host},{meeting.date.isoformat()}:people/{person.id}/vote/{vote.item.ref}/{vote.on}",  # type: ignore[union-attr]
                    "title": _(VOTED[how], item=vote.item.title, meeting=self.meeting_name(meeting)),  # type: ignore[union-attr]
                    "link": self.absolute(vote.item),
                    "updated": self.when(meeting),
                    "html": "",
                }
            )
        for item, interest in record.interests:
            meeting = item.meeting
            entries.append(
                {
                    "id": f"tag:{self.host},{meeting.date.isoformat()}:people/{person.id}/interest/{item.ref}",  # type: ignore[union-attr]
                    "title": _(
                        "Declared an interest: %(item)s, %(meeting)s",
                        item=item.title,
                        meeting=self.meeting_name(meeting),
                    ),  # type: ignore[arg-type]
                    "link": self.absolute(item),
                    "updated": self.when(meeting),  # type: ignore[arg-type]
                    "html": str(self.md(interest.interest)) if interest.interest else "",
                }
            )
        entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
        return self._feed(person.name, path, path_of(person), entries[:FEED_ENTRIES])

    def awaiting_feed(self, decisions: list[m.Decision], title: str, path: str) -> bytes:
        """The awaiting-decision register as news: an entry when a recommendation is made, on
        each change of where it stands (on an agenda, overdue, deferred), and when it is settled."""
        entries = []
        for d in decisions:  # (public_decisions: the register's, newest first)
            status = d.status
            if status is None or not d.is_recommendation:
                continue
            if status.open:
                since = status.meeting.date if status.meeting is not None else (status.since or d.date)
            elif status.step is not None and status.step.decision is not None:
                since = status.step.decision.date
            else:
                continue
            entries.append(
                {
                    "id": f"tag:{self.host},{since.isoformat()}:awaiting/{d.ref}/{status.state}",
                    "title": _(
                        "%(recommendation)s: %(status)s", recommendation=made_by(d), status=status_words(status)
                    ),
                    "link": self.absolute(d),
                    "updated": dt.datetime.combine(since, dt.time(0), self.tz),
                    "html": str(self.md(d.text)),
                }
            )
        entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
        return self._feed(title, path, NAMED["awaiting"], entries[: FEED_ENTRIES * 2])

    def plan_feed(self, title: str, path: str) -> bytes:
        """The forward plan: an entry for each plan entry in each state it reaches (planned,
        decided, withdrawn), so that a reader sees it appear and then see it settled."""
        entries = []
        for entry in self.model.plan.values():
            state = entry.state if entry.state in ("decided", "withdrawn") else "planned"
            if state == "decided":
                since = entry.decisions[-1].date
            elif state == "withdrawn":
                since = entry.withdrawn
            else:
                since = entry.first_published
            since = since or dt.date(2000, 1, 1)
            words = [PLAN_STATE_WORDS[entry.state], _("expected %(when)s", when=expected_words(entry, True))]
            if entry.decision_maker is not None:
                words.append(_("Decision maker: %(who)s", who=entry.decision_maker.name))
            html = f"<p>{_esc('; '.join(str(w) for w in words))}</p>"
            if entry.summary and not entry.exempt:
                html += str(self.md(entry.summary))
            entries.append(
                {
                    "id": f"tag:{self.host},{since.isoformat()}:forward-plan/{entry.id}/{state}",
                    "title": _("%(title)s: %(state)s", title=entry.title, state=PLAN_STATE_WORDS[entry.state].lower()),
                    "link": self.absolute(entry),
                    "updated": dt.datetime.combine(since, dt.time(0), self.tz),
                    "html": html,
                }
            )
        entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
        return self._feed(title, path, NAMED["forward-plan"], entries[: FEED_ENTRIES * 2])

    def plan_calendar(self, name: str) -> bytes:
        """The forward plan's expected decisions, as all-day events: the day, or the whole
        expected month (entries still planned or slipped)."""
        icalendar = _icalendar()
        cal = icalendar.Calendar()
        cal.add("prodid", "-//sitegen//forward plan//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", f"{name} – {self.model.site.authority}")
        for entry in self.model.plan.values():
            if entry.state not in ("planned", "slipped") or entry.expected is None:
                continue
            end = entry.expected_end or entry.expected
            event = icalendar.Event()
            event.add("summary", f"{entry.title}")
            event.add("dtstart", entry.expected)
            event.add("dtend", end + dt.timedelta(days=1))
            stamp = entry.first_published or entry.expected
            event.add("dtstamp", dt.datetime.combine(stamp, dt.time(0), UTC))
            event.add("uid", f"forward-plan-{entry.id}@{self.host}")
            event.add("description", f"{PLAN_STATE_WORDS[entry.state]}. {self.absolute(entry)}")
            event.add("status", "TENTATIVE")
            event.add("url", self.absolute(entry))
            cal.add_component(event)
        return cal.to_ical()

    # --- calendars ---------------------------------------------------------------

    def calendar(self, meetings: Iterable[m.Meeting], name: str) -> bytes:
        """An iCalendar file of MEETINGS. Each meeting's event is made once per build and
        shared by every calendar that lists it (all meetings, its body's, its topics');
        the calendar's head once for each kind (with or without a time zone), its name put in."""
        meetings = list(meetings)
        before, after = self._head(any(meeting.start is not None for meeting in meetings))
        head = before + _name_line(name) + after
        end = b"END:VCALENDAR\r\n"
        return head + b"".join(self._event(meeting) for meeting in meetings) + end

    def _head(self, timed: bool) -> tuple[bytes, bytes]:
        """A calendar's head as icalendar writes it, before and after its name's line (TIMED:
        with the VTIMEZONE that events with times use)."""
        cached = self._heads.get(timed)
        if cached is not None:
            return cached
        cal = calendar_head(CALENDAR_NAME, self.model.site.timezone, self.tz if timed else None)
        line = _name_line(CALENDAR_NAME)
        before, found, after = cal.partition(line)
        assert found, "icalendar wrote the calendar's name otherwise"
        self._heads[timed] = (before, after)
        return before, after

    def _event(self, meeting: m.Meeting) -> bytes:
        cached = self._events.get((self.prefix, meeting.id))
        if cached is not None:
            return cached
        # the properties in icalendar's order for an event (Event.canonical_order, then by name)
        moments = self._moments
        if moments is None:
            moments = self._moments = _Moments(self.tz)
        title = f"{meeting.body.name}" if meeting.body else meeting.body_id
        if meeting.status == "cancelled":  # (said in the title too: a calendar may show nothing else)
            title = _("Cancelled: %(title)s", title=title)
        elif meeting.status == "postponed":
            title = _("Postponed: %(title)s", title=title)
        lines = [_text_line("SUMMARY", title)]
        if meeting.start is not None:
            lines.append(moments.local_line("DTSTART", self.when(meeting)))
            if meeting.end is not None and meeting.end > meeting.start:
                lines.append(moments.local_line("DTEND", dt.datetime.combine(meeting.date, meeting.end, self.tz)))
        else:
            lines.append(moments.date_line("DTSTART", meeting.date))
        # no creation time is recorded: use the meeting's own date so that builds are reproducible
        lines.append(moments.utc_line("DTSTAMP", dt.datetime.combine(meeting.date, dt.time(0), UTC)))
        lines.append(_text_line("UID", f"{meeting.id}@{self.host}"))
        items = "\n".join(f"- {i.label}" for i in meeting.items)
        description = _("%(record)s. %(address)s", record=RECORD_WORDS[meeting.record], address=self.absolute(meeting))
        description += f"\n\n{items}" if items else ""
        lines.append(_text_line("DESCRIPTION", description))
        if meeting.location:
            lines.append(_text_line("LOCATION", meeting.location))
        status = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}.get(meeting.status, "CONFIRMED")
        lines.append(_text_line("STATUS", status))
        lines.append("URL:" + _icalendar().vUri(self.absolute(meeting)).to_ical().decode())
        data = self._events[(self.prefix, meeting.id)] = b"BEGIN:VEVENT\r\n" + _lines_bytes(lines) + b"END:VEVENT\r\n"
        return data

    # --- open data ---------------------------------------------------------------

    def record_json(self) -> Iterator[bytes]:
        """data/record.json, a meeting at a time: at 10,000 meetings the whole is hundreds of MB."""
        return self._whole(self.record_pieces())

    def record_pieces(self) -> Iterator[bytes | ModelFile]:
        """data/record.json's pieces: each meeting's entry is a part (see ModelFile.part_of)."""
        model = self.model
        site = model.site
        data = {
            "$schema": self.absolute(NAMED["record-schema"]),
            "meta": {
                "authority": _text(site.authority),
                "title": _text(site.title),
                "url": self.origin,
                "licence": _text(site.licence),
                "language": site.language,
                **({"languages": list(site.languages)} if site.languages else {}),
                "timezone": site.timezone,
            },
            "organizations": [
                {
                    "id": b.id,
                    "name": _text(b.name),
                    "classification": b.kind,
                    "parent_id": b.reports_to.id if b.reports_to else None,
                    "description": _text(b.description),
                    "url": self.absolute(b),
                }
                for b in model.bodies.values()
            ],
            "people": [
                {
                    "id": p.id,
                    "name": _text(p.name),
                    "role": p.role,
                    "party": _text(p.party) or None,
                    "ward": _text(p.ward) or None,
                    "url": self.absolute(p),
                }
                for p in model.people.values()
            ],
            "issues": [
                {
                    "id": i.id,
                    "title": _text(i.title),
                    "summary": _text(i.summary),
                    "items": [item.ref for item in i.items],
                    "url": self.absolute(i),
                }
                for i in model.issues.values()
            ],
        }
        issues = data.pop("issues")
        yield _json(data)[:-1] + b',"events":['
        for n, meeting in enumerate(model.held()):
            if n:
                yield b","
            yield self._record_part(meeting)
        yield b'],"individual_decisions":['
        made = [x for x in model.meetings.values() if x.maker_id]
        for n, record in enumerate(made):
            if n:
                yield b","
            yield self._record_part(record)
        yield b'],"forward_plan":' + _json([self.plan_json(e) for e in model.plan.values()])
        yield b',"issues":' + _json(issues) + b"}\n"

    def made_json(self, record: m.Meeting) -> dict:
        """A decision made by one person (a decision file)."""
        item = record.items[0]
        maker = record.maker
        out: dict = {
            "id": record.id,
            "title": _text(item.title),
            "decision_maker_id": record.maker_id,
            "decision_maker_type": "organization" if isinstance(maker, m.Body) else "person",
            "date": record.date.isoformat(),
            "url": self.absolute(record),
            "exempt": item.exempt,
        }
        if item.exempt:
            out["exempt_reason"] = _text(item.exempt_reason) or None
            return out
        decision = item.decisions[0]
        out.update(
            {
                "issues": [i.id for i in item.issues],
                "reasons": _text(decision.reasons) or None,
                "alternatives": _text(decision.alternatives) or None,
                "interests": [
                    {"person_id": i.person.id if i.person else None, "interest": _text(i.interest)}
                    for i in item.interests
                ],
                "decision": self.decision_json(decision),
                "documents": [self.document_json(doc) for doc in item.documents],
            }
        )
        return out

    def plan_json(self, entry: m.PlanEntry) -> dict:
        """A forward plan entry (an exempt one: its title and reason only)."""
        out: dict = {
            "id": entry.id,
            "title": _text(entry.title),
            "decision_maker_id": entry.decision_maker_id,
            "expected": (entry.expected.isoformat()[:7] if entry.expected_month else entry.expected.isoformat())
            if entry.expected
            else None,
            "first_published": entry.first_published.isoformat() if entry.first_published else None,
            "key": entry.key,
            "state": entry.state,
            "withdrawn": entry.withdrawn.isoformat() if entry.withdrawn else None,
            "decisions": [d.ref for d in entry.decisions],
            "url": self.absolute(entry),
            "exempt": entry.exempt,
        }
        if entry.exempt:
            out["exempt_reason"] = _text(entry.exempt_reason) or None
            return out
        out.update(
            {
                "wards": list(entry.wards),
                "summary": _text(entry.summary) or None,
                "consultation": _text(entry.consultation) or None,
                "documents": [self.document_json(doc) for doc in entry.documents],
            }
        )
        return out

    def event_json(self, meeting: m.Meeting) -> dict:
        participants = []
        if meeting.chair is not None:
            participants.append({"person_id": meeting.chair.id, "name": _text(meeting.chair.name), "role": "chair"})
        for role in ("present", "apologies", "in_attendance"):
            for person in getattr(meeting, role):
                participants.append({"person_id": person.id, "name": _text(person.name), "role": role})
        return {
            "id": meeting.id,
            "name": self.meeting_name(meeting),
            "organization_id": meeting.body_id,
            "start_date": self.when(meeting).isoformat() if meeting.start else meeting.date.isoformat(),
            "end_date": dt.datetime.combine(meeting.date, meeting.end, self.tz).isoformat() if meeting.end else None,
            "location": {"name": _text(meeting.location)} if meeting.location else None,
            "status": meeting.status,
            "record": meeting.record,
            "url": self.absolute(meeting),
            "source": meeting.origin or None,
            "participants": participants,
            "agenda": [self.item_json(i) for i in meeting.items],
        }

    def item_json(self, item: m.Item) -> dict:
        base = {
            "id": item.id,
            "order": item.order + 1,
            "number": item.number or None,
            "title": _text(item.title),
            "url": self.absolute(item),
            "source": item.origin or None,
            "exempt": item.exempt,
        }
        if item.exempt:  # (its title and reason only: not even where it was taken from)
            base["source"] = None
            base["exempt_reason"] = _text(item.exempt_reason) or None
            return base
        base.update(
            {
                "report": _text(item.report) or None,
                "issues": [i.id for i in item.issues],
                "minutes": _text(item.minutes) or None,
                "considers": [t.ref for t in item.considers],
                "interests": [
                    {"person_id": i.person.id if i.person else None, "interest": _text(i.interest)}
                    for i in item.interests
                ],
                "amendments": [
                    {
                        "id": a.id or None,
                        "text": _text(a.text),
                        "moved_by": a.moved_by.id if a.moved_by else None,
                        "seconded_by": a.seconded_by.id if a.seconded_by else None,
                        "result": a.result or None,
                    }
                    for a in item.amendments
                ],
                "vote_events": [self.vote_json(v) for v in item.votes],
                "decisions": [self.decision_json(d) for d in item.decisions],
                "documents": [self.document_json(doc) for doc in item.documents],
            }
        )
        return base

    def vote_json(self, vote: m.Vote) -> dict:
        counts = [
            {"option": option, "value": value}
            for option, value in (
                ("yes", vote.for_count),
                ("no", vote.against_count),
                ("abstain", vote.abstained_count),
            )
            if value is not None
        ]
        votes = [
            {"voter_id": p.id, "option": option}
            for option, people in (
                ("yes", vote.for_people),
                ("no", vote.against_people),
                ("abstain", vote.abstained_people),
            )
            for p in people
        ]
        return {"motion_id": vote.on or None, "counts": counts, "votes": votes}

    def decision_json(self, d: m.Decision) -> dict:
        out = {
            "id": d.ref,
            "number": d.id,
            "type": d.type,
            "text": _text(d.text),
            "date": d.date.isoformat(),
            "organization_id": d.meeting.body_id or None,
            "url": self.absolute(d),
            "source": (d.origin or d.meeting.origin or None) if d.meeting.maker_id else (d.origin or None),
        }
        if d.money:
            out["money"] = [self.money_json(mo) for mo in d.money]
        if d.executive or d.key or d.plan_id or d.published or d.urgency:
            call_in = d.call_in
            out.update(
                {
                    "executive": d.executive,
                    "key": d.key,
                    "plan_id": d.plan_id or None,
                    "published": d.published.isoformat() if d.published else None,
                    "urgency": _text(d.urgency) or None,
                    "call_in_until": d.call_in_until.isoformat() if d.call_in_until else None,
                    "call_in_status": d.call_in_state or None,
                    "call_in": {
                        "called_in": call_in.called_in.isoformat() if call_in.called_in else None,
                        "by": [p.id for p in call_in.by],
                        "considered_at": call_in.considered_at.id if call_in.considered_at else None,
                        "outcome": call_in.outcome or None,
                    }
                    if call_in is not None
                    else None,
                }
            )
        if d.is_recommendation:
            status = d.status
            out.update(
                {
                    "to_organization_id": d.to_id,
                    "expected_at": d.at_id or None,
                    "status": status.state if status else None,
                    "status_text": status_words(status),
                    "open": status.open if status else None,
                    "outcomes": [self.step_json(s) for s in d.taken],
                    "supersedes": d.supersedes.ref if d.supersedes is not None else None,
                    "superseded_by": [new.ref for new in d.superseded_by],
                }
            )
        if d.decides:  # the canonical reference, whatever alias the clerk typed
            out["decides"] = [
                {"ref": s.target.ref, "outcome": s.outcome, "note": _text(s.note) or None}
                for s in d.decides
                if s.target is not None
            ]
        return out

    def money_json(self, money: m.Money) -> dict:
        amount = money.amount
        return {
            "amount": int(amount) if amount == amount.to_integral_value() else float(amount),
            "currency": self.model.site.currency,
            "kind": money.kind,
            "what": _text(money.what) or None,
        }

    def step_json(self, step: m.Decides) -> dict:
        decision = step.decision
        assert decision is not None
        return {
            "outcome": step.outcome,
            "date": decision.date.isoformat(),
            "organization_id": decision.meeting.body_id,
            "decision_id": decision.ref,
            "note": _text(step.note) or None,
            **({"text": _text(step.text)} if step.text else {}),
            **({"money": [self.money_json(mo) for mo in step.money]} if step.money else {}),
            "url": self.absolute(decision),
        }

    def document_json(self, doc: m.Document) -> dict:
        return {
            "title": _text(doc.title),
            "url": doc.href if doc.external else self.absolute(doc),
            "media_type": doc.file_type or None,
            "size": doc.size,
        }

    def columns(self, name: str) -> list[str]:
        """A text's columns in the CSV files: one, or on a site in several languages one per
        language (item_title_cy, item_title_en)."""
        return [name] if len(self.languages) < 2 else [f"{name}_{lang}" for lang in self.languages]

    def cells(self, value: str) -> list[str]:
        """A text's cells, as columns() names them (a plain string is the first language's)."""
        if len(self.languages) < 2:
            return [str.__str__(value) if value.__class__ is m.Texts else value]
        texts = value.texts if value.__class__ is m.Texts else {self.languages[0]: value}  # type: ignore[attr-defined]
        return [texts.get(lang, "") for lang in self.languages]

    def decisions_csv(self, publics: list[list[m.Decision]]) -> Streamed:
        """data/decisions.csv: a row for each public decision (PUBLICS: each meeting's, in
        the model's order), newest meeting first."""
        return Streamed(lambda: self._whole(self.csv_pieces(publics)))

    def csv_pieces(self, publics: list[list[m.Decision]]) -> Iterator[bytes | ModelFile]:
        """data/decisions.csv's pieces: each meeting's rows are a part (see ModelFile.part_of)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "meeting",
                "date",
                "body",
                "item",
                *self.columns("item_title"),
                "number",
                "type",
                "to",
                "status",
                "outcome",
                "deciding_meeting",
                "key",
                "published",
                "call_in_until",
                "call_in_status",
                *self.columns("text"),
                "url",
                "state",
            ]  # fmt: skip
        )
        yield buffer.getvalue().encode("utf-8")
        for meeting, public in zip(reversed(self.model.meetings.values()), reversed(publics), strict=True):
            if public:
                yield self._csv_part(meeting, public)

    def _decision_rows(self, writer: Any, decisions: list[m.Decision]) -> None:
        for d in decisions:
            meeting = d.item.meeting  # type: ignore[union-attr]
            status = d.status
            step = status.step if status else None
            outcome = ""
            if status is not None and not status.open:
                outcome = status.state
            elif d.decides:
                outcome = "; ".join(f"{s.outcome}: {s.target.ref}" for s in d.decides if s.target is not None)
            writer.writerow(
                _cell(v)
                for v in [
                    meeting.id,  # type: ignore[union-attr]
                    meeting.date.isoformat(),  # type: ignore[union-attr]
                    meeting.body_id or meeting.maker_id,  # type: ignore[union-attr]
                    d.item.id,  # type: ignore[union-attr]
                    *self.cells(d.item.title),  # type: ignore[union-attr]
                    d.id,
                    d.type,
                    d.to_id,
                    status_words(status) if status else _("decided"),
                    outcome,
                    step.decision.meeting.id if step and step.decision else "",
                    "yes" if d.key else "",
                    d.published.isoformat() if d.published else "",
                    d.call_in_until.isoformat() if d.call_in_until else "",
                    d.call_in_state,
                    *self.cells(d.text),
                    self.absolute(d),
                    status.state if status else "",
                ]
            )

    def money_csv(self) -> bytes:
        """The money page's rows: every sum a resolution committed, itself or by adopting a
        recommendation (pages.money), newest year first."""
        from .pages import money, public

        publics = [public(meeting) for meeting in self.model.meetings.values()]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            ["year", "date", "decision", "decided_by", "kind", "amount", "currency", *self.columns("what"),
             "recommendation", "url"]
        )  # fmt: skip
        for year, rows, _totals in money(publics):
            for row in rows:
                d = row.decision
                writer.writerow(
                    _cell(v)
                    for v in [
                        str(year),
                        d.date.isoformat(),
                        d.ref,
                        d.meeting.body_id or d.meeting.maker_id,
                        row.money.kind,
                        str(row.money.amount),
                        self.model.site.currency,
                        *self.cells(row.money.what),
                        row.recommendation.ref if row.recommendation is not None else "",
                        self.absolute(d),
                    ]
                )
        return buffer.getvalue().encode("utf-8")

    def declarations_csv(self) -> bytes:
        """The declarations register: one row per declaration at a public item."""
        from .pages import declarations

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "date",
                "meeting",
                "body",
                "item",
                *self.columns("item_title"),
                "person",
                *self.columns("name"),
                *self.columns("interest"),
                "url",
            ]  # fmt: skip
        )
        for meeting, item, interest in declarations(self.model):
            person = interest.person
            writer.writerow(
                _cell(v)
                for v in [
                    meeting.date.isoformat(),
                    meeting.id,
                    meeting.body_id,
                    item.id,
                    *self.cells(item.title),
                    person.id if person else interest.person_id,
                    *self.cells(person.name if person else interest.person_id),
                    *self.cells(interest.interest),
                    self.absolute(item),
                ]
            )
        return buffer.getvalue().encode("utf-8")

    # --- sitemap and redirects ----------------------------------------------------

    def sitemap(self, pages: list[tuple[str, str]]) -> bytes:
        """The sitemap of PAGES, (path, language): on a site in several languages, each
        page with its alternates in every language (xhtml:link, as search engines read them)."""
        several = len(self.languages) > 1
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            + (' xmlns:xhtml="http://www.w3.org/1999/xhtml">' if several else ">"),
        ]
        for path, language in pages:
            if path.endswith(".html") and path != "":
                continue
            if not several:
                lines.append(f"  <url><loc>{_esc(self.absolute(path))}</loc></url>")
                continue
            own = path[len(language_prefix(self.languages, language)) :]
            lines.append(f"  <url><loc>{_esc(self.absolute(path))}</loc>")
            for lang in self.languages:
                other = self.absolute(language_prefix(self.languages, lang) + own)
                lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" href="{_esc(other)}"/>')
            lines.append("  </url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode()

    def redirects(self) -> list[tuple[str, str]]:
        """(old address, new address) for every alias, as paths under the site root."""
        model = self.model
        pairs: list[tuple[str, str]] = []
        for meeting in model.meetings.values():
            for alias in meeting.aliases:
                pairs.append((path_for("meeting", alias), path_of(meeting)))
                for item in meeting.items:
                    pairs.append((path_for("item", alias, item.id), path_of(item)))
                    pairs += [(path_for("item", alias, old), path_of(item)) for old in item.aliases if "/" not in old]
            for item in meeting.items:
                for alias in item.aliases:  # an old id, or MEETING/ITEM for an item moved from another meeting
                    old = path_for("item", *alias.split("/")) if "/" in alias else path_for("item", meeting.id, alias)
                    pairs.append((old, path_of(item)))
        for body in model.bodies.values():
            pairs += [(path_for("body", alias), path_of(body)) for alias in body.aliases]
        for person in model.people.values():
            pairs += [(path_for("person", alias), path_of(person)) for alias in person.aliases]
        for issue in model.issues.values():
            pairs += [(path_for("issue", alias), path_of(issue)) for alias in issue.aliases]
        prefixes = [language_prefix(self.languages, lang) for lang in self.languages]
        return sorted({(at + old, at + new) for at in prefixes for old, new in pairs})

    def netlify_redirects(self, pairs: list[tuple[str, str]]) -> bytes:
        base = self.urls.root
        lines = [f"{base}{old} {base}{new} 301" for old, new in pairs]
        lines += [f"{base}{old.rstrip('/')} {base}{new} 301" for old, new in pairs]
        return ("\n".join(sorted(set(lines))) + "\n").encode() if lines else b""


def redirect_page(target_url: str, absolute: str) -> bytes:
    """A page at an old address that sends the reader on to the new one."""
    from .i18n import current

    moved = _esc(_("This page has moved"))
    link = f'<a href="{_esc(target_url)}">{_esc(absolute)}</a>'
    where = _esc(_("It is now at %(address)s.", address="\x00")).replace("\x00", link)
    return (
        f'<!DOCTYPE html>\n<html lang="{_esc(current().language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{moved}</title>\n<link rel="canonical" href="{_esc(absolute)}">\n'
        f'<meta http-equiv="refresh" content="0; url={_esc(target_url)}">\n</head>\n<body>\n<main>\n'
        f"<h1>{moved}</h1>\n<p>{where}</p>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()


def _text(value: object) -> object:
    """A text for the open data: a text given by language is an object by language (one
    record, every language in it); any other as it is."""
    return dict(value.texts) if value.__class__ is m.Texts else value  # type: ignore[attr-defined]


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _json(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # safe to embed anywhere: no raw angle brackets or ampersands in the data file
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


class Streamed:
    """A file's contents made piece by piece as it is written, so that a large file is
    never whole in memory. ``bytes(streamed)`` gives the whole."""

    def __init__(self, make: Callable[[], Iterable[bytes]]) -> None:
        self.make = make

    def chunks(self) -> Iterable[bytes]:
        return self.make()

    def __bytes__(self) -> bytes:
        return b"".join(self.make())


CALENDAR_NAME = "SITEGEN-CALENDAR-NAME"  # (put in the head made once, then replaced by each calendar's name)


def _name_line(name: str) -> bytes:
    """A calendar's X-WR-CALNAME line, folded, as icalendar writes it (a calendar of that line alone)."""
    cal = _icalendar().Calendar()
    cal.add("x-wr-calname", name)
    return cal.to_ical()[len(b"BEGIN:VCALENDAR\r\n") : -len(b"END:VCALENDAR\r\n")]


def calendar_head(name: str, timezone: str, tz: dt.tzinfo | None) -> bytes:
    """A calendar's head, as icalendar writes it (everything but END:VCALENDAR); with the
    VTIMEZONE of TZ when its events have times."""
    icalendar = _icalendar()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//sitegen//meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    if tz is not None:
        probe = icalendar.Event()  # lets icalendar add the VTIMEZONE the events use
        probe.add("dtstart", dt.datetime(2000, 1, 1, 12, tzinfo=tz))
        cal.add_component(probe)
        cal.add_missing_timezones()
        cal.subcomponents.remove(probe)
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    return head[: -len(end)]


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _marked(text: str) -> str:
    """TEXT escaped for a feed's HTML, in the language being written, or where it has none,
    in another, marked with that language (as the pages mark it)."""
    if text.__class__ is not m.Texts:
        return _esc(text)
    chosen, lang = text.pick(current().language)  # type: ignore[attr-defined]
    return _esc(chosen) if lang == current().language else f'<span lang="{lang}">{_esc(chosen)}</span>'


def _icalendar():  # type: ignore[no-untyped-def]
    import icalendar  # imported only by builds that write calendars

    return icalendar


_ESCAPED = ("\\", ";", ",", "\r", "\n")


def _text_line(name: str, value: str) -> str:
    """A TEXT property's content line, its value escaped by icalendar (RFC 5545 3.3.11):
    most values (ids, statuses, names) have nothing to escape and are written as they are."""
    value = str(value)  # (a text by language: the calendar's language's)
    if any(char in value for char in _ESCAPED):
        value = _icalendar().vText(value).to_ical().decode()
    return f"{name}:{value}"


class _Moments:
    """DATE and DATE-TIME content lines as icalendar writes them, faster: icalendar gives
    a time zone's form once (TZID=..., or Z for UTC); each line then differs from
    icalendar's first one only in its digits."""

    def __init__(self, tz: dt.tzinfo) -> None:
        icalendar = _icalendar()
        probe = icalendar.vDDDTypes(dt.datetime(2000, 1, 2, 3, 4, 5, tzinfo=tz))
        line = str(icalendar.parser.Contentline.from_parts("X", probe.params, probe.to_ical().decode()))
        self.local = line[1 : line.rindex(":")] + ":{}" + ("Z" if line.endswith("Z") else "")

    def local_line(self, name: str, value: dt.datetime) -> str:
        return name + self.local.format(_digits(value))

    @staticmethod
    def utc_line(name: str, value: dt.datetime) -> str:
        return f"{name}:{_digits(value)}Z"

    @staticmethod
    def date_line(name: str, value: dt.date) -> str:
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"


def _digits(value: dt.datetime) -> str:
    """A DATE-TIME's digits as icalendar writes them (vDatetime.to_ical): the year always
    four digits (strftime's %Y gives "999" for the year 999 on some systems)."""
    return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}"


def _lines_bytes(lines: list[str]) -> bytes:
    """Content lines folded as icalendar folds them: ASCII ones here, faster, by the same
    rule (see _fold_ascii); others by icalendar."""
    icalendar = _icalendar()
    return b"".join(
        (_fold_ascii(line) if line.isascii() else icalendar.parser.Contentline(line).to_ical()) + b"\r\n"
        for line in lines
    )


def _fold_ascii(line: str) -> bytes:
    """icalendar's fold (icalendar.parser.string._foldline, RFC 5545 3.1) of an ASCII
    line: pieces of 74 characters joined by CRLF and a space, except that a piece never
    ends in a backslash or caret, which is carried to the next piece (an escape is not
    split). tests/test_publish.py checks the output against icalendar's own."""
    if len(line) <= 74:
        return line.encode("ascii")
    pieces = []
    start = 0
    while len(line) - start > 74:
        end = start + 74
        if line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces).encode("ascii")


__all__ = ["Publisher", "redirect_page", "output_file"]
