"""Incremental builds: keep the last build in memory and rewrite only the pages
whose inputs changed.

Each page names what it depends on (``Page.deps``: "meeting:ID", "person:ID",
"issue:ID", ... or "*" for pages that list everything). After a change, every
such key gets a fingerprint; a page is rendered again when a key it depended on
before or depends on now has a new fingerprint, or when its template changed.
The result is byte-for-byte what a clean build of the same content writes.

Before that, the model is brought up to date as cheaply as the change allows:
prose copied in (nothing relinked), statuses worked out again (a status or
record changed), the changed meetings linked in where they reach (any other
edit to meeting files: see Linker.update), or the whole site loaded again.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from . import model as m
from .build import Builder, Loaded, Log, _quiet, build, load, on_forks, paused_gc, relink, serial, share
from .errors import ContentError, Problem, Problems
from .files import published_files, withheld
from .link import NeedsFullLink, has_record, recommendation_status
from .pages import (
    PLANS,
    Kept,
    Page,
    awaiting_list,
    issue_list,
    item_links,
    meeting_deps,
    plan,
    public_decisions_by_meeting,
)
from .urls import output_file, path_for, path_of
from .validate import ParseCache, Parsed, is_meeting_file, read_meeting_file, rel_path

_NONE = object()  # no value (a key of one build's fingerprints only)


@dataclass
class Result:
    ok: bool
    written: int = 0
    deleted: int = 0
    rendered: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    prose_only: bool = False  # only prose changed: no relinking was needed
    local: bool = False  # only prose and fields no link depends on changed: statuses worked out again, no relinking
    relinked: bool = False  # only meeting files changed: they were linked in where they reach, not the whole site
    phases: dict[str, float] = field(default_factory=dict)  # seconds spent in each step, for the bench


class _Clock:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


def fingerprints(
    loaded: Loaded,
    cache: ParseCache,
    lists: dict[str, object],
    before: dict[str, object] | None = None,
    same: set[str] | None = None,
    issues: dict[str, tuple[m.Issue, object]] | None = None,
    last: m.Model | None = None,
    fresh: set[str] | None = None,
) -> dict[str, object]:
    """A value per dependency key; a key whose value changed invalidates its pages.
    BEFORE: the last build's, for the model LAST, whose values for the meetings SAME
    (unchanged) stand. LISTS: what the plan worked out (open recommendations, decisions
    and meetings by year). ISSUES: each issue's value by id, with the object it was
    worked out for (kept up to date here). FRESH: given BEFORE, SAME and LAST, gets
    the keys worked out afresh or gone (the others are BEFORE's, as they were)."""
    model = loaded.model
    if before is not None and same is not None and last is not None:
        out = dict(before)
        meetings = [model.meetings[mid] for mid in model.meetings.keys() - same]
        gone = [
            *(kind + mid for mid in last.meetings.keys() - model.meetings.keys() for kind in _MEETING_KEYS),
            *(f"person:{pid}" for pid in last.people.keys() - model.people.keys()),
            *(f"issue:{iid}" for iid in last.issues.keys() - model.issues.keys()),
        ]
        for key in gone:
            out.pop(key, None)
    else:
        out, meetings, gone = {}, list(model.meetings.values()), []
    worked: list[str] = []
    for meeting in meetings:
        entry = cache.entries.get(meeting.source)
        out[f"meeting:{meeting.id}"] = (meeting.source, entry.key if entry else None)
        # who attended, by body and date (person pages)
        roll = (
            meeting.source, meeting.body_id, meeting.date, meeting.chair_id, tuple(meeting.present_ids),
            tuple(meeting.apologies_ids), tuple(meeting.in_attendance_ids),
        )  # fmt: skip
        out[f"roll:{meeting.id}"] = roll
        # what lists of meetings show (year and body pages): not the minutes or decisions
        out[f"listing:{meeting.id}"] = (roll, meeting.start, meeting.status, meeting.record, len(meeting.items))
        worked += (kind + meeting.id for kind in _MEETING_KEYS)
    out["bodies"] = repr(
        [
            (b.id, b.name, b.kind, b.description, b.reports_to_id, b.members_ids, b.aliases)
            for b in model.bodies.values()
        ]
    )
    people = []
    for person in model.people.values():
        key = f"person:{person.id}"
        out[key] = (person.name, person.role, person.party, person.ward, tuple(person.aliases))
        people.append((key, out[key]))
        worked.append(key)
    out["people"] = repr(sorted(people))
    seen = issues if issues is not None else {}
    for issue in model.issues.values():
        last_value = seen.get(issue.id)
        if last_value is None or last_value[0] is not issue:  # else the same object: the issue was not made again
            value = (issue.title, issue.summary, tuple(i.ref for i in issue.items), tuple(issue.aliases))
            last_value = seen[issue.id] = (issue, value)
        out[f"issue:{issue.id}"] = last_value[1]
        worked.append(f"issue:{issue.id}")
    out["meeting-years"] = tuple(lists["meeting-years"])  # type: ignore[arg-type]
    out["decision-years"] = tuple((year, len(ds)) for year, ds in lists["decision-years"])  # type: ignore[attr-defined]
    out["awaiting"] = awaiting_list(lists["awaiting"])  # type: ignore[arg-type]
    out["issue-list"] = issue_list(model)
    out["site"] = repr(model.site)
    if fresh is not None:
        fresh.update(worked, gone, _GLOBAL_KEYS)
    return out


_MEETING_KEYS = ("meeting:", "roll:", "listing:")  # each meeting's keys, before its id
_GLOBAL_KEYS = ("bodies", "people", "meeting-years", "decision-years", "awaiting", "issue-list", "site")


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under FOLDERS, leaving out hidden files and editors' backups
    (as os.walk would find them: symbolic links to folders are not followed)."""
    snap: dict[str, tuple[int, int]] = {}
    for folder in folders:
        _scan(str(folder), snap)
    return snap


def snapshot_after(
    last: dict[str, tuple[int, int]], folders: list[Path], paths: Iterable[str]
) -> dict[str, tuple[int, int]] | None:
    """What snapshot(FOLDERS) gives now, from LAST (its answer before) when only PATHS
    changed (files written, added or removed, as a file watcher reports them): only they
    are looked at. None when that cannot be said: a folder among PATHS, a path outside
    FOLDERS or through a symbolic link. Then take the whole snapshot."""
    roots = [str(folder) for folder in folders]
    snap = dict(last)
    for path in paths:
        root = next((r for r in roots if path.startswith(r + os.sep)), None)
        if root is None:
            return None
        rel = path[len(root) + 1 :]
        if any(part.startswith(".") for part in rel.split(os.sep)):
            continue  # hidden, or in a hidden folder: never in a snapshot
        parent = os.path.dirname(path)
        if os.path.realpath(parent) != os.path.join(os.path.realpath(root), os.path.dirname(rel)).rstrip(os.sep):
            return None  # through a symbolic link (or the folder went)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if snap.pop(path, None) is None and any(p.startswith(path + os.sep) for p in snap):
                return None  # a folder went
            continue
        except OSError:
            return None
        if not S_ISREG(st.st_mode):
            return None  # a folder came, or something else
        if path.endswith(("~", ".swp", ".tmp")):
            continue
        snap[path] = (st.st_mtime_ns, st.st_size)
    return snap


def _scan(folder: str, snap: dict[str, tuple[int, int]]) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        _scan(entry.path, snap)
                    continue
                if name.endswith(("~", ".swp", ".tmp")):
                    continue
                st = entry.stat()
            except OSError:
                continue
            snap[entry.path] = (st.st_mtime_ns, st.st_size)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class Project:
    """A content folder and its output, kept between builds (the preview server's engine)."""

    def __init__(
        self, content: Path, output: Path, base_path: str | None = "/", log: Log = _quiet, search: bool = False
    ) -> None:
        self.search = search
        self.content = Path(content)
        self.output = Path(output)
        self.base_path = base_path
        self.log = log
        self.cache = ParseCache()
        self.loaded: Loaded | None = None
        self.builder: Builder | None = None
        self.pages: dict[str, Page] = {}
        # the output files of the pages by the keys they depend on: every key of every
        # page in self.pages maps to its file (see _index and _unindex)
        self.showing: dict[str, set[str]] = {}
        # the kept parts of pages (render.Fragments) by what they show: "own:" and their
        # meeting's id, and their item's links; for the fragments of _fragment_cache
        self._fragment_index: dict[str, set[tuple[str, int]]] = {}
        self._fragment_cache: dict | None = None
        self._fragment_stale = 0  # parts dropped since the index was made (their entries stay)
        self._cold: list[str] = []  # the register pages whose parts warm() is still to keep
        # each meeting's public decisions, kept between plans (see pages.Kept)
        self.publics: dict[str, tuple[m.Meeting, list[m.Decision], list[m.Decision]]] = {}
        self.extras: set[str] = set()
        self.withheld: set[str] = set()  # the files of content/files that only exempt items name
        self.digests: dict[str, str] = {}
        self.prints: dict[str, object] = {}
        self.issue_prints: dict[str, tuple[m.Issue, object]] = {}  # see fingerprints
        self.templates: dict[str, tuple[int, int]] = {}
        self.assets: dict[str, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.inputs: dict[str, tuple[int, int]] = {}
        # _changed's last answer, with the inputs it was asked about
        self._changes: tuple[object, list[str]] = (None, [])
        self._recs: tuple[object, dict[str, list[m.Decision]]] = (None, {})  # see _recommendations
        self.defer_extras = False  # the preview server publishes feeds and data just after the reload
        self.extras_due = False

    # --- what is watched -----------------------------------------------------

    def watched(self) -> list[Path]:
        folders = [self.content, self.content.parent / "themes"]
        if self.builder is not None:
            folders += [f for f in self.builder.folders if not f.is_relative_to(folders[1])]
        return folders

    def _templatesnapshot(self, builder: Builder) -> dict[str, tuple[int, int]]:
        return snapshot([f / "templates" for f in builder.folders])

    def _assetsnapshot(self, builder: Builder) -> dict[str, tuple[int, int]]:
        return snapshot([f / "static" for f in builder.folders] + [self.content / "files"])

    # --- building --------------------------------------------------------------

    def build(self, inputs: dict[str, tuple[int, int]] | None = None) -> Result:
        """A clean build the first time, incremental after that; never raises for bad content.
        INPUTS: the watched files' snapshot (see snapshot), when the caller has just taken it."""
        started = time.perf_counter()
        try:
            with paused_gc():
                return self._build(started, inputs)
        except ContentError as exc:
            self.problems = exc.problems
            return Result(False, problems=exc.problems, seconds=time.perf_counter() - started)
        except BaseException:
            self._drop_fragments()  # a rebuild that failed as it rendered may have kept parts unindexed
            raise

    def _drop_fragments(self) -> None:
        """Forget every kept part of pages (render.Fragments) and their index."""
        if self.builder is not None and self.builder.env.fragments:
            self.builder.env.fragments.clear()
            self.builder.env.fragments_added = []
        self._fragment_cache = None

    def _build(self, started: float, inputs: dict[str, tuple[int, int]] | None) -> Result:
        if inputs is None:
            inputs = snapshot(self.watched())
        if self.loaded is None:
            result = self._full(started)
            inputs = snapshot(self.watched())  # now with the theme folders the build used
        elif inputs == self.inputs and not self.problems:
            return Result(True, seconds=time.perf_counter() - started)
        else:
            result = self._without_relinking(inputs, started) or self._incremental(inputs, started)
        self.inputs = inputs
        return result

    def _full(self, started: float) -> Result:
        report = build(
            self.content, self.output, log=self.log, base_path=self.base_path, cache=self.cache, search=self.search
        )
        assert report.builder is not None
        self._remember(report.builder.loaded, report.builder, {p.file: p for p in report.planned})
        self.showing = {}
        self._index(self.pages.items())
        self.extras = set(report.extras)
        self.withheld = withheld(report.builder.loaded.model)
        report.builder.env.fragments = {}
        for page in report.planned:  # keep the awaiting page's parts now, not at the first edit
            if page.template == "awaiting.html":
                report.builder.render(page)
        self._index_fragments(report.builder)
        # the registers' parts are kept by warm(), a page at a time, while the preview is idle
        self._cold = [page.file for page in report.planned if page.template == "decisions.html"]
        self.publics = {}
        public_decisions_by_meeting(report.builder.loaded.model, self.publics)  # for the first linking edit
        for rel in [*self.pages, *self.extras]:
            self.digests[rel] = hashlib.sha1((self.output / rel).read_bytes()).hexdigest()
        gc.collect()
        gc.freeze()  # the first build's objects live long: keep later collections from scanning them
        self.problems = []
        return Result(
            True,
            written=report.pages,
            rendered=report.pages,
            seconds=time.perf_counter() - started,
            problems=report.warnings,
        )

    def warm(self) -> bool:
        """Keep the parts (render.Fragments) of one register page not rendered since the
        first build, so that the first edit that renders it again renders only the parts it
        changed (a year's register lists thousands of decisions); the first time, find which
        recommendations read which meetings' statuses (see _recommendations) instead. The
        preview calls this while idle, one step at a time. False when nothing is left to do."""
        if self.loaded is None or self.builder is None or self.problems:
            return False  # (the pages are kept for later)
        if self._recs[0] is not self.loaded.model:
            self._recommendations(self.loaded.model)
            return bool(self._cold)
        while self._cold:
            page = self.pages.get(self._cold.pop())
            if page is not None:
                try:
                    with paused_gc():
                        self.builder.render(page)
                        self._index_fragments(self.builder)
                except Exception:  # a rebuild renders the page again and reports what is wrong
                    self._drop_fragments()
                    self._cold = []
                    return False
                if not self._cold:  # the parts kept live long: keep collections from scanning them
                    gc.collect()
                    gc.freeze()
                return bool(self._cold)
        return False

    def _remember(
        self,
        loaded: Loaded,
        builder: Builder,
        pages: dict[str, Page],
        prints: dict | None = None,
        templates: dict[str, tuple[int, int]] | None = None,
        assets: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """Keep what a build made (PAGES by output file) for the next one to compare with."""
        self.loaded, self.builder = loaded, builder
        self.pages = pages
        if prints is None:
            self.issue_prints = {}
            prints = fingerprints(loaded, self.cache, builder.lists, issues=self.issue_prints)
        self.prints = prints
        self.templates = self._templatesnapshot(builder) if templates is None else templates
        self.assets = self._assetsnapshot(builder) if assets is None else assets

    def _recommendations(self, model: m.Model) -> dict[str, list[m.Decision]]:
        """The recommendations of MODEL by the meetings whose status or date their status
        reads (their own, the meetings that consider them, the meeting they are expected
        at), found once per model: a status edit keeps the model and its decisions, and
        works out again the statuses of the recommendations that read the edited meetings."""
        if self._recs[0] is not model:
            watchers: dict[str, list[m.Decision]] = {}
            for decision in model.all_decisions():
                if decision.is_recommendation:
                    for mid in read_by_status(decision):
                        watchers.setdefault(mid, []).append(decision)
            self._recs = (model, watchers)
        return self._recs[1]

    def _changed(self, inputs: dict[str, tuple[int, int]]) -> list[str]:
        """The watched files added, changed or removed since the last build (INPUTS: now)."""
        if self._changes[0] is not inputs:
            self._changes = (inputs, sorted({p for p, _ in inputs.items() ^ self.inputs.items()}))
        return self._changes[1]

    def _without_relinking(self, inputs: dict[str, tuple[int, int]], started: float) -> Result | None:
        """The clerk's commonest edits, without relinking the site: when only meeting files
        changed, and only in their prose, copy the new prose into the linked model and render
        the pages that show it; when they changed only in fields no link depends on (status,
        record, end time, documents), copy those too, work statuses out again and re-plan
        the pages that list meetings by status. None when the edit is anything more."""
        loaded, builder = self.loaded, self.builder
        if loaded is None or builder is None or self.problems:
            return None
        changed = self._changed(inputs)
        meetings_dir = str(self.content / "meetings") + os.sep
        if (
            not changed
            or len(changed) > 3
            or not all(p.startswith(meetings_dir) and p in self.inputs and p in inputs for p in changed)
        ):
            return None
        if any(not _is_builtin(f) for f in builder.folders):
            return None  # a site's own templates may show prose anywhere
        keys = set()
        updates = []
        local = False
        for path in changed:
            rel = Path(path).relative_to(self.content).as_posix()
            entry = self.cache.entries.get(rel)
            if entry is None or entry.meeting is None or entry.problems:
                return None
            fresh = Problems()
            new = read_meeting_file(Path(path), self.content, fresh)
            if new is None or fresh.items:
                return None
            if structure(new) != structure(entry.meeting):
                if (
                    local_structure(new) != local_structure(entry.meeting)
                    or _warned(new, loaded.model.today)
                    or _warned(entry.meeting, loaded.model.today)
                ):
                    return None
                local = True  # a status, record, end time or document list changed: nothing to relink
            for text in prose(new):
                if loaded.markdown.check(text) or loaded.markdown.lint(text):
                    return None  # a broken ref: link, or a text not published as typed: the full path reports it
            updates.append((rel, inputs[path], entry.meeting, new))
            keys.add(f"prose:{entry.meeting.id}")
        for rel, key, old, new in updates:
            copy_prose(new, old)
            copy_local(new, old)
            self.cache.entries[rel] = Parsed(key, old, [])
            if not local:
                self.prints[f"meeting:{old.id}"] = (old.source, key)
        if local:
            # statuses read other meetings' status; lists of upcoming meetings are planned
            edited = {old.id for _, _, old, _ in updates}
            watchers = self._recommendations(loaded.model)
            restatus({id(d): d for mid in edited for d in watchers.get(mid, ())}.values())
            clock = _Clock()
            # no decision came or went: the decisions by year in builder.lists stand; the plan
            # puts the open recommendations in afresh
            bodies = {}
            for body in loaded.model.bodies.values():
                page = self.pages.get(output_file(path_of(body)))
                if page is not None:
                    bodies[page.path] = page
            keep = Kept({}, bodies, edited, {loaded.model.meetings[mid].body_id for mid in edited})
            # no link changed either: the item links the last plan worked out stand
            planned = plan(loaded.model, lists_only=True, keep=keep, memo=builder.links, lists=builder.lists)
            pages = dict(self.pages)  # no link changed: the rest stand
            for page in planned:
                assert page.file in pages
                pages[page.file] = page
            clock("plan")
            same = {mid for mid in loaded.model.meetings if mid not in edited}
            # (a template changed too would have been among the changed files: not this path)
            result = self._update(loaded, builder, set(), clock, started, pages, same=same, templates=self.templates)
            result.local = True
            return result
        self._forget_fragments(builder, keys, suspects=set())
        written = rendered = 0
        for rel in sorted(self._showing(keys)):
            page = self.pages.get(rel)
            if page is None or keys.isdisjoint(page.deps):
                continue
            rendered += 1
            written += self._put(rel, builder.render(page))
        self._index_fragments(builder)
        if self.defer_extras:
            self.extras_due = True
        else:
            written += self._write_extras(builder.extra_files(list(self.pages.values()), self.search))
        return Result(True, written, 0, rendered, time.perf_counter() - started, loaded.warnings, prose_only=True)

    def _incremental(self, inputs: dict[str, tuple[int, int]], started: float) -> Result:
        clock = _Clock()
        relinked = self._relinked(inputs)
        loaded = relinked or load(self.content, self.base_path, cache=self.cache)
        clock("load and link")
        keep, memo = self._unaffected(inputs, loaded)
        old_builder = self.builder
        assert old_builder is not None
        builder = Builder(loaded, self.search)
        templates = self._templatesnapshot(builder)
        if templates != self.templates or builder.folders != old_builder.folders:
            changed_templates = {
                Path(p).name for p in set(templates) | set(self.templates) if templates.get(p) != self.templates.get(p)
            }
            builder.env.fragments = {}
        else:
            changed_templates = set()
            builder.env = old_builder.env  # keep compiled templates, and the fragments kept
        builder.env.globals.update(site=loaded.model.site, today=loaded.model.today)
        clock("builder")
        before = self.loaded.model.meetings  # type: ignore[union-attr]
        same = {mid for mid, x in loaded.model.meetings.items() if before.get(mid) is x}  # not read again
        result = self._update(
            loaded, builder, changed_templates, clock, started, keep=keep, memo=memo, same=same, templates=templates
        )
        result.relinked = relinked is not None
        return result

    def _relinked(self, inputs: dict[str, tuple[int, int]]) -> Loaded | None:
        """When only meeting files changed: the last build's model with the changed files
        read again and linked in where they reach (see build.relink); None when the site
        must be loaded again (the change is beyond that, or has errors to report)."""
        loaded = self.loaded
        if loaded is None or self.problems:
            return None
        removed, added, found, entries = [], [], [], {}
        root = str(self.content) + os.sep
        for path in self._changed(inputs):
            if not path.startswith(root) or not is_meeting_file(rel := rel_path(Path(path), self.content)):
                return None
            if path in self.inputs:
                entry = self.cache.entries.get(rel)
                if entry is None or entry.meeting is None:
                    return None
                removed.append(entry.meeting)
            if path in inputs:
                fresh = Problems()
                meeting = read_meeting_file(Path(path), self.content, fresh)
                if meeting is None or fresh.errors:
                    return None
                added.append(meeting)
                found += fresh.items
                entries[rel] = Parsed(inputs[path], meeting, fresh.items)
        try:
            relinked = relink(loaded, removed, added, found)
        except NeedsFullLink:
            return None
        self.cache.entries.update(entries)
        return relinked

    def _unaffected(
        self, inputs: dict[str, tuple[int, int]], loaded: Loaded
    ) -> tuple[Kept | None, dict[int, frozenset[str]] | None]:
        """After meeting files changed: the pages no change can have touched, to keep as
        they are (see pages.Kept), and the item links known for them. A meeting is
        touched when it changed, was linked to a changed one before or after, or has
        items in an issue whose items changed. (None, None) when more than meeting
        files changed: then everything is planned again."""
        old, new = self.loaded.model, loaded.model  # type: ignore[union-attr]
        meetings_dir = str(self.content / "meetings") + os.sep
        changed_paths = self._changed(inputs)
        if new.today != old.today or not all(p.startswith(meetings_dir) for p in changed_paths):
            return None, None
        changed = {i for i, x in new.meetings.items() if old.meetings.get(i) is not x} | (
            old.meetings.keys() - new.meetings.keys()
        )
        touched = set(changed)
        for mid in changed:
            before = self.pages.get(output_file(path_for("meeting", mid)))
            if before is not None:
                touched.update(k[8:] for k in before.deps if k.startswith("meeting:"))
            if mid in new.meetings:
                touched.update(k[8:] for k in meeting_deps(new.meetings[mid], {}) if k.startswith("meeting:"))
        for iid in old.issues.keys() | new.issues.keys():
            a, b = old.issues.get(iid), new.issues.get(iid)
            if a is b:
                continue  # the same object: the issue was not made again
            items = [*(a.items if a else []), *(b.items if b else [])]
            if a is None or b is None or [i.ref for i in a.items] != [i.ref for i in b.items]:
                touched.update(i.meeting.id for i in items if i.meeting is not None)
        memo = dict(self.builder.links)  # type: ignore[union-attr]
        for mid in touched:
            for model in (old, new):
                if mid in model.meetings:
                    for item in model.meetings[mid].items:
                        memo.pop(id(item), None)
        bodies = {model.meetings[mid].body_id for model in (old, new) for mid in touched if mid in model.meetings}
        # the last plan's pages of each meeting, and its list pages (see pages.plan)
        lists = self.builder.lists  # type: ignore[union-attr]
        by_meeting: dict[str, list[Page]] = dict(lists["meeting-pages"])  # type: ignore[call-overload]
        for mid in touched | (by_meeting.keys() - new.meetings.keys()):
            by_meeting.pop(mid, None)
        pages = self.pages
        listed = {path: page for path, page in lists["list-pages"].items() if pages.get(page.file) is page}  # type: ignore[attr-defined]
        keep = Kept(by_meeting, listed, touched, bodies, self.publics)
        return keep, memo

    def _update(
        self,
        loaded: Loaded,
        builder: Builder,
        changed_templates: set[str],
        clock: _Clock,
        started: float,
        pages: dict[str, Page] | None = None,
        keep: Kept | None = None,
        memo: dict[int, frozenset[str]] | None = None,
        same: set[str] | None = None,
        templates: dict[str, tuple[int, int]] | None = None,
    ) -> Result:
        """Plan the relinked model (unless PAGES, by output file, are given; KEEP and MEMO: see _unaffected),
        render the pages whose inputs changed, write the rest. SAME (always given): the meetings
        no field of has changed since the last build. TEMPLATES: the templates' snapshot, when taken."""
        if pages is None:
            builder.plan(keep, memo)
            pages = builder.planned
            clock("plan")
        assert self.loaded is not None and same is not None  # (both callers know the meetings unchanged)
        fresh_keys: set[str] = set()
        prints = fingerprints(
            loaded, self.cache, builder.lists, self.prints, same, self.issue_prints, self.loaded.model, fresh_keys
        )
        clock("fingerprints")
        last = self.prints
        changed = set()
        for key in fresh_keys:  # the other keys are the last build's values, as they were
            value, was = prints.get(key, _NONE), last.get(key, _NONE)
            if value is not was and value != was:
                changed.add(key)
        everything = bool({"site", "bodies"} & changed) or any(
            not name.endswith(".html") or name.startswith("_") or name == "base.html" for name in changed_templates
        )
        new_pages = pages
        if keep is not None:  # the meetings whose items' links the plan worked out again, or read again
            suspects: set[str] | None = keep.touched | {mid for mid in loaded.model.meetings if mid not in same}
        else:  # the last links stand (a status edit), or all were worked out again (None)
            suspects = set() if memo is None and builder.links is self.builder.links else None  # type: ignore[union-attr]
        self._forget_fragments(builder, changed, everything or bool(changed_templates), suspects)
        clock("compare")
        anything = bool(changed or changed_templates)
        last_pages = self.pages
        # the pages this plan made (the others are the last plan's, as they were)
        serial = PLANS[0]
        fresh = [page.file for page in new_pages.values() if page.plan == serial]
        if everything or changed_templates:
            candidates: Iterable[str] = new_pages
        else:  # only these can be due: the rest showed and show nothing changed
            candidates = self._showing(changed)
            if anything:
                candidates |= self.showing.get("*", set())
            candidates = sorted(rel for rel in candidates.union(fresh) if rel in new_pages)
        due = []
        for rel in candidates:
            page = new_pages[rel]
            old = last_pages.get(rel)
            unchanged = (  # nothing it showed or shows changed, nor its template
                not everything
                and old is not None
                and old.template == page.template
                and changed.isdisjoint(old.deps)
                and (old is page or changed.isdisjoint(page.deps))
                and not (anything and "*" in page.deps)
                and page.template not in changed_templates
            )
            if not unchanged:
                due.append((rel, page))
        self._index(((rel, new_pages[rel]) for rel in fresh), last_pages)
        clock("due")
        rendered, written = len(due), self._render(builder, due)
        self._index_fragments(builder)
        clock("render")
        deleted = 0
        added = sum(1 for rel in fresh if rel not in last_pages)
        gone = last_pages.keys() - new_pages.keys() if len(new_pages) - added != len(last_pages) else ()
        for rel in gone:
            self._unindex(rel, last_pages[rel].deps)
            try:
                (self.output / rel).unlink()
                deleted += 1
            except FileNotFoundError:
                pass
            self.digests.pop(rel, None)
            _prune(self.output, (self.output / rel).parent)
        if anything and self.defer_extras:
            self.extras_due = True
            extras: dict[str, bytes] = {}
        else:
            extras = builder.extra_files(list(pages.values()), self.search) if anything else {}
        written += self._write_extras(extras)
        deleted += self._drop_extras(extras, new_pages)
        assets = self._assetsnapshot(builder)
        if assets != self.assets or withheld(loaded.model) != self.withheld:
            self._sync_assets(builder)
        self._remember(loaded, builder, new_pages, prints, templates, assets)
        self.problems = []
        clock("rest")
        return Result(
            True, written, deleted, rendered, time.perf_counter() - started, loaded.warnings, phases=clock.phases
        )

    def _index(self, pages: Iterable[tuple[str, Page]], last: dict[str, Page] | None = None) -> None:
        """Add PAGES (output file, page) to self.showing, in place of the pages LAST had
        at their files; those with the same keys are there already (after a template
        edit, all of them)."""
        showing = self.showing
        for rel, page in pages:
            before = last.get(rel) if last is not None else None
            if before is not None:
                if before.deps == page.deps:
                    continue
                self._unindex(rel, before.deps - page.deps)
            for key in page.deps:
                files = showing.get(key)
                if files is None:
                    showing[key] = {rel}
                else:
                    files.add(rel)

    def _unindex(self, rel: str, keys: Iterable[str]) -> None:
        """Take the page at REL out of self.showing under KEYS."""
        for key in keys:
            files = self.showing.get(key)
            if files is not None:
                files.discard(rel)
                if not files:
                    del self.showing[key]

    def _showing(self, keys: Iterable[str]) -> set[str]:
        """The output files of the pages that showed any of KEYS (and maybe more)."""
        out: set[str] = set()
        for key in keys:
            out.update(self.showing.get(key, ()))
        return out

    def _forget_fragments(
        self, builder: Builder, changed: set[str], everything: bool = False, suspects: set[str] | None = None
    ) -> None:
        """Drop the kept parts of pages (render.Fragments) that show anything CHANGED:
        a decision's, when its meeting or a meeting its item links to changed, or when
        it is no longer in the model. SUSPECTS: the meetings whose objects or items' links
        may be new since the parts were indexed; only the parts indexed under them or
        under CHANGED are looked at. None: the links were all worked out again, so every
        part is looked at."""
        cache = builder.env.fragments
        if not cache:
            return
        model = builder.loaded.model
        if everything or (self.loaded is not None and self.loaded.model.today != model.today):
            cache.clear()
            self._fragment_cache = None  # indexed afresh
            return
        # what each showed before the change too: a link the change took away
        before = self.builder.links if self.builder is not None else {}
        own = {key.partition(":")[2] for key in changed if key.startswith(("meeting:", "prose:"))}
        if suspects is None or self._fragment_cache is not cache:
            candidates: Iterable[tuple[str, int]] = list(cache)
            self._fragment_cache = None  # all are indexed again once rendering is over
        else:
            index = self._fragment_index
            candidates = set()
            for key in [*changed, *(f"own:{mid}" for mid in suspects | own)]:
                found = index.get(key)
                if found is not None:
                    candidates.update(found)
        added = builder.env.fragments_added
        for key in candidates:
            kept = cache.get(key)
            if kept is None:
                continue  # dropped already (its index entries stay until the index is made afresh)
            item = _item_of(kept[0])
            meeting = item.meeting if item is not None else None
            if (
                meeting is None
                or model.meetings.get(meeting.id) is not meeting
                or meeting.id in own
                or not changed.isdisjoint(item_links(item, builder.links))  # type: ignore[arg-type]
                or not changed.isdisjoint(before.get(id(item), ()))
            ):
                del cache[key]
                self._fragment_stale += 1
            else:
                added.append(key)  # indexed again under its links as they are now

    def _index_fragments(self, builder: Builder) -> None:
        """Index the parts of pages kept since the last time (see _forget_fragments)."""
        env = builder.env
        cache = env.fragments
        if cache is None:
            return
        keys: Iterable[tuple[str, int]] = env.fragments_added
        if self._fragment_cache is not cache or self._fragment_stale > 10_000 + len(cache):
            self._fragment_cache = cache  # index all of it afresh: a new cache, or many dropped
            self._fragment_index = {}
            self._fragment_stale = 0
            keys = list(cache)
        index = self._fragment_index
        links = builder.links
        for key in keys:
            kept = cache.get(key)
            if kept is None:
                continue
            item = _item_of(kept[0])
            if item is None or item.meeting is None:
                continue  # dropped at the next edit whatever it is (see _forget_fragments)
            for dep in (f"own:{item.meeting.id}", *item_links(item, links)):
                found = index.get(dep)
                if found is None:
                    index[dep] = {key}
                else:
                    found.add(key)
        env.fragments_added = []

    def _render(self, builder: Builder, due: list[tuple[str, Page]]) -> int:
        """Render and write DUE; files written. Many pages (a body renamed, a shared
        template edited) are shared out to forked workers, as in a full build."""
        jobs = os.cpu_count() or 1
        if serial(jobs, len(due)):
            return sum(self._put(rel, builder.render(page)) for rel, page in due)
        shares = jobs * 8

        def render(task: tuple[int, int]) -> list[tuple[str, str, int]]:
            """In a forked worker: render a share of the pages due, write those whose bytes
            changed, and say (path, digest, written) for each."""
            out = []
            for rel, page in share(due, *task):
                wrote = self._put(rel, builder.render(page))
                out.append((rel, self.digests[rel], wrote))
            return out

        done = on_forks(render, [(i, shares) for i in range(shares)], jobs)
        written = 0
        for results in done:
            for rel, digest, wrote in results:
                self.digests[rel] = digest
                written += wrote
        return written

    def _put(self, rel: str, data: bytes) -> int:
        """Write one output file if its bytes changed; 1 when written, else 0."""
        digest = hashlib.sha1(data).hexdigest()
        if self.digests.get(rel) == digest:
            return 0
        _write_atomic(self.output / rel, data)
        self.digests[rel] = digest
        return 1

    def _write_extras(self, extras: dict[str, bytes]) -> int:
        return sum(self._put(rel, data) for rel, data in extras.items())

    def _drop_extras(self, extras: dict[str, bytes], pages: dict[str, Page]) -> int:
        if not extras:
            return 0
        deleted = 0
        for rel in self.extras - set(extras) - set(pages):
            (self.output / rel).unlink(missing_ok=True)
            self.digests.pop(rel, None)
            _prune(self.output, (self.output / rel).parent)
            deleted += 1
        self.extras = set(extras)
        return deleted

    def publish_due(self) -> int:
        """Write the feeds, calendars and data files that a deferred rebuild left out."""
        if not self.extras_due or self.builder is None:
            return 0
        self.extras_due = False
        with paused_gc():
            extras = self.builder.extra_files(list(self.pages.values()), self.search)
            return self._write_extras(extras) + self._drop_extras(extras, self.pages)

    def _sync_assets(self, builder: Builder) -> None:
        assert self.loaded is not None
        wanted: dict[str, Path] = dict(builder.static_files())
        wanted.update(published_files(builder.loaded.files, builder.loaded.model))
        for rel, src in wanted.items():
            dest = self.output / rel
            data = src.read_bytes()
            if not dest.is_file() or dest.read_bytes() != data:
                _write_atomic(dest, data)
        for area in ("static", "files"):
            base = self.output / area
            if base.is_dir():
                for path in sorted(base.rglob("*"), reverse=True):
                    rel = path.relative_to(self.output).as_posix()
                    if path.is_file() and rel not in wanted:
                        path.unlink()
                    elif path.is_dir() and not any(path.iterdir()):
                        path.rmdir()
        self.withheld = withheld(builder.loaded.model)


def _item_of(subject: object) -> m.Item | None:
    """The item whose decision a kept part of a page shows."""
    return subject.item if isinstance(subject, m.Decision) else None


def _is_builtin(folder: Path) -> bool:
    from .render import builtin_theme

    return folder.resolve() == builtin_theme().resolve()


PROSE_ATTRS = {
    m.Meeting: ("notes", "location"),
    m.Item: ("minutes", "report"),
    m.Interest: ("interest",),
    m.Amendment: ("text",),
    m.Decision: ("text",),
    m.Decides: ("note",),
}


def _parts(meeting: m.Meeting) -> list[object]:
    """Every object of a meeting that carries prose, in a fixed order."""
    out: list[object] = [meeting]
    for item in meeting.items:
        out.append(item)
        out += item.interests
        out += item.amendments
        for decision in item.decisions:
            out.append(decision)
            out += decision.decides
    return out


def prose(meeting: m.Meeting) -> list[str]:
    return [getattr(o, a) for o in _parts(meeting) for a in PROSE_ATTRS[type(o)] if getattr(o, a)]


def copy_prose(source: m.Meeting, target: m.Meeting) -> None:
    for new, old in zip(_parts(source), _parts(target), strict=True):
        for attr in PROSE_ATTRS[type(new)]:
            setattr(old, attr, getattr(new, attr))
    target.linking_prose = None


LOCAL_ATTRS = ("status", "record", "end", "documents")


def copy_local(source: m.Meeting, target: m.Meeting) -> None:
    """The fields of a meeting that no link depends on (statuses are worked out again)."""
    for attr in LOCAL_ATTRS:
        setattr(target, attr, getattr(source, attr))


def local_structure(meeting: m.Meeting) -> tuple:
    """structure() without the LOCAL_ATTRS: equal when an edit changed only those and prose."""
    whole = structure(meeting)
    return whole[:4] + whole[7:11] + whole[12:]


def _warned(meeting: m.Meeting, today: object) -> bool:
    """Whether linking would warn about the meeting's status and date (the full path reports it)."""
    return (
        (meeting.status == "scheduled" and meeting.date < today)  # type: ignore[operator]
        or (meeting.status == "held" and meeting.date > today)  # type: ignore[operator]
        or (meeting.status in ("cancelled", "postponed") and has_record(meeting))
        or (meeting.start is not None and meeting.end is not None and meeting.end < meeting.start)
    )


def read_by_status(recommendation: m.Decision) -> set[str]:
    """The ids of the meetings whose status or date RECOMMENDATION's status reads (see
    link.recommendation_status): its own, those whose agendas consider it, the one it is
    expected at, and those of the decisions that settled it so far."""
    item = recommendation.item
    assert item is not None and item.meeting is not None
    meetings = {item.meeting.id}
    for it in [*recommendation.considered_by, *item.considered_by]:
        if it.meeting is not None:
            meetings.add(it.meeting.id)
    if recommendation.at is not None:
        meetings.add(recommendation.at.id)
    for step in recommendation.steps:
        if step.decision is not None and step.decision.meeting is not None:
            meetings.add(step.decision.meeting.id)
    for new in recommendation.superseded_by:
        meetings.add(new.meeting.id)
    return meetings


def restatus(recommendations: Iterable[m.Decision]) -> None:
    for decision in recommendations:
        decision.status = recommendation_status(decision)


def structure(meeting: m.Meeting) -> tuple:
    """Everything of a meeting that links, orders or names things: all but its prose."""
    items = []
    for item in meeting.items:
        items.append(
            (
                item.id, item.title, item.number, item.issue_id, item.exempt, item.exempt_reason,
                item.exempt and bool(item.minutes), tuple(item.aliases), tuple(r for r, _ in item.considers_refs),
                tuple(i.person_id for i in item.interests),
                tuple((a.id, a.result, a.moved_by_ref and a.moved_by_ref[0], a.seconded_by_ref and a.seconded_by_ref[0]) for a in item.amendments),
                tuple((v.on, repr(v.people_refs)) if v.people_refs else (v.on, v.for_count, v.against_count, v.abstained_count) for v in item.votes),
                tuple((d.id, d.type, d.to_id, d.at_id, d.supersedes_ref, tuple((s.ref, s.outcome) for s in d.decides)) for d in item.decisions),
                tuple((d.title, d.href, d.file_type, d.size) for d in item.documents),
                tuple(len(x) for x in (item.interests, item.amendments, item.decisions)),
            )
        )  # fmt: skip
    return (
        meeting.id, meeting.body_id, meeting.date, meeting.start, meeting.end, meeting.status, meeting.record,
        meeting.chair_id, tuple(meeting.present_ids), tuple(meeting.apologies_ids), tuple(meeting.in_attendance_ids),
        tuple((d.title, d.href, d.file_type, d.size) for d in meeting.documents), tuple(meeting.aliases), tuple(items),
    )  # fmt: skip


def _prune(root: Path, folder: Path) -> None:
    """Remove empty folders from FOLDER up to (not including) ROOT."""
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


__all__ = ["Project", "Result", "m"]
