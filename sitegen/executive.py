"""The executive's rules: the forward plan, key decisions' notice, and call-in.

Worked out after linking, over the whole model (link_executive), or after an edit
linked in where it reaches, for what it reaches (link_executive_after; a test checks
the two agree): which decisions are executive, the plan entry each carries out and
each entry's state, the last day each may be called in, and the meetings that
considered a call-in. Dates that depend on the day of the build use the model's
``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from . import model as m
from .errors import Location, Problems, did_you_mean

NOTICE_CLEAR_DAYS = 28  # a key decision's notice in the forward plan (2012 regulations, reg. 9)


@lru_cache(maxsize=64)
def _holidays(region: str, year: int) -> frozenset[dt.date]:
    import holidays  # the bank holidays of the UK's nations, kept by the holidays package

    country, subdiv = m.REGIONS[region]
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def is_working_day(day: dt.date, region: str) -> bool:
    """Whether DAY is a working day in REGION: not a Saturday, Sunday or bank holiday."""
    return day.weekday() < 5 and day not in _holidays(region, day.year)


@lru_cache(maxsize=4096)  # (every link works out every decision's deadline: a few dates, many times)
def working_days_after(start: dt.date, days: int, region: str) -> dt.date:
    """The DAYS-th working day after START (START itself when DAYS is 0)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            days -= 1
    return day


def call_in_until(published: dt.date, site: m.Site) -> dt.date:
    """The last day a decision whose notice was published on PUBLISHED may be called in:
    the end of the call_in_days-th working day after it."""
    return working_days_after(published, site.call_in_days, site.region)


def clear_days(first: dt.date, last: dt.date) -> int:
    """The days between FIRST and LAST, counting neither."""
    return (last - first).days - 1


def is_executive(decision: m.Decision) -> bool:
    """A decision of one person (a decision file: unless its decision maker is a body of
    another kind than executive, a committee's decision taken for it under delegation, say),
    or a resolution of an executive body."""
    meeting = decision.item.meeting if decision.item is not None else None
    if meeting is None:
        return False
    if meeting.maker_id:
        return not (isinstance(meeting.maker, m.Body) and meeting.maker.kind != "executive")
    return meeting.body is not None and meeting.body.kind == "executive" and not decision.is_recommendation


def call_in_state(decision: m.Decision, today: dt.date) -> str:
    """Where DECISION stands in its call-in period on TODAY: "" (not subject to it), or
    one of model.CALL_IN_STATES: "urgent", "open" (may be called in), "called-in"
    (awaiting scrutiny), an outcome of the call-in, or "implementable". A notice dated
    after TODAY is not published yet: nothing runs until then."""
    if not decision.executive or decision.published is None or decision.published > today:
        return ""
    if decision.urgency:
        return "urgent"
    if decision.call_in is not None:
        return decision.call_in.outcome or "called-in"
    if decision.call_in_until is not None and today <= decision.call_in_until:
        return "open"
    return "implementable"


def entry_state(entry: m.PlanEntry, today: dt.date) -> str:
    """planned, slipped, decided or withdrawn, on TODAY."""
    if entry.decisions:
        return "decided"
    if entry.withdrawn is not None and entry.withdrawn <= today:
        return "withdrawn"
    end = entry.expected_end
    if end is not None and end < today:
        return "slipped"
    return "planned"


#: meeting id -> the decisions whose call-in names it as the meeting that considered it
CalledIn = dict[str, list[m.Decision]]


def link_executive(
    model: m.Model,
    problems: Problems,
    maker: Callable[[str, Location], m.Person | m.Body | None],
    failed: set[str] | frozenset[str] = frozenset(),
) -> CalledIn:
    """Work out the executive's records of MODEL afresh (see the module), reporting what
    is wrong or late into PROBLEMS. MAKER resolves a decision maker's id (the linker's,
    which reports an unknown one). Returns the decisions called in, by the meeting named
    to consider them (for link_executive_after)."""
    today = model.today
    for meeting in model.meetings.values():
        meeting.call_ins = []
    for entry in model.plan.values():
        entry.decisions = []
        where = Location(entry.loc.path, entry.lines.get("decision_maker", entry.loc.line))
        entry.decision_maker = maker(entry.decision_maker_id, where) if entry.decision_maker_id else None
    called: CalledIn = {}
    for meeting in model.meetings.values():
        executive = _executive_meeting(meeting)
        for item in meeting.items:
            for decision in item.decisions:
                if executive or _has_executive_fields(decision):
                    _decision(model, decision, problems, failed)
                # (else nothing to work out: its executive fields keep their defaults)
                _index(called, decision)
    for entry in model.plan.values():
        entry.state = entry_state(entry, today)
        if entry.first_published is not None and entry.first_published > today:
            problems.warn(
                Location(entry.loc.path, entry.lines.get("first_published", entry.loc.line)),
                f"first_published {entry.first_published.isoformat()}, a day still to come (the build's day is "
                f"{today.isoformat()}): the page says it was published; check the date",
            )
    return called


