"""Words for dates, times and statuses, in the site's own voice (en-GB)."""

from __future__ import annotations

import datetime as dt

from . import model as m

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

STATE_WORDS = {  # a word for every state of model.STATES (a test checks)
    "approved": "Approved",
    "amended": "Approved with amendments",
    "rejected": "Rejected",
    "deferred": "Deferred",
    "referred-back": "Referred back",
    "withdrawn": "Withdrawn",
    "noted": "Noted",
    "superseded": "Superseded",
    "on-agenda": "On the agenda",
    "considered": "Considered; minutes not yet published",
    "overdue": "Overdue",
    "awaiting": "Awaiting decision",
}
OUTCOME_WORDS = {name: STATE_WORDS[name] for name in m.OUTCOMES}
STATUS_WORDS = {
    "scheduled": "Scheduled",
    "held": "Held",
    "cancelled": "Cancelled",
    "postponed": "Postponed",
    "adjourned": "Adjourned",
}
RECORD_WORDS = {"agenda": "Agenda only", "draft": "Draft minutes", "approved": "Approved minutes"}
RECORD_NOTES = {
    "agenda": "Only the agenda is published; minutes are not yet available.",
    "draft": "These minutes are a draft. They are not the formal record until the meeting approves them.",
    "approved": "These minutes have been approved as the formal record of the meeting.",
}
KIND_WORDS = {
    "council": "Full council",
    "executive": "Executive",
    "committee": "Committee",
    "sub-committee": "Sub-committee",
    "panel": "Panel",
    "other": "Other body",
}
PAGE_KINDS = {  # what a page is, for search results' "type" filter, by its template
    "meeting.html": "Meeting",
    "item.html": "Agenda item and decisions",
    "issue.html": "Topic",
    "person.html": "Person",
    "body.html": "Body",
}
RESULT_WORDS = {"carried": "Carried", "lost": "Lost", "withdrawn": "Withdrawn"}


def long_date(day: dt.date) -> str:
    """Wednesday 16 November 2011."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """16 November 2011."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def clock(time: dt.time | None) -> str:
    """6.30pm, 6pm, midday, midnight."""
    if time is None:
        return ""
    if time.minute == 0 and time.hour in (0, 12):
        return "midnight" if time.hour == 0 else "midday"
    hour = time.hour % 12 or 12
    suffix = "am" if time.hour < 12 else "pm"
    return f"{hour}{suffix}" if time.minute == 0 else f"{hour}.{time.minute:02d}{suffix}"


def step_words(step: m.Decides) -> str:
    """Approved by Council on 7 December 2011."""
    decision = step.decision
    assert decision is not None
    body = decision.meeting.body
    who = f" by {body.name}" if body else ""
    draft = " (draft minutes)" if decision.meeting.record == "draft" else ""
    target = step.target
    if step.outcome == "referred-back" and target is not None and target.meeting.body is not None:
        return f"Referred back to {target.meeting.body.name} on {short_date(decision.date)}{draft}"
    return f"{OUTCOME_WORDS[step.outcome]}{who} on {short_date(decision.date)}{draft}"


def made_by(decision: m.Decision) -> str:
    """Cabinet's recommendation of 16 November 2011."""
    body = decision.meeting.body
    return f"{body.name if body else decision.meeting.body_id}'s recommendation of {short_date(decision.date)}"


def status_words(status: m.Status | None) -> str:
    if status is None:
        return ""
    if status.state == "superseded" and status.superseded_by is not None:
        text = f"Superseded by {made_by(status.superseded_by)}"
        return f"{step_words(status.step)}; {text[0].lower()}{text[1:]}" if status.step is not None else text
    if not status.open:
        assert status.step is not None
        return step_words(status.step)
    body = status.body.name if status.body else "the body it was made to"
    if status.state == "on-agenda":
        assert status.meeting is not None
        name = status.meeting.body.name if status.meeting.body else "a meeting"
        text = f"On the agenda of {name}, {short_date(status.meeting.date)}"
    elif status.state == "considered":
        assert status.meeting is not None
        name = status.meeting.body.name if status.meeting.body else "a meeting"
        text = f"Considered by {name} on {short_date(status.meeting.date)}; minutes not yet published"
    elif status.state == "overdue":
        assert status.meeting is not None
        text = f"Overdue: not decided at {body} on {short_date(status.meeting.date)}"
    elif status.step is not None and status.step.outcome == "referred-back":
        text = f"Awaiting a new recommendation from {body}"
    else:
        text = f"Awaiting decision by {body}"
        if status.step is None and status.since is not None:  # (a step says its own date)
            text += f" since {short_date(status.since)}"
    if status.step is not None:
        text = f"{step_words(status.step)}; {text[0].lower()}{text[1:]}"
    return text


def status_class(status: m.Status | None) -> str:
    """The classes of a status on the page: its state's and its tone's (see model.State)."""
    return f"{status.state} tone-{m.STATES[status.state].tone}" if status is not None else ""


def file_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1048576:.1f} MB"


def time_range(meeting: m.Meeting) -> str:
    if meeting.start and meeting.end:
        return f"{clock(meeting.start)} to {clock(meeting.end)}"
    return clock(meeting.start)
