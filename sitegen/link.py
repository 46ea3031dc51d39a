"""The index: resolve every reference, then compute what nobody types twice:
outcomes and statuses of recommendations, backlinks, issues and people's records."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import model as m
from . import record
from .errors import Location, Problem, Problems, did_you_mean
from .executive import CalledIn, link_executive, link_executive_after
from .markdown import Markdown, suspect


class Linker:
    def __init__(
        self,
        site: m.Site,
        bodies: dict[str, m.Body],
        people: dict[str, m.Person],
        has_people_file: bool,
        issue_info: dict[str, m.IssueInfo],
        meetings: list[m.Meeting],
        problems: Problems,
        today: dt.date,
        failed: set[str] | frozenset[str] = frozenset(),
        plan: dict[str, m.PlanEntry] | None = None,
    ) -> None:
        self.problems = problems
        self.has_people = has_people_file
        self.today = today
        by_id: dict[str, m.Meeting] = {}
        twice: set[str] = set()
        # (a meeting file first: a decision file given a meeting's name is the one said to clash)
        for meeting in sorted(meetings, key=lambda x: (bool(x.maker_id), x.source)):
            if meeting.id in by_id:
                problems.error(
                    meeting.loc,
                    f'duplicate id "{meeting.id}" (first at {by_id[meeting.id].source}); the ids of meetings and '
                    "decisions are their file names, unique across meetings/ and decisions/: rename one of them",
                )
                twice.add(meeting.id)
                continue
            by_id[meeting.id] = meeting
        # meetings whose files have errors of their own (or share an id): what names them is not reported too
        self.failed = failed | twice if twice else failed
        ordered = dict(sorted(by_id.items(), key=lambda kv: kv[1].sort_key))
        self.model = m.Model(
            site, bodies, dict(people), issue_info, ordered, has_people_file, plan=plan or {}, today=today
        )
        self.anonymous: dict[str, m.Person] = {}
        self.at_index: dict[str, list[m.Decision]] = {}  # meeting id -> the decisions whose at: names it
        self.called: CalledIn = {}  # meeting id -> the decisions called in to it (see executive.py)
        self.person_aliases: dict[str, m.Person] | None = None
        self.automatic: dict[str, m.Item] = {}  # automatic issue ids, by the first item of their matter
        self.tags: set[str] | None = None  # the issue ids typed on items (see _tags)
        self.contradicted = False  # whether the last link warned of contradictions (see contradictions)
        #: the meetings (by id) of the call-ins the last link warned of, and of the meetings named
        #: to consider them (see call_ins_out_of_order): an edit of one of them links everything again
        self.out_of_order: set[str] = set()

    # --- references --------------------------------------------------------

    def person(self, pid: str, loc: Location) -> m.Person | None:
        if not pid:
            return None
        people = self.model.people
        if pid in people:
            return people[pid]
        if self.person_aliases is None:
            self.person_aliases = {alias: p for p in people.values() for alias in p.aliases}
        if pid in self.person_aliases:  # an old id, kept in records typed before a change of name
            return self.person_aliases[pid]
        if self.has_people:
            self.problems.error(loc, f'unknown person "{pid}"{did_you_mean(pid, people)}; add them to people.yaml')
            return None
        person = self.anonymous.get(pid)
        if person is None:
            person = self.anonymous[pid] = m.Person(id=pid, name=pid, known=False)
        return person

    def people(self, refs: Iterable[tuple[str, Location]]) -> list[m.Person]:
        out = []
        for pid, loc in refs:
            person = self.person(pid, loc)
            if person is not None:
                out.append(person)
        return out

    def attendance(self, meeting: m.Meeting) -> None:
        """MEETING's present, apologies and in_attendance, as people; a person listed twice,
        or in two of them, is warned of at the second, which is left out (each person is
        counted once, as the first list has them)."""
        listed: dict[str, str] = {}  # a person's id: the list that has them
        for key in ("present", "apologies", "in_attendance"):
            out = []
            for pid, loc in meeting.refs[key]:
                person = self.person(pid, loc)
                if person is None:
                    continue
                first = listed.get(person.id)
                if first is not None:
                    named = f'"{pid}"' if pid == person.id else f'"{pid}" (an old id of "{person.id}")'
                    again = f"listed twice in {key}" if first == key else f"in {first} and also in {key}"
                    self.problems.warn(loc, f"{named} is {again}; remove one (counted as {first})")
                    continue
                listed[person.id] = key
                out.append(person)
            setattr(meeting, key, out)

    def body(self, bid: str, loc: Location) -> m.Body | None:
        bodies = self.model.bodies
        if bid in bodies:
            return bodies[bid]
        for body in bodies.values():
            if bid in body.aliases:  # an old id
                return body
        self.problems.error(loc, f'unknown body "{bid}"{did_you_mean(bid, bodies)}; bodies are listed in bodies.yaml')
        return None

    def maker(self, ref: str, loc: Location) -> m.Person | m.Body | None:
        """A decision maker: a person's id, or a body's."""
        if ref in self.model.bodies or any(ref in b.aliases for b in self.model.bodies.values()):
            return self.body(ref, loc)
        if (
            self.has_people
            and ref not in self.model.people
            and not any(ref in p.aliases for p in self.model.people.values())
        ):
            known = [*self.model.people, *self.model.bodies]
            self.problems.error(
                loc, f'unknown decision maker "{ref}"{did_you_mean(ref, known)}; give a person id or a body id'
            )
            return None
        return self.person(ref, loc)

    def index(self) -> None:
        self.refs: dict[str, m.Meeting | m.Item | m.Decision] = {}
        for meeting in self.model.meetings.values():
            for key, target in _names(meeting):
                self.refs.setdefault(key, target)

    def resolve(self, ref: str, loc: Location, key: str) -> m.Meeting | m.Item | m.Decision | None:
        target = self.refs.get(ref.strip().strip("/"))
        if target is None and ref.strip().strip("/").split("/")[0] in self.failed:
            return None  # the meeting's own file is in error: that error is the one to fix
        if target is None:
            parts = ref.strip("/").split("/")
            known = [k for k in self.refs if k.count("/") == len(parts) - 1]
            self.problems.error(loc, f'{key} "{ref}": there is no such {_what(len(parts))}{did_you_mean(ref, known)}')
        return target

    # --- the passes ----------------------------------------------------------

    def run(self) -> m.Model:
        model = self.model
        for body in model.bodies.values():
            if body.reports_to_id:
                body.reports_to = self.body(body.reports_to_id, body.reports_to_loc)
                if body.reports_to is not None:
                    body.reports_to.reporting_bodies.append(body)
            body.members = self.people(body.members_ids)
        self.index()
        for meeting in model.meetings.values():
            self.meeting(meeting)
        for meeting in model.meetings.values():
            for item in meeting.items:
                for decision in item.decisions:
                    self.decides(decision)
                    self.supersede(decision)
                for ref, loc in item.considers_refs:
                    self.considers(item, ref, loc)
        decisions = model.all_decisions()
        self.circles(decisions)
        recommendations = [d for d in decisions if d.is_recommendation]
        for decision in recommendations:
            decision.steps.sort(key=_step_key)
            decision.status = recommendation_status(decision)
        self.out_of_order = set()
        self.contradicted = bool(contradictions(recommendations, self.problems, self.out_of_order))
        self.issues()
        self.called = link_executive(model, self.problems, self.maker, self.failed)
        calls = [d for ds in self.called.values() for d in ds]
        call_ins_out_of_order(calls, self.problems, self.out_of_order)
        self.records()
        return model

    def meeting(self, meeting: m.Meeting) -> None:
        refs = meeting.refs
        if meeting.maker_id:  # a decision made by one person
            meeting.maker = self.maker(meeting.maker_id, refs["maker"])
            if meeting.date > self.today:
                self.problems.warn(
                    meeting.loc,
                    f"the decision is dated {meeting.date.isoformat()}, a day still to come (the build's day is "
                    f"{self.today.isoformat()}); record it once it is taken",
                )
            for item in meeting.items:
                self.item(item)
            return
        meeting.body = self.body(meeting.body_id, refs["body"]) if meeting.body_id else None
        if meeting.body is not None:
            meeting.body.meetings.append(meeting)
        meeting.chair = self.person(meeting.chair_id, refs["chair"])
        self.attendance(meeting)
        named = _named_body(meeting.id, self.model.bodies)
        if named is not None and meeting.body is not None and named is not meeting.body:
            self.problems.warn(
                refs["body"],
                f'the file name says {named.name} ("{named.id}") but the body is {meeting.body.name}; '
                "rename the file (keep the old name in aliases:) or correct the body",
            )
        if meeting.end is not None and meeting.start is None and meeting.id not in self.failed:  # (a start in error)
            self.problems.warn(
                refs.get("end", meeting.loc),
                "end is given without start; add start (calendars show the meeting as lasting all day meanwhile)",
            )
        if meeting.status == "scheduled" and meeting.date < self.today:
            self.problems.warn(
                meeting.loc, f"the meeting is scheduled but dated {meeting.date.isoformat()}, in the past; was it held?"
            )
        if meeting.status == "held" and meeting.date > self.today and meeting.id not in self.failed:
            self.problems.warn(
                meeting.loc, f"the meeting is marked held but dated {meeting.date.isoformat()}, in the future"
            )
        if ends_before_start(meeting, self.model.site.timezone):
            self.problems.error(
                refs.get("end", meeting.loc),
                f"end {meeting.end:%H:%M} is before start {meeting.start:%H:%M}; correct one of them "
                "(a meeting that runs past midnight ends at 23:59)",
            )
        for key, moment in (("start", meeting.start), ("end", meeting.end)):
            if moment is not None and skipped(meeting.date, moment, self.model.site.timezone):
                self.problems.warn(
                    refs.get(key, meeting.loc),
                    f"{key} {moment:%H:%M} on {meeting.date.isoformat()} does not exist in "
                    f"{self.model.site.timezone}: the clocks go forward an hour that night; check the time",
                )
        if (
            meeting.date > self.today
            and has_record(meeting)
            and meeting.status not in ("held", "cancelled", "postponed")
        ):
            self.problems.warn(
                meeting.loc,
                f"the meeting is dated {meeting.date.isoformat()}, a day still to come, but has minutes or "
                "decisions, which the site shows as done; record them once the meeting is held",
            )
        if meeting.status in ("cancelled", "postponed") and has_record(meeting):
            self.problems.warn(
                meeting.loc,
                f"the meeting is marked {meeting.status} but has minutes or decisions; "
                f"was it held? (set status: held, or remove them)",
            )
        elif meeting.status in ("cancelled", "postponed") and (meeting.present or meeting.apologies):
            self.problems.warn(
                meeting.loc,
                f"the meeting is marked {meeting.status} but lists who was present or sent apologies; "
                "was it held? (set status: held, or remove them: no one's attendance counts it meanwhile)",
            )
        elif meeting.present and meeting.date > self.today and meeting.status != "held":  # (held: warned above)
            self.problems.warn(
                refs["present"][0][1] if refs["present"] else meeting.loc,
                f"the meeting is dated {meeting.date.isoformat()}, a day still to come, but lists who was "
                "present; record it once the meeting is held (no one's attendance counts it meanwhile)",
            )
        if meeting.chair is not None and meeting.present and meeting.chair not in meeting.present:
            self.problems.warn(
                refs["chair"],
                f'the chair "{meeting.chair_id}" is not listed in present; add them there, as the chair was present',
            )
        for item in meeting.items:
            self.item(item)

    def item(self, item: m.Item) -> None:
        for interest in item.interests:
            interest.person = self.person(interest.person_id, interest.loc)
        targets: dict[str, m.Decision | m.Amendment] = {}
        for amendment in item.amendments:
            amendment.item = item
            if amendment.moved_by_ref:
                amendment.moved_by = self.person(*amendment.moved_by_ref)
            if amendment.seconded_by_ref:
                amendment.seconded_by = self.person(*amendment.seconded_by_ref)
            if amendment.id:
                targets[amendment.id] = amendment
        for decision in item.decisions:
            targets.setdefault(decision.id, decision)
            if decision.to_id:
                decision.to = self.body(decision.to_id, decision.line("to"))
                if decision.to is not None and item.meeting is not None and decision.to is item.meeting.body:
                    self.problems.warn(
                        decision.line("to"),
                        f'"to: {decision.to_id}": the recommendation is to {decision.to.name}, the body that makes it; '
                        "name the body it is to, or make it a resolution",
                    )
            if decision.at_id:
                self.at_index.setdefault(decision.at_id, []).append(decision)
                at = self.model.meetings.get(decision.at_id)
                if at is None and decision.at_id not in self.failed:
                    self.problems.error(
                        decision.line("at"),
                        f'at "{decision.at_id}": there is no such meeting{did_you_mean(decision.at_id, self.model.meetings)}',
                    )
                decision.at = at
        for decision in item.decisions:
            if decision.call_in is not None:
                decision.call_in.by = self.people(decision.call_in.by_refs)
        for vote in item.votes:
            vote.item = item
            if vote.on:
                vote.target = targets.get(vote.on)
                if vote.target is None:
                    self.problems.error(
                        vote.loc,
                        f'vote on "{vote.on}": this item has no decision or amendment with that id'
                        f"{did_you_mean(vote.on, targets)}",
                    )
            self.vote(vote, item.meeting)
        ons = [vote.on for vote in item.votes]
        for vote in item.votes:
            if ons.count(vote.on) > 1 and vote is not next(v for v in item.votes if v.on == vote.on):
                on = f'on "{vote.on}"' if vote.on else "on the item"
                self.problems.warn(vote.loc, f"a second vote {on}; check which is right, or remove one")
        if item.exempt and (item.minutes or item.decisions or item.interests or item.votes):
            what = "decision is" if item.meeting is not None and item.meeting.maker_id else "item is"
            self.problems.warn(item.loc, f"the {what} exempt: only its title and reason are published")

    def vote(self, vote: m.Vote, meeting: m.Meeting | None) -> None:
        """VOTE's people, each counted once (a name given again is warned of, and left out); a
        voter missing from the meeting's present list, and more votes counted than people
        present, are warned of."""
        counted: dict[str, str] = {}  # a person's id: how they voted
        present = set(map(id, meeting.present)) if meeting is not None else set()
        apologies = set(map(id, meeting.apologies)) if meeting is not None else set()
        for key, refs in vote.people_refs.items():
            people = []
            for pid, line in refs:
                loc = Location(vote.loc.path, line)
                person = self.person(pid, loc)
                if person is None:
                    continue
                how = counted.get(person.id)
                if how is not None:
                    again = f"twice as {key}" if how == key else f"as {how} and also as {key}"
                    self.problems.warn(loc, f'"{pid}" is listed {again} in this vote; remove one (counted as {how})')
                    continue
                counted[person.id] = key
                people.append(person)
                if present and id(person) not in present:
                    why = "sent apologies" if id(person) in apologies else "is not listed in present"
                    self.problems.warn(loc, f'"{pid}" voted but {why}; check the vote or the attendance')
            setattr(vote, f"{key}_people", people)
            setattr(vote, f"{key}_count", len(people))
        votes = sum(getattr(vote, f"{key}_count") or 0 for key in ("for", "against", "abstained"))
        casting = 1 if meeting is not None and meeting.chair is not None and id(meeting.chair) in present else 0
        if present and votes > len(present) + casting:  # (the chair's casting vote may be counted too)
            self.problems.warn(
                vote.loc,
                f"the vote counts {votes} votes but {len(present)} people are listed present; check the numbers",
            )

    def decides(self, decision: m.Decision) -> None:
        settled: dict[int, m.Decides] = {}
        for step in decision.decides:
            step.decision = decision
            self.step(step)
            target = step.target
            if target is None:
                continue
            first = settled.get(id(target))
            if first is not None:
                self.problems.error(
                    step.loc,
                    f'decides "{step.ref}": this decision already names that recommendation (line {first.loc.line}); '
                    "give each recommendation one outcome",
                )
                target.steps.remove(step)
                step.target = None
                continue
            settled[id(target)] = step

    def supersede(self, decision: m.Decision) -> None:
        """Link a recommendation to the one, referred back, that it re-makes."""
        if not decision.supersedes_ref:
            return
        ref, loc = decision.supersedes_ref, decision.line("supersedes")
        target = self.resolve(ref, loc, "supersedes")
        if target is None:
            return
        if not isinstance(target, m.Decision) or not target.is_recommendation:
            self.problems.error(
                loc,
                f'supersedes "{ref}" names {_name_of(target)}; supersedes names the recommendation this one '
                "re-makes: MEETING/ITEM/DECISION",
            )
            return
        if target is decision:
            self.problems.error(loc, f'supersedes "{ref}": a recommendation cannot supersede itself')
            return
        if target.date > decision.date:
            self.problems.error(
                loc,
                f'supersedes "{ref}": that recommendation was made later ({target.date.isoformat()}) '
                f"than this one ({decision.date.isoformat()})",
            )
            return
        decision.supersedes = target
        target.superseded_by.append(decision)

    def circles(self, decisions: Iterable[m.Decision]) -> None:
        """A decision that, through decides and supersedes, comes back to itself is an error."""
        state: dict[int, int] = {}  # 1: on the path being followed, 2: done
        for start in decisions:
            if id(start) in state:
                continue
            state[id(start)] = 1
            stack: list[tuple[m.Decision, Iterator[tuple[m.Decision, Location, str]]]] = [(start, _edges(start))]
            while stack:
                node, edges = stack[-1]
                for target, loc, key in edges:
                    seen = state.get(id(target))
                    if seen == 1:  # back to a decision on the path: a circle
                        path = [d for d, _ in stack]
                        circle = [d.ref for d in path[path.index(target) :]] + [target.ref]
                        self.problems.error(
                            loc,
                            f"{key}: these decisions settle each other in a circle ({' -> '.join(circle)}); "
                            "a recommendation cannot be settled by what it settles",
                        )
                    elif seen is None:
                        state[id(target)] = 1
                        stack.append((target, _edges(target)))
                        break
                else:
                    state[id(node)] = 2
                    stack.pop()

    def step(self, step: m.Decides) -> None:
        """Resolve one step of a decision (what it decided about a recommendation)."""
        decision = step.decision
        assert decision is not None
        target = self.resolve(step.ref, step.loc, "decides")
        if target is None:
            return
        if not isinstance(target, m.Decision):
            self.problems.error(
                step.loc,
                f'decides "{step.ref}" names {"an item" if isinstance(target, m.Item) else "a meeting"}; '
                "decides names a decision: MEETING/ITEM/DECISION",
            )
            return
        if not target.is_recommendation:
            self.problems.error(
                step.loc,
                f'decides "{step.ref}": that decision is a resolution, not a recommendation; '
                'give it "type: recommendation" and "to:", or name it under "considers:" instead',
            )
            return
        if target is decision:
            self.problems.error(step.loc, f'decides "{step.ref}": a decision cannot decide itself')
            return
        if decision.date < target.date:
            self.problems.error(
                step.loc,
                f'decides "{step.ref}": this meeting ({decision.date.isoformat()}) is before the '
                f"recommendation was made ({target.date.isoformat()})",
            )
            return
        deciding_body = decision.meeting.body
        if target.to is not None and deciding_body is not None and deciding_body is not target.to:
            self.problems.warn(
                step.loc,
                f'decides "{step.ref}": the recommendation was made to {target.to.name}, '
                f"but {deciding_body.name} decides it",
            )
        step.target = target
        target.steps.append(step)

    def considers(self, item: m.Item, ref: str, loc: Location) -> None:
        target = self.resolve(ref, loc, "considers")
        if target is None:
            return
        if isinstance(target, m.Meeting):
            self.problems.error(loc, f'considers "{ref}" names a meeting; name an item or a decision')
            return
        if target is item or (isinstance(target, m.Decision) and target.item is item):
            self.problems.error(loc, f'considers "{ref}": an item cannot consider itself')
            return
        item.considers.append(target)
        target.considered_by.append(item)

    def issues(self) -> None:
        model = self.model
        items = model.all_items()
        joined = self._components(items)
        issues: dict[str, m.Issue] = {}
        for item in items:  # items are in date order, so each issue's list is too
            for iid in _ids(item, joined):
                issue = issues.get(iid)
                if issue is None:
                    issue = issues[iid] = self._issue(iid, item)
                issue.items.append(item)
                item.issues.append(issue)
        for problem in _empty_issues(model.issue_info, issues):
            self.problems.items.append(problem)
        model.issues = dict(sorted(issues.items()))

    def _issue(self, iid: str, first: m.Item) -> m.Issue:
        """A new issue, its items to come; FIRST is its earliest."""
        info = self.model.issue_info.get(iid)
        return m.Issue(
            id=iid,
            title=(info.title if info and info.title else first.title),
            summary=info.summary if info else "",
            explicit=bool(first.issue_id) or info is not None,
            aliases=list(info.aliases) if info else [],
        )

    def _issues_after(self, removed: list[m.Meeting], added: list[m.Meeting], old: m.Model) -> None:
        """issues(), after REMOVED gave way to ADDED: only the issues their items were or
        are in, or that items near them in the links were or are in, are made again."""
        model = self.model

        def live(item: m.Item) -> bool:
            return item.meeting is not None and model.meetings.get(item.meeting.id) is item.meeting

        redo: set[str] = set()  # ids of old issues to make again
        pending = {issue.id for x in removed for item in x.items for issue in item.issues}
        pending |= {item.issue_id for x in added for item in x.items if item.issue_id in old.issues}
        touched: dict[int, m.Item] = {}
        queue = [item for x in added for item in x.items]
        while pending or queue:
            for iid in pending - redo:
                redo.add(iid)
                queue += [item for item in old.issues[iid].items if live(item)]  # all of it again
            pending = set()
            while queue:  # every item whose issues may change: the closure over links
                item = queue.pop()
                if id(item) in touched:
                    continue
                touched[id(item)] = item
                pending.update(issue.id for issue in item.issues)  # the issues it was in
                queue += [other for other in _neighbours(item) if not (item.issue_id and other.issue_id)]
        joined = self._components(touched.values())
        members: dict[str, list[m.Item]] = {}
        for item in touched.values():
            for iid in _ids(item, joined):
                members.setdefault(iid, []).append(item)
        if (members.keys() & old.issues.keys()) - redo:
            raise NeedsFullLink("an issue gains items in a way not foreseen")
        issues = {iid: issue for iid, issue in old.issues.items() if iid not in redo}
        for iid, items in members.items():
            items.sort(key=_place)
            issue = issues[iid] = self._issue(iid, items[0])
            issue.items = items
        for item in touched.values():
            item.issues = [issues[iid] for iid in _ids(item, joined)]
        for problem in _empty_issues(model.issue_info, issues):
            self.problems.items.append(problem)
        model.issues = dict(sorted(issues.items()))

    def _components(self, items: Iterable[m.Item]) -> dict[int, list[str]]:
        """For each untagged item of ITEMS that links to others: the issues it joins, by id(item):
        the tags of the tagged items its part of the links reaches, else one named after its first item."""
        joined: dict[int, list[str]] = {}
        for item in items:
            if item.issue_id or id(item) in joined:
                continue
            component, tagged, queue, seen = [], set(), [item], {id(item)}
            while queue:
                one = queue.pop()
                component.append(one)
                for other in _neighbours(one):
                    if other.issue_id:
                        tagged.add(other.issue_id)
                    elif id(other) not in seen:
                        seen.add(id(other))
                        queue.append(other)
            if len(component) == 1 and not tagged:
                continue  # it links to nothing
            if not tagged:
                first = min(component, key=_place)
                auto = first.ref.replace("/", "-")  # MEETING-ITEM, or a decision file's id
                made = self.automatic.get(auto)
                if made is not None and made is not first and _live(made, self.model):
                    self.problems.error(
                        first.loc,
                        f'the items "{made.ref}" and "{first.ref}" lead two different matters to the same automatic '
                        f'issue id "{auto}"; give one of them "issue:" with an id of its own',
                    )
                elif auto in self.model.issue_info or auto in self._tags():
                    self.problems.error(
                        first.loc,
                        f'the automatic issue id "{auto}" of the matter that starts at "{first.ref}" is the id of '
                        'another issue; give this item "issue:" with an id of its own',
                    )
                self.automatic[auto] = first
                tagged = {auto}
            for one in component:
                joined[id(one)] = sorted(tagged)
        return joined

    def _tags(self) -> set[str]:
        """The issue ids that items carry (made once per link)."""
        if self.tags is None:
            self.tags = {item.issue_id for item in self.model.all_items() if item.issue_id}
        return self.tags

    def records(self) -> None:
        records: dict[str, m.PersonRecord] = {pid: m.PersonRecord() for pid in self.model.people}
        for meeting in self.model.meetings.values():
            _record(meeting, records, self.today)
        self.model.records = records

    def _records_after(self, removed: list[m.Meeting], added: list[m.Meeting], old: m.Model) -> None:
        """records(), after REMOVED gave way to ADDED: only the records of the people they name are made again."""
        records = dict(old.records)
        named = {pid: m.PersonRecord() for pid in records}
        for x in [*removed, *added]:
            _record(x, named, self.today)
        gone = {id(x) for x in removed}
        redo = [pid for pid, r in named.items() if any(getattr(r, key) for key in RECORD_LISTS)]
        for pid in redo:
            before = old.records[pid]
            records[pid] = m.PersonRecord(
                **{key: [e for e in getattr(before, key) if id(of(e)) not in gone] for key, of in RECORD_LISTS.items()}
            )
        for x in added:
            _record(x, records, self.today)
        for pid in redo:
            for key, of in RECORD_LISTS.items():
                getattr(records[pid], key).sort(key=lambda e, of=of: of(e).sort_key)
        self.model.records = records

    # --- after a change ------------------------------------------------------

    def update(
        self,
        removed: list[m.Meeting],
        added: list[m.Meeting],
        problems: list[Problem],
        file_problems: list[Problem],
        markdown: Markdown,
    ) -> tuple[m.Model, list[Problem]]:
        """Link again after meeting files changed, reaching only what the change can reach.

        REMOVED are the linked meetings of the files that changed or went, ADDED the
        meetings read from the files that changed or came; PROBLEMS are the last link's,
        FILE_PROBLEMS the new files' own warnings. Returns a new model, linked as a full
        link of the same content would be, and its problems. The old model keeps its
        meetings and issues, though objects both share get the new links. Raises
        NeedsFullLink when the change is beyond this (see there)."""
        old = self.model
        self.tags = None
        gone = {x.id for x in removed}
        new_ids = {x.id for x in added}
        touched = gone | new_ids
        if self.failed or len(new_ids) != len(added):
            raise NeedsFullLink("the last link had errors, or two new files share an id")
        if self.out_of_order & ({x.id for x in removed} | {x.id for x in added}):
            raise NeedsFullLink("a call-in warned of as out of order, or the meeting named to consider it, changed")
        if self.contradicted:
            raise NeedsFullLink("the last link reported contradictions: only a full link can say which remain")
        for x in [*removed, *added]:
            for item in x.items:
                for decision in item.decisions:
                    if decision.supersedes_ref or decision.superseded_by:
                        raise NeedsFullLink("a recommendation supersedes or is superseded")
        for x in removed:
            if old.meetings.get(x.id) is not x or any(self.refs.get(k) is not t for k, t in _names(x)):
                raise NeedsFullLink(f"{x.id} is not the linked meeting, or shares a name")
        for x in added:
            if (x.id in old.meetings and x.id not in gone) or (x.id.isdigit() and len(x.id) == 4):
                raise NeedsFullLink(f"{x.id} clashes")
        old_names = {key for x in removed for key, _ in _names(x)}
        names = [key for x in added for key, _ in _names(x)]
        new_names = set(names)
        if len(names) != len(new_names) or old_names - new_names:
            raise NeedsFullLink("a name is given twice, or one that others may use went")
        if any(key in self.refs for key in new_names - old_names):
            raise NeedsFullLink("a new name is taken")
        if exempted(removed, added):
            raise NeedsFullLink("a decision others may link to is of an exempt item now")

        def outside(meeting: m.Meeting | None) -> bool:
            return meeting is not None and meeting.id not in touched

        # links into the old meetings from the others, to resolve again
        steps_in: list[m.Decides] = []
        items_in: dict[int, m.Item] = {}
        at_in: list[m.Decision] = []
        for x in removed:
            for item in x.items:
                considered_by = list(item.considered_by)
                for decision in item.decisions:
                    considered_by += decision.considered_by
                    steps_in += [s for s in decision.steps if outside(s.decision.meeting)]  # type: ignore[union-attr]
                items_in.update((id(i), i) for i in considered_by if outside(i.meeting))
            at_in += [d for d in self.at_index.get(x.id, []) if outside(d.meeting)]

        # take the old meetings' own links out of the others
        resort_steps: dict[int, m.Decision] = {}
        resort_considered: dict[int, m.Item | m.Decision] = {}

        def unconsider(item: m.Item) -> None:
            for target in item.considers:
                if outside(_home(target)):
                    target.considered_by[:] = [i for i in target.considered_by if i is not item]
                    resort_considered[id(target)] = target

        for x in removed:
            if x.body is not None:
                x.body.meetings.remove(x)
            for item in x.items:
                unconsider(item)
                for decision in item.decisions:
                    if decision.at_id:
                        self.at_index[decision.at_id].remove(decision)
                    for step in decision.decides:
                        if step.target is not None and outside(step.target.meeting):
                            step.target.steps.remove(step)
                            resort_steps[id(step.target)] = step.target
            for key, _ in _names(x):
                del self.refs[key]

        meetings = dict(old.meetings)
        reorder = False
        for x in removed:
            if x.id not in new_ids:
                del meetings[x.id]
        for x in added:
            before = old.meetings.get(x.id)
            reorder = reorder or before is None or before.sort_key != x.sort_key
            meetings[x.id] = x
        if reorder:
            meetings = dict(sorted(meetings.items(), key=lambda kv: kv[1].sort_key))
        model = self.model = m.Model(
            old.site, old.bodies, old.people, old.issue_info, meetings, old.has_people_file, old.plan, today=old.today
        )
        found = self.problems = Problems()

        # link the new meetings, then what pointed at the old ones
        for x in added:
            for key, target in _names(x):
                self.refs.setdefault(key, target)
        for x in added:
            self.meeting(x)
            if x.body is not None:
                x.body.meetings.sort(key=lambda y: y.sort_key)
        for x in added:
            for item in x.items:
                for decision in item.decisions:
                    self.decides(decision)
                for ref, loc in item.considers_refs:
                    self.considers(item, ref, loc)
        self.circles([d for x in added for item in x.items for d in item.decisions])
        for step in steps_in:
            self.step(step)
        for item in items_in.values():
            unconsider(item)
            item.considers = []
            for ref, loc in item.considers_refs:
                self.considers(item, ref, loc)
        for decision in at_in:
            decision.at = meetings.get(decision.at_id)
            if decision.at is None:  # (its meeting went; an alias is not an id: a full link reports it)
                raise NeedsFullLink(f'the meeting "{decision.at_id}" that at: names went')
        for x in added:
            for item in x.items:
                for decision in item.decisions:
                    resort_steps.update((id(s.target), s.target) for s in decision.decides if s.target is not None)
                resort_considered.update((id(t), t) for t in item.considers)
        resort_steps.update((id(s.target), s.target) for s in steps_in if s.target is not None)
        for item in items_in.values():
            resort_considered.update((id(t), t) for t in item.considers)
        for rec in resort_steps.values():
            rec.steps.sort(key=_step_key)
        for target in resort_considered.values():
            target.considered_by.sort(key=_place)
        with record.unrecorded():  # (it only reports: an edit linked in as it is checks it again, see incremental)
            self.check_prose(markdown, added)
        link_executive_after(model, removed, added, self.called, found, self.failed)
        calls = [d for x in added for item in x.items for d in item.decisions if d.call_in is not None]
        calls += [d for mid in touched for d in self.called.get(mid, [])]
        if call_ins_out_of_order(calls, Problems()):
            raise NeedsFullLink("a call-in considered at a meeting held before it")
        if found.errors:
            raise NeedsFullLink("errors")

        # what is worked out from the links, where they changed
        recs: dict[int, m.Decision] = dict(resort_steps)
        for target in resort_considered.values():
            recs.update((id(d), d) for d in (target.decisions if isinstance(target, m.Item) else [target]))
        for x in added:
            recs.update((id(d), d) for item in x.items for d in item.decisions)
            recs.update((id(d), d) for d in self.at_index.get(x.id, []))
        for decision in recs.values():
            if decision.is_recommendation:
                decision.status = recommendation_status(decision)
        reached: set[str] = set()  # (records out of order now: warned of by a full link)
        if contradictions([d for d in recs.values() if d.is_recommendation], Problems(), reached) or reached:
            raise NeedsFullLink("a recommendation is decided again after being settled")
        self._issues_after(removed, added, old)
        self._records_after(removed, added, old)

        stale_paths = {x.source for x in removed}
        stale_steps = {s.loc for s in steps_in}
        stale = set(_empty_issues(old.issue_info, old.issues))
        kept = [
            p
            for p in problems
            if p.location.path not in stale_paths
            and not (p.location in stale_steps and p.message.startswith('decides "'))
            and p not in stale
        ]
        return model, sorted({*kept, *found.items, *file_problems})

    def check_prose(self, markdown: Markdown, meetings: Iterable[m.Meeting] | None = None) -> None:
        """Report ref: links in prose that lead nowhere, and anything else in it that would not
        be published as typed (see Markdown.lint), at their lines (only in MEETINGS when
        given; else in every meeting, body and issue)."""
        model = self.model

        def check(text: str, loc: Location, block: bool) -> None:
            found = [(line, self._broken(ref)) for line, ref in markdown.check(text)] + markdown.lint(text)
            for line, message in found:
                if message:
                    where = Location(loc.path, loc.line + line)  # (a block scalar's line is its text's first)
                    self.problems.error(where, message)

        if meetings is None:
            for body in model.bodies.values():
                check(body.description, body.loc, False)
            for info in model.issue_info.values():
                check(info.summary, info.loc, False)
            for entry in model.plan.values():
                for key in ("summary", "consultation"):
                    check(getattr(entry, key), Location(entry.loc.path, entry.lines.get(key, entry.loc.line)), True)
        for meeting in model.meetings.values() if meetings is None else meetings:
            if meeting.linking_prose is None:
                meeting.linking_prose = linking_prose(meeting)
            for text, loc, block in meeting.linking_prose:
                check(text, loc, block)

    def _broken(self, ref: str) -> str:
        """The message for a ref: link that leads nowhere ('' when its meeting's file is in error)."""
        if ref.strip("/").split("/")[0] in self.failed:
            return ""
        target = self.refs.get(ref.strip().strip("/"))
        if isinstance(target, m.Decision) and target.item is not None and target.item.exempt:
            return (
                f'link to "ref:{ref}": that decision is of an exempt item, and is not published; '
                f"link to the item ({target.item.ref}) instead"
            )
        return f'link to "ref:{ref}": there is no such {_what(ref.count("/") + 1)}'


class NeedsFullLink(Exception):
    """Raised by Linker.update for a change that only linking the whole site can get
    right or report: an error, a meeting, item or decision that others may name gone,
    a name (an id or alias) given twice."""


def _names(meeting: m.Meeting) -> Iterator[tuple[str, m.Meeting | m.Item | m.Decision]]:
    """Every reference that names MEETING, its items and its decisions, with what it names."""
    mids = [meeting.id, *meeting.aliases]
    decision = meeting.decision
    if decision is not None:  # a decision file: its id names its one decision
        for mid in mids:
            yield mid, decision
        return
    for mid in mids:
        yield mid, meeting
    for item in meeting.items:
        names = [f"{mid}/{iid}" for iid in [item.id, *item.aliases] if "/" not in iid for mid in mids]
        names += [alias for alias in item.aliases if "/" in alias]  # moved from another meeting
        for name in names:
            yield name, item
            for decision in item.decisions:
                yield f"{name}/{decision.id}", decision


def exempted(removed: Iterable[m.Meeting], added: Iterable[m.Meeting]) -> bool:
    """Whether a name in ADDED leads to a decision of an exempt item that it did not lead
    to in REMOVED (an item made exempt, say): prose anywhere may link to it by that name,
    and only checking every text finds those links (see Linker._broken)."""

    def hidden(meetings: Iterable[m.Meeting]) -> set[str]:
        return {
            key
            for x in meetings
            for key, target in _names(x)
            if isinstance(target, m.Decision) and target.item is not None and target.item.exempt
        }

    return bool(hidden(added) - hidden(removed))


def _record(meeting: m.Meeting, records: dict[str, m.PersonRecord], today: dt.date) -> None:
    """Add what MEETING says of each known person to their entry in RECORDS (its attendance
    only if it took place by TODAY)."""

    def rec(person: m.Person | None) -> m.PersonRecord | None:
        return records.get(person.id) if person is not None and person.known else None

    # (a meeting cancelled, postponed or still to come: no one attended it, nor sent apologies)
    held = meeting.status not in m.NOT_HELD and meeting.date <= today
    if held and (r := rec(meeting.chair)) is not None:
        r.chaired.append(meeting)
    for key in ("present", "apologies", "in_attendance") if held else ():
        for person in getattr(meeting, key):
            if (r := rec(person)) is not None:
                getattr(r, key).append(meeting)
    if isinstance(meeting.maker, m.Person) and (r := rec(meeting.maker)) is not None:
        r.made.extend(d for item in meeting.items if not item.exempt for d in item.decisions)
    for item in meeting.items:
        if item.exempt:
            continue
        for decision in item.decisions:
            for person in decision.call_in.by if decision.call_in is not None else ():
                if (r := rec(person)) is not None:
                    r.called_in.append(decision)
        for interest in item.interests:
            if (r := rec(interest.person)) is not None:
                r.interests.append((item, interest))
        for amendment in item.amendments:
            if (r := rec(amendment.moved_by)) is not None:
                r.moved.append(amendment)
            if (r := rec(amendment.seconded_by)) is not None:
                r.seconded.append(amendment)
        for vote in item.votes:
            for how in ("for", "against", "abstained"):
                for person in getattr(vote, f"{how}_people"):
                    if (r := rec(person)) is not None:
                        r.votes.append((vote, how))


RECORD_LISTS: dict[str, Callable[[Any], m.Meeting]] = {  # each list of a record, and the meeting of an entry
    "chaired": lambda x: x,
    "present": lambda x: x,
    "apologies": lambda x: x,
    "in_attendance": lambda x: x,
    "interests": lambda x: x[0].meeting,
    "moved": lambda x: x.item.meeting,
    "seconded": lambda x: x.item.meeting,
    "votes": lambda x: x[0].item.meeting,
    "made": lambda x: x.item.meeting,
    "called_in": lambda x: x.item.meeting,
}


def _neighbours(item: m.Item) -> list[m.Item]:
    """The items ITEM links to or is linked from (considers, decides), as issues() joins them."""
    out: list[m.Item | None] = [t if isinstance(t, m.Item) else t.item for t in item.considers]
    out += item.considered_by
    for decision in item.decisions:
        out += [s.target.item for s in decision.decides if s.target is not None]
        out += decision.considered_by
        out += [s.decision.item for s in decision.steps if s.decision is not None]
    return [other for other in out if other is not None and other is not item]


def _ids(item: m.Item, joined: dict[int, list[str]]) -> list[str]:
    """The ids of the issues ITEM is in: its tag, or those its links join it to."""
    return [item.issue_id] if item.issue_id else joined.get(id(item), [])


def _live(item: m.Item, model: m.Model) -> bool:
    """Whether ITEM is still one of MODEL's (not of a meeting file since changed)."""
    return item.meeting is not None and model.meetings.get(item.meeting.id) is item.meeting


def _place(item: m.Item) -> tuple:
    return (*item.meeting.sort_key, item.order)  # type: ignore[union-attr]


def _home(target: m.Item | m.Decision) -> m.Meeting | None:
    return target.meeting if isinstance(target, m.Item) else target.item.meeting  # type: ignore[union-attr]


def linking_prose(meeting: m.Meeting) -> list[tuple[str, Location, bool]]:
    """The prose fields of MEETING that hold ref: links or anything else Markdown.lint may
    report (the others need no checking)."""
    out = [(meeting.notes, Location(meeting.source, meeting.refs.get("notes_line", 1)), False)]
    for item in meeting.items:
        out.append((item.minutes, Location(meeting.source, item.lines.get("minutes", 1)), True))
        for decision in item.decisions:
            out.append((decision.text, decision.line("text"), True))
            out += [(step.note, step.loc, False) for step in decision.decides]
            if decision.reasons or decision.alternatives or decision.urgency:  # (a decision file's, or executive)
                out += [(getattr(decision, k), decision.line(k), True) for k in ("reasons", "alternatives", "urgency")]
        out += [(amendment.text, amendment.loc, False) for amendment in item.amendments]
    return [entry for entry in out if entry[0] and ("ref:" in entry[0] or suspect(entry[0]))]


SUM = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?\s?(?:m|bn|k|million|billion)?\b", re.I)


def money_hints(model: m.Model) -> list[str]:
    """Once per file, the decisions whose text states a sum of money (£1.6m, £80,000, £60k)
    but record none as data (`money:`): hints for `sitegen check`, never errors or warnings."""
    out = []
    for meeting in model.meetings.values():
        found = []
        for item in meeting.items:
            if item.exempt:
                continue
            for d in item.decisions:
                recorded = d.money_given or any(
                    s.money or (s.outcome == "approved" and s.target is not None and s.target.money) for s in d.decides
                )
                if not recorded and SUM.search(str(d.text)):
                    found.append(d)
        if found:
            first = found[0].line("text")
            names = ", ".join(d.ref for d in found)
            out.append(
                f"{first}: hint: {len(found)} decision{'s' if len(found) > 1 else ''} state{'' if len(found) > 1 else 's'} "
                f"a sum of money but record none ({names}); add money: (amount, kind, what) to publish the sums as data"
            )
    return out


def recommendation_status(rec: m.Decision) -> m.Status:
    """Where a recommendation stands, from its steps, the meetings that consider it and its at.
    A step taken at a meeting that has not taken place (scheduled, cancelled or postponed:
    a resolution typed into an agenda, say) settles nothing: a scheduled one puts it on
    that meeting's agenda (linking warns of the steps of a meeting still to come)."""
    taken = rec.taken
    latest = taken[-1] if taken else None
    if latest is not None and latest.outcome not in m.OPEN_OUTCOMES:
        return m.Status(latest.outcome, False, latest.decision.meeting.body, step=latest)  # type: ignore[union-attr]
    if rec.superseded_by:
        new = min(rec.superseded_by, key=lambda d: (*d.meeting.sort_key, d.item.order))  # type: ignore[union-attr]
        return m.Status("superseded", False, new.meeting.body, step=latest, superseded_by=new)
    if latest is not None and latest.outcome == "referred-back":
        # the move is the recommending body's: to re-make it (supersedes) or let it go
        return m.Status("awaiting", True, rec.meeting.body, step=latest, since=latest.decision.date)  # type: ignore[union-attr]
    since = latest.decision.date if latest is not None else rec.date  # type: ignore[union-attr]
    agendas = [
        it.meeting
        for it in [*rec.considered_by, *rec.item.considered_by]  # type: ignore[union-attr]
        if it.meeting is not None and it.meeting.status == "scheduled" and it.meeting.date >= since
    ]
    if len(taken) < len(rec.steps):
        agendas += [
            s.decision.meeting  # type: ignore[union-attr]
            for s in rec.steps
            if s.decision.meeting.status == "scheduled" and s.decision.meeting.date >= since  # type: ignore[union-attr]
        ]
    if agendas:
        first = min(agendas, key=lambda x: x.sort_key)
        return m.Status("on-agenda", True, first.body, meeting=first, step=latest, since=since)
    at = rec.at
    met = [  # meetings held since that consider it, or are expected to decide it, whose minutes are not out
        it.meeting
        for it in [*rec.considered_by, *rec.item.considered_by]  # type: ignore[union-attr]
        if it.meeting is not None and it.meeting.status in ("held", "adjourned") and it.meeting.date >= since
    ]
    if at is not None and at.status in ("held", "adjourned") and at.date >= since:
        met.append(at)
    unminuted = [x for x in met if x.record == "agenda" and (latest is None or latest.decision.date < x.date)]  # type: ignore[union-attr]
    if unminuted:
        first = min(unminuted, key=lambda x: x.sort_key)
        return m.Status("considered", True, first.body, meeting=first, step=latest, since=since)
    if (
        at is not None
        and at.status in ("held", "adjourned")
        and at.date >= rec.date
        and (latest is None or latest.decision.date < at.date)  # type: ignore[union-attr]
    ):
        return m.Status("overdue", True, rec.to, meeting=at, step=latest, since=since)
    return m.Status("awaiting", True, rec.to, step=latest, since=since)


def ends_before_start(meeting: m.Meeting, timezone: str) -> bool:
    """Whether MEETING's end comes before its start, in the site's time zone (where the
    clocks go back, 01:30 to 01:00 can be half an hour, the hour repeated)."""
    if meeting.start is None or meeting.end is None or meeting.end >= meeting.start:
        return False
    zone = _zone(timezone)
    if zone is None:
        return True
    start = dt.datetime.combine(meeting.date, meeting.start, zone)
    end = dt.datetime.combine(meeting.date, meeting.end, zone).replace(fold=1)
    return end.astimezone(dt.UTC) < start.astimezone(dt.UTC)


def _zone(timezone: str) -> dt.tzinfo | None:
    """The time zone named TIMEZONE (site.yaml's; the reader reports one that is not known)."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def skipped(day: dt.date, moment: dt.time, timezone: str) -> bool:
    """Whether the local time MOMENT on DAY is one the clocks skip in TIMEZONE (they go
    forward at 01:00 in London: 01:30 on that day never comes)."""
    zone = _zone(timezone)
    if zone is None:
        return False
    local = dt.datetime.combine(day, moment, zone)
    return local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None)


def _named_body(mid: str, bodies: dict[str, m.Body]) -> m.Body | None:
    """The body a meeting id of the form DATE-BODY or DATE-BODY-N names (as sitegen new and
    the importer name them), or None: any other name (a joint meeting's, say) names none."""
    if len(mid) < 12 or mid[10] != "-" or not mid[:4].isdigit():
        return None
    rest = mid[11:]
    body, _, n = rest.rpartition("-")
    if n.isdigit() and body in bodies:  # (DATE-BODY-2: the second of that body that day)
        return bodies[body]
    return bodies.get(rest)


def has_record(meeting: m.Meeting) -> bool:
    """Whether MEETING records anything done at it (minutes or decisions)."""
    return any(item.minutes or item.decisions for item in meeting.items)


def contradictions(recommendations: Iterable[m.Decision], problems: Problems, involved: set[str] | None = None) -> int:
    """Warn where the record contradicts itself: a recommendation decided again after an
    outcome settled it, or superseded after it was settled, or by another body; expected
    (at) at a meeting held before it was made, or at another body's meeting than the one
    it is to; considered at a meeting held before it was made. Returns how many of the
    first kind (contradictions: while any is warned of, every edit links everything
    again, see Linker.update); INVOLVED: given the ids of the meetings the others join
    (an edit of one of them links everything again)."""
    count = 0
    for rec in recommendations:
        _out_of_order(rec, problems, involved if involved is not None else set())
        if rec.superseded_by:
            first_new, *others = sorted(rec.superseded_by, key=lambda d: (*d.meeting.sort_key, d.item.order))  # type: ignore[union-attr]
            for other in others:
                count += 1
                problems.warn(
                    other.line("supersedes"),
                    f'supersedes "{other.supersedes_ref}": {first_new.ref} already supersedes that recommendation '
                    f"(at {first_new.line('supersedes')}); the site shows the first as the one that re-made it",
                )
            for step in rec.steps:
                if step.decision is not None and step.decision.date > first_new.date:
                    count += 1
                    problems.warn(
                        step.loc,
                        f'decides "{step.ref}": that recommendation was superseded by {first_new.ref} on '
                        f"{first_new.date.isoformat()}; decide the new one instead",
                    )
        settled = next((s for s in rec.steps if s.outcome not in m.OPEN_OUTCOMES), None)
        if settled is None:
            continue
        first = settled.decision
        assert first is not None
        where = (
            f"{first.meeting.body.name if first.meeting.body else first.meeting.body_id} on {first.date.isoformat()}"
        )
        for later in rec.steps[rec.steps.index(settled) + 1 :]:
            count += 1
            problems.warn(
                later.loc,
                f'decides "{later.ref}": the recommendation was already settled ({settled.outcome} by {where}, '
                f"at {settled.loc}); the site shows this later outcome, {later.outcome}: check which is right",
            )
        for new in rec.superseded_by:
            count += 1
            problems.warn(
                new.line("supersedes"),
                f'supersedes "{new.supersedes_ref}": that recommendation was already settled ({settled.outcome} by '
                f"{where}, at {settled.loc}); only a recommendation left open (referred back) can be superseded",
            )
    return count


def call_ins_out_of_order(decisions: Iterable[m.Decision], problems: Problems, involved: set[str] | None = None) -> int:
    """Warn of each of DECISIONS whose call-in was considered (considered_at) at a meeting
    held before it was called in (or, without called_in, before the decision's notice or
    the decision itself); returns how many. INVOLVED: given the ids of both meetings of
    each. (It joins two files: an edit to either links everything again, see Linker.update.)"""
    count = 0
    for decision in decisions:
        call_in = decision.call_in
        meeting = call_in.considered_at if call_in is not None else None
        if call_in is None or meeting is None:
            continue
        first = call_in.called_in or decision.published or decision.date
        if meeting.date < first:
            count += 1
            if involved is not None:
                involved.update((decision.meeting.id, meeting.id))
            problems.warn(
                Location(call_in.loc.path, call_in.lines.get("considered_at", call_in.loc.line)),
                f'considered_at "{call_in.considered_at_id}": that meeting ({meeting.date.isoformat()}) is before '
                f"the call-in ({first.isoformat()}); name the meeting that considered it",
            )
    return count


def _out_of_order(rec: m.Decision, problems: Problems, involved: set[str]) -> None:
    """contradictions' warnings of REC's dates and bodies, each adding the ids of the
    meetings it joins to INVOLVED."""
    made, at = rec.date, rec.at
    home = rec.meeting.id
    if at is not None and at.date < made:
        involved.update((home, at.id))
        problems.warn(
            rec.line("at"),
            f'at "{rec.at_id}": that meeting is dated {at.date.isoformat()}, before this recommendation was '
            f"made ({made.isoformat()}); name the meeting expected to decide it",
        )
    if at is not None and at.body is not None and rec.to is not None and at.body is not rec.to:
        involved.update((home, at.id))
        problems.warn(
            rec.line("at"),
            f'at "{rec.at_id}" is a meeting of {at.body.name}, but the recommendation is to {rec.to.name}; '
            "correct to or at",
        )
    names = (rec.ref, rec.item.ref if rec.item is not None else rec.ref)
    for item in [*rec.considered_by, *(rec.item.considered_by if rec.item is not None else ())]:
        if item.meeting is not None and item.meeting.date < made:
            involved.update((home, item.meeting.id))
            loc = next((loc for ref, loc in item.considers_refs if ref.strip().strip("/") in names), item.loc)
            problems.warn(
                loc,
                f'considers "{rec.ref}": that recommendation was made on {made.isoformat()}, after this '
                f"meeting ({item.meeting.date.isoformat()}); check the reference",
            )
    body = rec.meeting.body if rec.meeting is not None else None
    for new in rec.superseded_by:
        other = new.meeting.body if new.meeting is not None else None
        if body is not None and other is not None and other is not body:
            involved.update((home, new.meeting.id))
            problems.warn(
                new.line("supersedes"),
                f'supersedes "{new.supersedes_ref}": that recommendation is {body.name}\'s, and this one '
                f"{other.name}'s; only the body that made a recommendation can re-make it",
            )


def _edges(decision: m.Decision) -> Iterator[tuple[m.Decision, Location, str]]:
    """What DECISION settles or supersedes, with where it says so."""
    for step in decision.decides:
        if step.target is not None:
            yield step.target, step.loc, f'decides "{step.ref}"'
    if decision.supersedes is not None:
        yield decision.supersedes, decision.line("supersedes"), f'supersedes "{decision.supersedes_ref}"'


def _name_of(target: object) -> str:
    if isinstance(target, m.Item):
        return "an item"
    if isinstance(target, m.Meeting):
        return "a meeting"
    return "a resolution"


def _empty_issues(issue_info: dict[str, m.IssueInfo], issues: dict[str, m.Issue]) -> list[Problem]:
    """The warnings for issues described in issues.yaml that no item is in."""
    return [
        Problem(info.loc, f'issue "{iid}" has no items: no item names it with "issue: {iid}"', warning=True)
        for iid, info in issue_info.items()
        if iid not in issues
    ]


def _what(parts: int) -> str:
    return {1: "meeting", 2: "item", 3: "decision"}.get(parts, "meeting, item or decision")


def _step_key(step: m.Decides) -> tuple:
    decision = step.decision
    assert decision is not None and decision.item is not None
    return (*decision.meeting.sort_key, decision.item.order, decision.item.decisions.index(decision))


def link(
    site: m.Site,
    bodies: dict[str, m.Body],
    people: dict[str, m.Person],
    has_people_file: bool,
    issue_info: dict[str, m.IssueInfo],
    meetings: list[m.Meeting],
    problems: Problems,
    today: dt.date,
    failed: set[str] | frozenset[str] = frozenset(),
    plan: dict[str, m.PlanEntry] | None = None,
) -> tuple[m.Model, Linker]:
    linker = Linker(site, bodies, people, has_people_file, issue_info, meetings, problems, today, failed, plan)
    return linker.run(), linker