def link_executive_after(
    model: m.Model,
    removed: list[m.Meeting],
    added: list[m.Meeting],
    called: CalledIn,
    problems: Problems,
    failed: set[str] | frozenset[str] = frozenset(),
) -> None:
    """What link_executive works out, after the meetings REMOVED gave way to ADDED (linked
    in where they reach, see link.Linker.update), for what that reaches: the new
    meetings' decisions, the decisions called in to be considered at a new meeting,
    and the plan entries and meetings' call-ins that any of those or the removed ones
    name. CALLED (what link_executive returned) is kept up to date."""
    gone = {id(d): d for x in removed for item in x.items for d in item.decisions}
    for decision in gone.values():
        mid = decision.call_in.considered_at_id if decision.call_in is not None else ""
        if mid and mid in called:
            called[mid] = [d for d in called[mid] if id(d) not in gone]
    new = [d for x in added for item in x.items for d in item.decisions]
    # the kept decisions called in to a meeting made afresh, or gone (named by an alias
    # now, say: _decision then reports the meeting missing, as a full link would), and the new
    named = dict.fromkeys([*(x.id for x in removed), *(x.id for x in added)])
    rework = [d for mid in named for d in called.get(mid, [])] + new
    for decision in new:
        _index(called, decision)
    redo = {id(d) for d in rework} | gone.keys()
    reached = [*gone.values(), *rework]
    entries = [model.plan[pid] for pid in dict.fromkeys(d.plan_id for d in reached) if pid in model.plan]
    mids = {d.call_in.considered_at_id for d in reached if d.call_in is not None} | {x.id for x in added}
    meetings = [x for mid in mids if (x := model.meetings.get(mid)) is not None]
    for entry in entries:
        entry.decisions = [d for d in entry.decisions if id(d) not in redo]
    for meeting in meetings:
        meeting.call_ins = [d for d in meeting.call_ins if id(d) not in redo]
    order: dict[int, int] = {}  # each meeting's place in the model (worked out once a list needs sorting)

    def place(decision: m.Decision) -> tuple[int, int, int]:  # where link_executive meets it
        item = decision.item
        assert item is not None and item.meeting is not None
        return (order[id(item.meeting)], item.meeting.items.index(item), item.decisions.index(decision))

    def in_order(decisions: list[m.Decision]) -> None:
        if len(decisions) > 1:
            if not order:
                order.update((id(x), n) for n, x in enumerate(model.meetings.values()))
            decisions.sort(key=place)

    in_order(rework)
    for decision in rework:
        assert decision.item is not None and decision.item.meeting is not None
        if _executive_meeting(decision.item.meeting) or _has_executive_fields(decision):
            _decision(model, decision, problems, failed)
    for entry in entries:
        in_order(entry.decisions)
        entry.state = entry_state(entry, model.today)
    for meeting in meetings:
        in_order(meeting.call_ins)


def _executive_meeting(meeting: m.Meeting) -> bool:
    return bool(meeting.maker_id) or (meeting.body is not None and meeting.body.kind == "executive")


def _has_executive_fields(decision: m.Decision) -> bool:
    return bool(decision.plan_id or decision.key or decision.published or decision.urgency or decision.call_in)


def _index(called: CalledIn, decision: m.Decision) -> None:
    if decision.call_in is not None and decision.call_in.considered_at_id:
        called.setdefault(decision.call_in.considered_at_id, []).append(decision)


