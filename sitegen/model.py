"""The site's records as typed objects.

Fields in the first group of each class come from the content files, and linking
never changes them (a test checks it); fields after ``# computed`` are filled in by
:mod:`sitegen.link` (a vote's counts may start from the file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Location

BODY_KINDS = ("council", "executive", "committee", "sub-committee", "panel", "other")
ROLES = ("member", "officer", "other")
STATUSES = ("scheduled", "held", "cancelled", "postponed", "adjourned")
RECORDS = ("agenda", "draft", "approved")
RESULTS = ("carried", "lost", "withdrawn")
DECISION_TYPES = ("resolution", "recommendation")
MONEY_KINDS = ("one-off", "per-year", "saving", "income", "loan", "grant")  # what a sum of money is
CALL_IN_OUTCOMES = ("no-further-action", "referred-back", "referred-to-council")
# where an executive decision stands in its call-in period (sitegen.executive.call_in_state)
CALL_IN_STATES = ("urgent", "open", "called-in", *CALL_IN_OUTCOMES, "implementable")
PLAN_STATES = ("planned", "slipped", "decided", "withdrawn")  # a forward plan entry's, on the build's date
REGIONS = {"GB-ENG": ("GB", "ENG"), "GB-WLS": ("GB", "WLS"), "GB-SCT": ("GB", "SCT"), "GB-NIR": ("GB", "NIR")}


class Texts(str):
    """A text a clerk typed in several languages (a mapping by language in the content).

    As a string it is the text in the site's first language (or, failing that, the first
    it has): ids, sorting and the like never change with the language. Written on a page
    (``__html__``), or made into a string by formatting (``str``, ``%s``, f-strings), it
    is the text in the language of the page being made (sitegen.i18n), or where it has
    none, the text in another language, marked on the page with that language's ``lang``
    so that screen readers pronounce it rightly (WCAG 2.2 SC 3.1.2)."""

    texts: dict[str, str]
    order: tuple[str, ...]

    def __new__(cls, texts: dict[str, str], order: tuple[str, ...]) -> Texts:
        first = next((texts[lang] for lang in order if lang in texts), next(iter(texts.values()), ""))
        obj = super().__new__(cls, first)
        obj.texts = texts
        obj.order = order
        return obj

    def __reduce__(self) -> tuple:
        return (Texts, (self.texts, self.order))

    def __eq__(self, other: object) -> bool:  # (every language's text counts: an edit of one is a change)
        if isinstance(other, Texts):
            return str.__eq__(self, other) and self.texts == other.texts
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def pick(self, language: str) -> tuple[str, str]:
        """(the text in LANGUAGE, or the one the site's order prefers; its language)."""
        texts = self.texts
        if language in texts:
            return texts[language], language
        for lang in self.order:
            if lang in texts:
                return texts[lang], lang
        lang = next(iter(texts))
        return texts[lang], lang

    def __str__(self) -> str:
        from .i18n import current

        return self.pick(current().language)[0]

    def __format__(self, spec: str) -> str:
        return format(self.__str__(), spec)

    def __html__(self) -> str:
        from markupsafe import escape

        from .i18n import current

        language = current().language
        text, lang = self.pick(language)
        html = str(escape(text))
        return html if lang == language else f'<span lang="{lang}">{html}</span>'


@dataclass(frozen=True, slots=True)
class State:
    """One state a recommendation can be in: the one table the reader (outcomes a clerk
    may type), the linker, the words (present.STATE_WORDS), the pages' classes (TONE: how
    a theme marks it, "good", "bad", "pending", "info" or "neutral") and the JSON Schemas
    (sitegen/schema.py) all take their states from."""

    name: str
    tone: str
    outcome: bool  # typed by a clerk as a decides entry's outcome
    open: bool  # the recommendation is still to be decided


NOT_HELD = ("scheduled", "cancelled", "postponed")  # a meeting's statuses that say it has not taken place

STATES: dict[str, State] = {
    s.name: s
    for s in (
        State("approved", "good", outcome=True, open=False),
        State("amended", "good", outcome=True, open=False),
        State("rejected", "bad", outcome=True, open=False),
        State("deferred", "pending", outcome=True, open=True),
        State("referred-back", "pending", outcome=True, open=True),
        State("withdrawn", "bad", outcome=True, open=False),
        State("noted", "good", outcome=True, open=False),
        State("superseded", "neutral", outcome=False, open=False),  # re-made by its body (supersedes)
        State("on-agenda", "info", outcome=False, open=True),  # a scheduled meeting considers it
        State("considered", "info", outcome=False, open=True),  # a meeting considered it; its minutes are not out
        State("overdue", "bad", outcome=False, open=True),  # its at: meeting was held without deciding it
        State("awaiting", "info", outcome=False, open=True),
    )
}
OUTCOMES = tuple(name for name, s in STATES.items() if s.outcome)
OPEN_OUTCOMES = tuple(name for name in OUTCOMES if STATES[name].open)


@dataclass(slots=True)
class Site:
    authority: str = "Council"
    title: str = "Meetings and decisions"
    base_url: str = "/"
    language: str = "en-GB"
    languages: tuple[str, ...] = ()  # a bilingual (or multilingual) site's languages, `language` first
    timezone: str = "Europe/London"
    theme: str = "default"
    licence: str = ""
    description: str = ""
    region: str = "GB-ENG"  # whose bank holidays are not working days (a key of REGIONS)
    currency: str = "GBP"  # the ISO 4217 code of the sums in money: entries
    call_in_days: int = 5  # working days after a decision notice in which it may be called in

    @property
    def published(self) -> tuple[str, ...]:
        """The languages the site is published in, the first at the root's addresses."""
        return self.languages or (self.language,)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"


@dataclass(slots=True, eq=False)
class Person:
    id: str
    name: str
    role: str = "other"
    party: str = ""
    ward: str = ""
    aliases: list[str] = field(default_factory=list)
    loc: Location = field(default_factory=lambda: Location(""))
    known: bool = True  # False for a name in a site without people.yaml


@dataclass(slots=True, eq=False)
class Body:
    id: str
    name: str
    kind: str
    description: str = ""
    reports_to_id: str = ""
    members_ids: list[tuple[str, Location]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    loc: Location = field(default_factory=lambda: Location(""))
    reports_to_loc: Location = field(default_factory=lambda: Location(""))
    # computed
    reports_to: Body | None = None
    members: list[Person] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    reporting_bodies: list[Body] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class IssueInfo:
    id: str
    title: str = ""
    summary: str = ""
    aliases: list[str] = field(default_factory=list)
    loc: Location = field(default_factory=lambda: Location(""))


@dataclass(slots=True, eq=False)
class Document:
    title: str
    href: str
    external: bool
    file_type: str = ""
    size: int | None = None
    loc: Location = field(default_factory=lambda: Location(""))
    # (every field is read from the file: none follows the line below)
    # computed


@dataclass(slots=True, eq=False)
class Interest:
    person_id: str
    interest: str
    loc: Location
    # computed
    person: Person | None = None


@dataclass(slots=True, eq=False)
class Amendment:
    id: str
    text: str
    result: str = ""
    moved_by_ref: tuple[str, Location] | None = None
    seconded_by_ref: tuple[str, Location] | None = None
    loc: Location = field(default_factory=lambda: Location(""))
    # computed
    moved_by: Person | None = None
    seconded_by: Person | None = None
    item: Item | None = None


@dataclass(slots=True, eq=False)
class Vote:
    on: str
    people_refs: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    loc: Location = field(default_factory=lambda: Location(""))
    # computed
    # (a count the file gives is kept; one of people named is linking's, as the people are)
    for_count: int | None = None
    against_count: int | None = None
    abstained_count: int | None = None
    for_people: list[Person] = field(default_factory=list)
    against_people: list[Person] = field(default_factory=list)
    abstained_people: list[Person] = field(default_factory=list)
    target: Decision | Amendment | None = None
    item: Item | None = None

    @property
    def recorded(self) -> bool:
        return bool(self.for_people or self.against_people or self.abstained_people)


@dataclass(slots=True, eq=False)
class Money:
    """A sum a decision commits (`money:`), in the site's currency."""

    amount: Decimal
    kind: str  # one of MONEY_KINDS
    what: str = ""
    loc: Location = field(default_factory=lambda: Location(""))
    # (every field is read from the file: none follows the line below)
    # computed


@dataclass(slots=True, eq=False)
class Decides:
    """One ``decides`` entry: a step this decision takes on a recommendation."""

    ref: str
    outcome: str
    note: str = ""
    text: str = ""  # the wording as adopted (an amended recommendation's, say)
    money: list[Money] = field(default_factory=list)  # the sums as adopted
    loc: Location = field(default_factory=lambda: Location(""))
    # computed
    decision: Decision | None = None  # the deciding decision (the one holding this entry)
    target: Decision | None = None  # the recommendation it settles


@dataclass(slots=True, eq=False)
class CallIn:
    """What happened in a decision's call-in period (``call_in``)."""

    called_in: dt.date | None = None
    by_refs: list[tuple[str, Location]] = field(default_factory=list)
    considered_at_id: str = ""
    outcome: str = ""  # one of CALL_IN_OUTCOMES, or "" while it awaits scrutiny
    loc: Location = field(default_factory=lambda: Location(""))
    lines: dict[str, int] = field(default_factory=dict)
    # computed
    by: list[Person] = field(default_factory=list)
    considered_at: Meeting | None = None


@dataclass(slots=True, eq=False)
class PlanEntry:
    """One entry of the forward plan (content/forward-plan.yaml)."""

    id: str
    title: str
    decision_maker_id: str = ""
    expected: dt.date | None = None  # the day, or the first of the month
    expected_month: bool = False  # expected names a month, not a day
    first_published: dt.date | None = None
    key: bool = False
    wards: list[str] = field(default_factory=list)
    summary: str = ""
    consultation: str = ""
    exempt: bool = False
    exempt_reason: str = ""
    documents: list[Document] = field(default_factory=list)
    withdrawn: dt.date | None = None
    loc: Location = field(default_factory=lambda: Location(""))
    lines: dict[str, int] = field(default_factory=dict)
    # computed
    decision_maker: Person | Body | None = None
    decisions: list[Decision] = field(default_factory=list)  # the decisions that name it with plan
    state: str = "planned"  # planned | slipped | decided | withdrawn (for the build's date)

    @property
    def expected_end(self) -> dt.date | None:
        """The last day of the expected month or the expected day."""
        if self.expected is None or not self.expected_month:
            return self.expected
        nxt = dt.date(self.expected.year + self.expected.month // 12, self.expected.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)


@dataclass(slots=True, eq=False)
class Status:
    """Where a recommendation stands; computed by the linker."""

    state: str  # a key of STATES
    open: bool
    body: Body | None = None  # the body expected to act (to decide it, or to re-make it when referred back)
    meeting: Meeting | None = None  # on-agenda / overdue meeting
    step: Decides | None = None  # the latest step, if any
    superseded_by: Decision | None = None  # the recommendation that re-made it (state "superseded")
    since: dt.date | None = None  # open: the day it was made, or of its latest step

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"{self.state!r} is not one of model.STATES")


@dataclass(slots=True, eq=False)
class Decision:
    id: str
    text: str
    type: str = "resolution"
    to_id: str = ""
    at_id: str = ""
    decides: list[Decides] = field(default_factory=list)
    supersedes_ref: str = ""  # the recommendation, referred back, that this one re-makes
    key: bool = False  # a key decision
    plan_id: str = ""  # the forward plan entry it carries out
    published: dt.date | None = None  # the decision notice's date: the call-in period starts the day after
    urgency: str = ""  # why the notice or call-in rules were set aside
    call_in: CallIn | None = None
    reasons: str = ""  # (a decision file's)
    alternatives: str = ""  # (a decision file's)
    origin: str = ""  # the address of the original record it was taken from (`source:`)
    money: list[Money] = field(default_factory=list)  # the sums it commits (a recommendation's: if adopted)
    money_given: bool = False  # money: was written, if only as [] (the sums its text names are not commitments)
    loc: Location = field(default_factory=lambda: Location(""))
    lines: dict[str, int] = field(default_factory=dict)  # the lines of "to", "at", "text", "supersedes", "plan"
    # computed
    item: Item | None = None
    plan: PlanEntry | None = None
    executive: bool = False  # an executive decision: of an executive body, or of one person
    call_in_until: dt.date | None = None  # the last day it may be called in (with published, without urgency)
    implement_from: dt.date | None = None  # the next working day after call_in_until
    call_in_state: str = ""  # on the build's date (executive.call_in_state): "", urgent, open, called-in, ...
    executive_facts: bool = False  # it has any of the above to show (key, plan, notice, urgency, call-in)
    to: Body | None = None
    at: Meeting | None = None
    steps: list[Decides] = field(default_factory=list)  # decisions taken on this recommendation
    considered_by: list[Item] = field(default_factory=list)
    status: Status | None = None
    supersedes: Decision | None = None
    superseded_by: list[Decision] = field(default_factory=list)

    def line(self, key: str) -> Location:
        """Where KEY ("to", "at", "text" or "supersedes") is given in the decision's file."""
        return Location(self.loc.path, self.lines.get(key, self.loc.line))

    @property
    def is_recommendation(self) -> bool:
        return self.type == "recommendation"

    @property
    def taken(self) -> list[Decides]:
        """The steps taken on this recommendation at meetings that took place: a step of a
        meeting still scheduled (a resolution typed into its agenda), cancelled or postponed
        settles nothing (see link.recommendation_status)."""
        return [s for s in self.steps if s.decision is None or s.decision.meeting.status not in NOT_HELD]

    @property
    def ref(self) -> str:
        assert self.item is not None
        if self.item.meeting is not None and self.item.meeting.maker_id:
            return self.item.meeting.id  # a decision file's one decision is named by the file
        return f"{self.item.ref}/{self.id}"

    @property
    def meeting(self) -> Meeting:
        assert self.item is not None and self.item.meeting is not None
        return self.item.meeting

    @property
    def date(self) -> dt.date:
        return self.meeting.date


@dataclass(slots=True, eq=False)
class Item:
    id: str
    title: str
    number: str = ""
    report: str = ""
    issue_id: str = ""
    exempt: bool = False
    exempt_reason: str = ""
    minutes: str = ""
    interests: list[Interest] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    considers_refs: list[tuple[str, Location]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    origin: str = ""  # the address of the original record it was taken from (`source:`)
    inferred: bool = False  # its considers and decides were linked by an importer, not yet checked by a clerk
    loc: Location = field(default_factory=lambda: Location(""))
    lines: dict[str, int] = field(default_factory=dict)
    # computed
    meeting: Meeting | None = None
    considers: list[Decision | Item] = field(default_factory=list)
    considered_by: list[Item] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    order: int = 0

    @property
    def ref(self) -> str:
        assert self.meeting is not None
        if self.meeting.maker_id:
            return self.meeting.id  # a decision file's one item is named by the file
        return f"{self.meeting.id}/{self.id}"

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(slots=True, eq=False)
class Meeting:
    id: str
    body_id: str
    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    location: str = ""
    status: str = "held"
    record: str = "agenda"
    chair_id: str = ""
    present_ids: list[str] = field(default_factory=list)
    apologies_ids: list[str] = field(default_factory=list)
    in_attendance_ids: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    notes: str = ""
    aliases: list[str] = field(default_factory=list)
    source: str = ""  # the file it was read from, relative to the content folder
    origin: str = ""  # the address of the original record it was taken from (`source:`)
    maker_id: str = ""  # a decision made by one person (a file under decisions/): its decision maker's id
    loc: Location = field(default_factory=lambda: Location(""))
    refs: dict = field(default_factory=dict)
    # computed
    body: Body | None = None
    maker: Person | Body | None = None  # a decision file's decision maker
    call_ins: list[Decision] = field(default_factory=list)  # the decisions called in that it considered
    chair: Person | None = None
    present: list[Person] = field(default_factory=list)
    apologies: list[Person] = field(default_factory=list)
    in_attendance: list[Person] = field(default_factory=list)
    # the prose fields that hold ref: links, as (text, location, block); None until first asked
    linking_prose: list[tuple[str, Location, bool]] | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.date, self.start or dt.time(0), self.id)

    @property
    def who(self) -> Person | Body | None:
        """Who decided: a decision file's decision maker, or the meeting's body."""
        return self.maker if self.maker_id else self.body

    @property
    def who_name(self) -> str:
        who = self.who
        return who.name if who is not None else (self.maker_id or self.body_id)

    @property
    def decision(self) -> Decision | None:
        """A decision file's one decision."""
        return self.items[0].decisions[0] if self.maker_id and self.items and self.items[0].decisions else None

    def reset(self) -> None:
        """Forget everything the linker computed, so that the meeting can be linked again."""
        self.body = self.chair = self.maker = None
        self.call_ins = []
        self.present, self.apologies, self.in_attendance = [], [], []
        for item in self.items:
            item.considers, item.considered_by, item.issues = [], [], []
            for interest in item.interests:
                interest.person = None
            for amendment in item.amendments:
                amendment.moved_by = amendment.seconded_by = None
            for vote in item.votes:
                vote.target = None
                vote.for_people, vote.against_people, vote.abstained_people = [], [], []
            for decision in item.decisions:
                decision.to = decision.at = decision.status = None
                decision.steps, decision.considered_by = [], []
                decision.supersedes, decision.superseded_by = None, []
                decision.plan, decision.executive, decision.call_in_until = None, False, None
                decision.implement_from, decision.call_in_state, decision.executive_facts = None, "", False
                if decision.call_in is not None:
                    decision.call_in.by, decision.call_in.considered_at = [], None
                for step in decision.decides:
                    step.decision = step.target = None


@dataclass(slots=True, eq=False)
class Issue:
    """One matter followed across meetings (computed)."""

    id: str
    title: str
    summary: str = ""
    items: list[Item] = field(default_factory=list)
    explicit: bool = True
    aliases: list[str] = field(default_factory=list)

    @property
    def deciders(self) -> list[Body | Person]:
        """The bodies whose meetings, and the people whose own decisions, it went through."""
        seen: dict[int, Body | Person] = {}
        for item in self.items:
            who = item.meeting.who if item.meeting else None
            if who is not None:
                seen.setdefault(id(who), who)
        return list(seen.values())

    @property
    def first_date(self) -> dt.date:
        return self.items[0].meeting.date  # type: ignore[union-attr]

    @property
    def last_date(self) -> dt.date:
        return self.items[-1].meeting.date  # type: ignore[union-attr]


@dataclass(slots=True, eq=False)
class PersonRecord:
    """What the records say of one person (computed)."""

    chaired: list[Meeting] = field(default_factory=list)
    present: list[Meeting] = field(default_factory=list)
    apologies: list[Meeting] = field(default_factory=list)
    in_attendance: list[Meeting] = field(default_factory=list)
    interests: list[tuple[Item, Interest]] = field(default_factory=list)
    moved: list[Amendment] = field(default_factory=list)
    seconded: list[Amendment] = field(default_factory=list)
    votes: list[tuple[Vote, str]] = field(default_factory=list)  # (vote, "for"|"against"|"abstained")
    made: list[Decision] = field(default_factory=list)  # decisions they made alone (decision files)
    called_in: list[Decision] = field(default_factory=list)  # decisions they called in


@dataclass(slots=True, eq=False)
class Model:
    """Everything the build knows, linked."""

    site: Site
    bodies: dict[str, Body]
    people: dict[str, Person]
    issue_info: dict[str, IssueInfo]
    meetings: dict[str, Meeting]  # sorted by date, then start, then id
    has_people_file: bool = False
    plan: dict[str, PlanEntry] = field(default_factory=dict)  # the forward plan, in its file's order
    # computed
    issues: dict[str, Issue] = field(default_factory=dict)
    records: dict[str, PersonRecord] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    def held(self) -> list[Meeting]:
        """The meetings (not the decision files), in date order."""
        return [x for x in self.meetings.values() if not x.maker_id]

    def all_items(self) -> list[Item]:
        return [item for m in self.meetings.values() for item in m.items]

    def all_decisions(self) -> list[Decision]:
        return [d for m in self.meetings.values() for i in m.items for d in i.decisions]


def is_upcoming(meeting: Meeting, today: dt.date) -> bool:
    """Whether MEETING is still to take place on TODAY: the one rule for the lists of
    upcoming meetings and for which meetings have a calendar file of their own."""
    return not meeting.maker_id and meeting.date >= today and meeting.status in ("scheduled", "postponed")


def owned(model: Model) -> Iterator[tuple[str, object]]:
    """Every object of MODEL with a key that names it by where it belongs ("m:MEETING",
    "m:MEETING/ITEM/DECISION", "p:PERSON", ...): the same object in another build of
    the same content has the same key (see sitegen.record). Each owner comes before
    what it holds, and an object linked from elsewhere is named where it belongs."""
    yield from owned_apart(model)
    for meeting in model.meetings.values():
        for key, obj in owned_by(meeting):
            yield key, obj
            if type(obj) is Decision and obj.status is not None:
                yield f"{key}#status", obj.status
    yield from anonymous(model)


def owned_apart(model: Model) -> Iterator[tuple[str, object]]:
    """owned(), but for the meetings' own objects and the people named without people.yaml."""
    yield "model", model
    yield "site", model.site
    for body in model.bodies.values():
        yield f"b:{body.id}", body
    for person in model.people.values():
        yield f"p:{person.id}", person
    for info in model.issue_info.values():
        yield f"ii:{info.id}", info
    for issue in model.issues.values():
        yield f"i:{issue.id}", issue
    for pid, record in model.records.items():
        yield f"r:{pid}", record
    for entry in model.plan.values():
        yield f"fp:{entry.id}", entry
        for n, document in enumerate(entry.documents):
            yield f"fp:{entry.id}#doc{n}", document


def owned_by(meeting: Meeting) -> Iterator[tuple[str, object]]:
    """A meeting's own objects, as read from its file (owned(); not the decisions'
    statuses, which linking makes afresh)."""
    key = f"m:{meeting.id}"
    yield key, meeting
    for n, document in enumerate(meeting.documents):
        yield f"{key}#doc{n}", document
    for item in meeting.items:
        ik = f"{key}/{item.id}"
        yield ik, item
        # by place in their list (an amendment's id may be left out, or repeated)
        parts: tuple[tuple[str, list], ...] = (
            ("int", item.interests), ("am", item.amendments), ("vote", item.votes), ("doc", item.documents),
        )  # fmt: skip
        for tag, children in parts:
            for n, child in enumerate(children):
                yield f"{ik}#{tag}{n}", child
        for decision in item.decisions:
            dk = f"{ik}/{decision.id}"
            yield dk, decision
            for n, step in enumerate(decision.decides):
                yield f"{dk}#step{n}", step
                for k, money in enumerate(step.money):
                    yield f"{dk}#step{n}#money{k}", money
            for n, money in enumerate(decision.money):
                yield f"{dk}#money{n}", money
            if decision.call_in is not None:
                yield f"{dk}#callin", decision.call_in


def anonymous(model: Model, named: Callable[[Meeting], list[Person]] | None = None) -> Iterator[tuple[str, object]]:
    """The people named in a site without people.yaml (owned()): wherever a meeting names
    them (NAMED: each meeting's named_apart(), when already worked out)."""
    for meeting in model.meetings.values():
        for person in named_apart(meeting) if named is None else named(meeting):
            yield f"p:{person.id}", person
    for entry in model.plan.values():  # (a forward plan entry's decision maker)
        if isinstance(entry.decision_maker, Person) and not entry.decision_maker.known:
            yield f"p:{entry.decision_maker.id}", entry.decision_maker


def named_apart(meeting: Meeting) -> list[Person]:
    """The people MEETING names who are not in people.yaml (anonymous()), in order."""
    named: list[Person | None] = [meeting.chair, *meeting.present, *meeting.apologies, *meeting.in_attendance]
    if isinstance(meeting.maker, Person):
        named.append(meeting.maker)
    for item in meeting.items:
        named += [p for d in item.decisions if d.call_in is not None for p in d.call_in.by]
        named += [interest.person for interest in item.interests]
        named += [p for a in item.amendments for p in (a.moved_by, a.seconded_by)]
        named += [p for v in item.votes for p in (*v.for_people, *v.against_people, *v.abstained_people)]
    return [person for person in named if person is not None and not person.known]


def _short_repr(self: object) -> str:
    """Model objects link to each other in cycles: print their identity, never the whole graph."""
    ident = getattr(self, "id", None) or getattr(self, "ref", None) or getattr(self, "state", None) or ""
    return f"<{type(self).__name__} {ident}>"


for _cls in (Person, Body, IssueInfo, Document, Interest, Amendment, Vote, Decides, Status, Decision, Item, Meeting,
             Issue, PersonRecord, Model, CallIn, PlanEntry, Money):  # fmt: skip
    _cls.__repr__ = _short_repr  # type: ignore[method-assign]
