"""Words for dates, times and statuses, in the site's language (sitegen.i18n).

Each phrase with parts is one message with named placeholders ("Approved by %(body)s on
%(date)s"), so that a translator can order it; the tables below hold the messages, and
a Vocabulary translates a value's message as a page asks for it."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from . import i18n
from . import model as m
from .i18n import N_, NP_, _, long_date, on_date, short_date

__all__ = ["long_date", "short_date"]


class Vocabulary(dict):
    """A table of messages by value: ``table[value]`` is the message in the current language
    (templates use these as ``OUTCOME_WORDS[s.outcome]``)."""

    def __getitem__(self, key: object) -> str:
        return i18n.current().gettext(dict.__getitem__(self, key))

    def get(self, key: object, default: object = None) -> object:  # type: ignore[override]
        return self[key] if key in self else default

    def message(self, key: object) -> str:
        """The untranslated message."""
        return dict.__getitem__(self, key)


STATE_WORDS = Vocabulary(  # a word for every state of model.STATES (a test checks)
    {
        "approved": N_("Approved"),
        "amended": N_("Approved with amendments"),
        "rejected": N_("Rejected"),
        "deferred": N_("Deferred"),
        "referred-back": N_("Referred back"),
        "withdrawn": N_("Withdrawn"),
        "noted": N_("Noted"),
        "superseded": N_("Superseded"),
        "on-agenda": N_("On the agenda"),
        "considered": N_("Considered; minutes not yet published"),
        "overdue": N_("Overdue"),
        "awaiting": N_("Awaiting decision"),
    }
)
OUTCOME_WORDS = Vocabulary({name: STATE_WORDS.message(name) for name in m.OUTCOMES})
# an outcome with the body that decided and the day: one sentence each, for translators to order
STEP_BY = {
    "approved": N_("Approved by %(body)s on %(date)s"),
    "amended": N_("Approved with amendments by %(body)s on %(date)s"),
    "rejected": N_("Rejected by %(body)s on %(date)s"),
    "deferred": N_("Deferred by %(body)s on %(date)s"),
    "referred-back": N_("Referred back by %(body)s on %(date)s"),
    "withdrawn": N_("Withdrawn by %(body)s on %(date)s"),
    "noted": N_("Noted by %(body)s on %(date)s"),
}
STEP_ON = {
    "approved": N_("Approved on %(date)s"),
    "amended": N_("Approved with amendments on %(date)s"),
    "rejected": N_("Rejected on %(date)s"),
    "deferred": N_("Deferred on %(date)s"),
    "referred-back": N_("Referred back on %(date)s"),
    "withdrawn": N_("Withdrawn on %(date)s"),
    "noted": N_("Noted on %(date)s"),
}
STATUS_WORDS = Vocabulary(
    {
        "scheduled": N_("Scheduled"),
        "held": N_("Held"),
        "cancelled": N_("Cancelled"),
        "postponed": N_("Postponed"),
        "adjourned": N_("Adjourned"),
    }
)
RECORD_WORDS = Vocabulary(
    {"agenda": N_("Agenda only"), "draft": N_("Draft minutes"), "approved": N_("Approved minutes")}
)
RECORD_NOTES = Vocabulary(
    {
        "agenda": N_("Only the agenda is published; minutes are not yet available."),
        "draft": N_("These minutes are a draft. They are not the formal record until the meeting approves them."),
        "approved": N_("These minutes have been approved as the formal record of the meeting."),
    }
)
KIND_WORDS = Vocabulary(
    {
        "council": N_("Full council"),
        "executive": N_("Executive"),
        "committee": N_("Committee"),
        "sub-committee": N_("Sub-committee"),
        "panel": N_("Panel"),
        "other": N_("Other body"),
    }
)
PAGE_KINDS = Vocabulary(  # what a page is, for search results' "type" filter, by its template
    {
        "meeting.html": N_("Meeting"),
        "item.html": N_("Agenda item and decisions"),
        "issue.html": N_("Topic"),
        "person.html": N_("Person"),
        "body.html": N_("Body"),
        "decision.html": N_("Decision"),
        "plan_entry.html": N_("Forward plan entry"),
    }
)
RESULT_WORDS = Vocabulary({"carried": N_("Carried"), "lost": N_("Lost"), "withdrawn": N_("Withdrawn")})
ROLE_WORDS = Vocabulary({"member": N_("Councillor"), "officer": N_("Officer"), "other": N_("Other")})
VOTE_WORDS = Vocabulary({"for": N_("For"), "against": N_("Against"), "abstained": N_("Abstained")})
# how a person voted, as the title of their feed's entry (see _: translated where written)
VOTED = {
    "for": N_("Voted for: %(item)s, %(meeting)s"),
    "against": N_("Voted against: %(item)s, %(meeting)s"),
    "abstained": N_("Abstained: %(item)s, %(meeting)s"),
}


class Dated:
    """Whether the page being rendered shows something that depends on the build's date
    (an open recommendation's status, a call-in period, whether a meeting is to come),
    and whether it said so already: the page's footer then says which day it is correct on."""

    shown = False
    stated = False

    @classmethod
    def start(cls) -> None:
        cls.shown = cls.stated = False


def status_depends_on_date(status: m.Status | None) -> None:
    if status is not None and status.open:
        Dated.shown = True


PLAN_STATE_WORDS = Vocabulary(  # a forward plan entry's state (model.PlanEntry.state)
    {"planned": N_("Planned"), "slipped": N_("Slipped"), "decided": N_("Decided"), "withdrawn": N_("Withdrawn")}
)
CALL_IN_OUTCOME_WORDS = Vocabulary(  # model.CALL_IN_OUTCOMES
    {
        "no-further-action": N_("No further action: the decision stands"),
        "referred-back": N_("Referred back to the decision maker"),
        "referred-to-council": N_("Referred to full Council"),
    }
)


def call_in_words(decision: m.Decision) -> str:
    """Where DECISION stands in its call-in period, on the build's date ("" when it is not subject to call-in)."""
    state = decision.call_in_state
    if state in ("open", "implementable"):
        Dated.shown = True
    if state == "open":
        return _("May be called in until %(date)s", date=on_date(decision.call_in_until))
    if state == "implementable":
        return _("Can be implemented from %(date)s", date=on_date(decision.implement_from))
    if state == "urgent":
        return _("Not subject to call-in: taken as a matter of urgency")
    if decision.call_in is None or decision.call_in.called_in is None:
        return ""
    called = on_date(decision.call_in.called_in)
    if state == "called-in":
        return _("Called in on %(date)s; awaiting scrutiny", date=called)
    return _("Called in on %(date)s: %(outcome)s", date=called, outcome=CALL_IN_OUTCOME_WORDS[state])


def call_in_tone(decision: m.Decision) -> str:
    """How a theme marks a call-in state (as model.State's tones)."""
    return {"open": "pending", "called-in": "pending", "referred-back": "bad", "referred-to-council": "info"}.get(
        decision.call_in_state, "neutral"
    )


def word_diff(recommended: str, adopted: str, context: int = 8) -> Markup:
    """The adopted wording against the recommended one, word by word (difflib): deleted words
    in <del>, inserted ones in <ins>, each announced by a visually hidden word for screen
    readers, and long unchanged stretches shortened to CONTEXT words around the changes."""
    import difflib

    from markupsafe import escape

    old, new = str(recommended).split(), str(adopted).split()
    deleted, inserted = escape(_("deleted:")), escape(_("inserted:"))
    out: list[str] = []
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    if len(opcodes) == 1 and opcodes[0][0] == "equal":
        return Markup(escape(" ".join(new)))  # (nothing changed)
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = old[i1:i2]
            first, last = n == 0, n == len(opcodes) - 1
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(words) > keep_head + keep_tail + 1:
                head = [escape(" ".join(words[:keep_head]))] if keep_head else []
                tail = [escape(" ".join(words[-keep_tail:]))] if keep_tail else []
                out += [*head, "…", *tail]
            else:
                out.append(escape(" ".join(words)))
            continue
        if tag in ("delete", "replace"):
            out.append(
                f'<del><span class="visually-hidden">[{deleted}</span>{escape(" ".join(old[i1:i2]))}<span class="visually-hidden">]</span></del>'
            )
        if tag in ("insert", "replace"):
            out.append(
                f'<ins><span class="visually-hidden">[{inserted}</span>{escape(" ".join(new[j1:j2]))}<span class="visually-hidden">]</span></ins>'
            )
    return Markup(" ".join(part for part in out if part))


def adopted(decision: m.Decision) -> m.Decides | None:
    """The step that settled a recommendation with wording of its own (a decides entry's text)."""
    status = decision.status
    if status is None or status.open or status.step is None or not status.step.text:
        return None
    return status.step


def money(amount: object, currency: str = "GBP") -> str:
    """£80,000, or £1,250.50: a sum in the site's currency as the page's language writes it
    (Babel's CLDR data), without pence when it has none."""
    import babel.numbers

    value = amount.amount if isinstance(amount, m.Money) else amount
    locale = i18n.current().locale
    if value == int(value):  # type: ignore[call-overload]
        pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
        return babel.numbers.format_currency(value, currency, pattern, locale=locale, currency_digits=False)
    return babel.numbers.format_currency(value, currency, locale=locale)


MONEY_WORDS = Vocabulary(  # model.MONEY_KINDS
    {
        "one-off": N_("One-off"),
        "per-year": N_("Each year"),
        "saving": N_("Saving"),
        "income": N_("Income"),
        "loan": N_("Loan"),
        "grant": N_("Grant"),
    }
)


def host(address: str) -> str:
    """The site an address is on (moderngov.example.gov.uk), to name an original record."""
    return address.split("://", 1)[-1].split("/", 1)[0]


def expected_words(entry: m.PlanEntry, in_sentence: bool = False) -> str:
    """When a forward plan entry is expected: a month ("March 2024") or a day. IN_SENTENCE:
    as a sentence says it after "expected" (a day as after a preposition, see i18n.on_date;
    a month as the catalogue gives it there: Welsh says "ym mis Mawrth 2024")."""
    if entry.expected is None:
        return ""
    if not entry.expected_month:
        return i18n.on_date(entry.expected) if in_sentence else long_date(entry.expected)
    month = i18n.month_year(entry.expected)
    if not in_sentence:
        return month
    return i18n.current().pgettext("a month said as when something happens", "%(month)s") % {"month": month}


# (for the catalogues: the message expected_words asks for)
NP_("a month said as when something happens", "%(month)s")


def clock(time: dt.time | None) -> str:
    """6.30pm, 6pm, midday, midnight (in Welsh 6.30yh, 6yh, hanner dydd, hanner nos)."""
    if time is None:
        return ""
    if time.minute == 0 and time.hour in (0, 12):
        return _("midnight") if time.hour == 0 else _("midday")
    hour = time.hour % 12 or 12
    shown = str(hour) if time.minute == 0 else f"{hour}.{time.minute:02d}"
    return _("%(time)sam", time=shown) if time.hour < 12 else _("%(time)spm", time=shown)


def body_name(body: m.Body | None, fallback: str) -> str:
    return body.name if body is not None else fallback


def step_words(step: m.Decides) -> str:
    """Approved by Council on 7 December 2011."""
    decision = step.decision
    assert decision is not None
    body = decision.meeting.body
    date = short_date(decision.date)
    target = step.target
    if step.outcome == "referred-back" and target is not None and target.meeting.body is not None:
        text = _("Referred back to %(body)s on %(date)s", body=target.meeting.body.name, date=date)
    elif body is not None:
        text = _(STEP_BY[step.outcome], body=body.name, date=date)
    else:
        text = _(STEP_ON[step.outcome], date=date)
    if decision.meeting.record == "draft":
        text = _("%(status)s (draft minutes)", status=text)
    return text


def made_by(decision: m.Decision) -> str:
    """Cabinet's recommendation of 16 November 2011."""
    body = body_name(decision.meeting.body, decision.meeting.body_id)
    return _("%(body)s's recommendation of %(date)s", body=body, date=short_date(decision.date))


def _then(step: m.Decides, text: str) -> str:
    """An outcome, then where the recommendation stands now (the second in lower case)."""
    return _("%(step)s; %(then)s", step=step_words(step), then=text[:1].lower() + text[1:])


def status_words(status: m.Status | None) -> str:
    if status is None:
        return ""
    status_depends_on_date(status)
    if status.state == "superseded" and status.superseded_by is not None:
        text = _("Superseded by %(recommendation)s", recommendation=made_by(status.superseded_by))
        return _then(status.step, text) if status.step is not None else text
    if not status.open:
        assert status.step is not None
        return step_words(status.step)
    body = status.body.name if status.body else _("the body it was made to")
    if status.state in ("on-agenda", "considered", "overdue"):
        assert status.meeting is not None
        name = status.meeting.body.name if status.meeting.body else _("a meeting")
        date = short_date(status.meeting.date)
        if status.state == "on-agenda":
            text = _("On the agenda of %(body)s, %(date)s", body=name, date=date)
        elif status.state == "considered":
            text = _("Considered by %(body)s on %(date)s; minutes not yet published", body=name, date=date)
        else:
            text = _("Overdue: not decided at %(body)s on %(date)s", body=body, date=date)
    elif status.step is not None and status.step.outcome == "referred-back":
        text = _("Awaiting a new recommendation from %(body)s", body=body)
    elif status.step is None and status.since is not None:  # (a step says its own date)
        text = _("Awaiting decision by %(body)s since %(date)s", body=body, date=short_date(status.since))
    else:
        text = _("Awaiting decision by %(body)s", body=body)
    return _then(status.step, text) if status.step is not None else text


def status_class(status: m.Status | None) -> str:
    """The classes of a status on the page: its state's and its tone's (see model.State)."""
    return f"{status.state} tone-{m.STATES[status.state].tone}" if status is not None else ""


def file_size(size: int | None) -> str:
    """12 KB, 1.2 MB (numbers as the language writes them)."""
    if size is None:
        return ""
    if size < 1024:
        return i18n.ngettext("%(num)s byte", "%(num)s bytes", size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=i18n.number(round(size / 1024)))
    return _("%(size)s MB", size=i18n.decimal(size / 1048576, 1))


def time_range(meeting: m.Meeting) -> str:
    if meeting.start and meeting.end:
        return _("%(start)s to %(end)s", start=clock(meeting.start), end=clock(meeting.end))
    return clock(meeting.start)