def _decision(model: m.Model, decision: m.Decision, problems: Problems, failed: set[str] | frozenset[str]) -> None:
    decision.executive = is_executive(decision)
    decision.plan = None
    decision.call_in_until = decision.implement_from = None
    where = decision.line
    if decision.is_recommendation and (decision.plan_id or decision.key):
        problems.warn(
            where("plan" if decision.plan_id else "key"),
            "a recommendation is not itself the decision: give key and plan to the decision that settles it "
            "(the one whose decides names it); its forward plan entry is not decided by this one",
        )
    if decision.plan_id and not decision.is_recommendation:
        entry = model.plan.get(decision.plan_id)
        if entry is None:
            problems.error(
                where("plan"),
                f'plan "{decision.plan_id}": there is no such entry in forward-plan.yaml'
                f"{did_you_mean(decision.plan_id, model.plan)}",
            )
        else:
            decision.plan = entry
            entry.decisions.append(decision)
            if entry.withdrawn is not None and entry.withdrawn <= decision.date:
                problems.warn(
                    where("plan"),
                    f'its forward plan entry "{entry.id}" was withdrawn on {entry.withdrawn.isoformat()}, before '
                    "this decision: remove the withdrawal from forward-plan.yaml, or name another entry",
                )
            if entry.first_published is not None and not decision.urgency and decision.key:
                notice = clear_days(entry.first_published, decision.date)
                if decision.date < entry.first_published:
                    problems.warn(
                        where("plan"),
                        f"this key decision was taken on {decision.date.isoformat()}, before its forward plan "
                        f'entry "{entry.id}" was first published ({entry.first_published.isoformat()}): correct '
                        "the dates, or give the reason in urgency",
                    )
                elif notice < NOTICE_CLEAR_DAYS:
                    problems.warn(
                        where("plan"),
                        f"this key decision was taken {max(notice, 0)} clear days after its forward plan entry "
                        f'"{entry.id}" was first published ({entry.first_published.isoformat()}); the notice is '
                        f"{NOTICE_CLEAR_DAYS} clear days: give the reason in urgency, or correct the dates",
                    )
    elif decision.key and not decision.urgency:
        problems.warn(
            where("key"),
            'a key decision should name its forward plan entry ("plan: ID" from forward-plan.yaml), '
            'or give the reason for the urgency ("urgency")',
        )
    if decision.executive and decision.published is not None and not decision.urgency:
        decision.call_in_until = call_in_until(decision.published, model.site)
        decision.implement_from = working_days_after(decision.call_in_until, 1, model.site.region)
    decision.call_in_state = call_in_state(decision, model.today)
    decision.executive_facts = bool(
        decision.key or decision.plan or decision.published or decision.urgency or decision.call_in_state
    )
    if decision.published is not None and decision.published < decision.date:
        problems.error(
            where("published"),
            f"published {decision.published.isoformat()} is before the decision was taken "
            f"({decision.date.isoformat()})",
        )
    elif decision.published is not None and decision.published > model.today:
        problems.warn(
            where("published"),
            f"published {decision.published.isoformat()}, a day still to come (the build's day is "
            f"{model.today.isoformat()}): the page says it was published; check the date",
        )
    call_in = decision.call_in
    if call_in is None:
        return
    if not decision.executive:
        problems.warn(
            call_in.loc,
            "call_in is for executive decisions (of a body of kind executive, or a decision file); "
            "this decision is not one",
        )
    if call_in.considered_at_id:
        meeting = model.meetings.get(call_in.considered_at_id)
        if meeting is None or meeting.maker_id:
            if call_in.considered_at_id not in failed:
                held = [k for k, x in model.meetings.items() if not x.maker_id]
                problems.error(
                    Location(call_in.loc.path, call_in.lines.get("considered_at", call_in.loc.line)),
                    f'considered_at "{call_in.considered_at_id}": there is no such meeting'
                    f"{did_you_mean(call_in.considered_at_id, held)}",
                )
        else:
            call_in.considered_at = meeting
            if not decision.item.exempt:  # (an exempt decision is listed nowhere)
                meeting.call_ins.append(decision)
    until = decision.call_in_until
    if call_in.called_in is not None and until is not None and call_in.called_in > until:
        problems.warn(
            Location(call_in.loc.path, call_in.lines.get("called_in", call_in.loc.line)),
            f"called in on {call_in.called_in.isoformat()}, after the call-in period ended ({until.isoformat()}, "
            f"{model.site.call_in_days} working days after the decision was published): check the dates",
        )
    elif call_in.called_in is not None and call_in.called_in > model.today:
        problems.warn(
            Location(call_in.loc.path, call_in.lines.get("called_in", call_in.loc.line)),
            f"called in on {call_in.called_in.isoformat()}, a day still to come (the build's day is "
            f"{model.today.isoformat()}): check the date",
        )
