"""Incremental builds: keep the last build and rewrite only the pages whose inputs changed.

As each page renders, what it reads is recorded (sitegen.record): every attribute of
every model object, every ref: looked up, every template loaded. After an edit the
model is loaded again (only the changed meeting files are read; when only meeting
files changed, they are linked in where they reach, see build.relink), the recorded
reads are asked of the new model, and a page is rendered again when anything it read
has a new value, when its template or anything it includes changed, or when the plan
gives it other objects, title or template. Nothing is declared by hand, by sitegen or
by a theme; the result is byte-for-byte what a clean build of the same content writes.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import model as m
from . import record, validate
from .build import Aside, Builder, Loaded, Log, _quiet, build, load, on_forks, paused_gc, relink, serial, share, today
from .errors import ContentError, Problem, Problems
from .files import check_files, exempt_links, published_files, snapshot
from .link import NeedsFullLink, exempted
from .pages import Page
from .state import cache_folder
from .validate import ParseCache, Parsed, is_meeting_file, read_digested, rel_path
from .write import MARKER, replace_file


@dataclass
class Result:
    ok: bool
    written: int = 0
    deleted: int = 0
    rendered: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    relinked: bool = False  # only meeting files changed: they were linked in where they reach, not the whole site
    # one meeting file changed, in fields linking does not read: set on its objects (see _patched)
    patched: bool = False
    # nothing the plan read changed: the last plan was given again whole (see record.Parts.reusable)
    plan_kept: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # seconds spent in each step, for the bench
    # the plan's parts made again (see record.Parts), when the others were given again; None: all made
    replanned: int | None = None


class _Clock:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


WARM_PARTS = 2000  # the plan's parts recorded in one idle step of the preview (see Project.warm)


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
        self.pages: dict[str, Page] = {}  # the last plan's pages by output file
        self.state = record.Reads()
        self.extras: set[str] = set()
        self.withheld: set[str] = set()  # the files of content/files that only exempt items name
        self.digests: dict[str, str] = {}
        self.templates: dict[str, tuple[int, int]] = {}
        self.assets: dict[str, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.inputs: dict[str, tuple[int, int]] = {}
        # _changed's last answer, with the inputs it was asked about
        self._changes: tuple[object, list[str]] = (None, [])
        self.keys: record.Keys | None = None  # the last build's (see record.Keys: LAST)
        # the plan's pages of each object, given again while what they read is unchanged
        # (recorded while the preview waits, see warm; None until then, or after a full load)
        self.parts: record.Parts | None = None
        self._frozen: m.Model | None = None  # the model whose objects _full froze (see gc.freeze)
        self._built_keys: record.Keys | None = None  # the keys the last full build made (see _full)
        self._cold = False  # the recorded reads are still to be compared once (see warm)
        self._comparing = False  # compared with a model whose pages are not all rendered yet
        # a build succeeded: the output holds a good site (after an error, the last good one,
        # with the pages of later edits written before the error), which the preview serves
        self.served = False
        self._pending: set[int] = set()  # reads found changed by warm, for the next edit
        # the meetings linked in after an edit since the last full load (with record.reader_set
        # of each as last read), their objects by id (with their keys) and what linking read
        # of each since (by key): an edit of such a meeting that changes only fields linking
        # did not read is set on its objects (see _patched)
        self._learnt: dict[str, list] = {}
        self._watched: dict[int, str] = {}
        self._link_reads: dict[str, set[str]] = {}
        self._topped = False  # the plan's reads besides its parts were recorded since the last plan (see warm)
        self._keeping: Aside | None = None  # the forked process keeping the first build's state (see settle)
        self.keep_state = True  # start from, and keep, the build state on disk (see sitegen.state)
        # the preview server publishes the files made whole (the open data: see publish.ModelFile),
        # the sitemap and the redirects just after the reload (publish_due); and after an
        # edit, the feeds and calendars made as pages are that it reaches (publish_parts)
        self.defer_extras = False
        self.parts_due: set[str] = set()  # those feeds and calendars, by output file
        self.claimed = False  # the output is the preview folder this process holds (see state.claim_preview)
        self.index_later = False  # the preview server indexes the first build for search once it serves it
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
                result = self._build(started, inputs)
        except ContentError as exc:
            self.problems = exc.problems
            if self._comparing:  # the recorded values are the new model's, its pages not rendered: start clean
                self.loaded = self.builder = self.parts = None
                self.state = record.Reads()
            self._comparing, self._built_keys = False, None
            return Result(False, problems=exc.problems, seconds=time.perf_counter() - started)
        except BaseException:
            # (a theme's error as a page rendered): what was recorded may be half updated,
            # so the next build starts clean
            self.loaded = self.builder = self.parts = None
            self.state = record.Reads()
            self._comparing, self._built_keys = False, None
            raise
        self.served = self.served or result.ok
        return result

    def warm(self) -> bool:
        """Work done while the preview is idle, a step at a time; False when none is left.
        After a full build: the first comparison of the recorded reads with the model,
        which finds nothing changed but keeps each object's values as they are, so that
        the first edit compares against them at once (see record.Reads.compare) instead
        of working out every value (5 s at 10,000 meetings); and each page's reads as a
        set again, if they came from the build state on disk (see record.Reads.thaw). Then,
        the plan's pages of each object with what making them read (record.Parts), so
        that an edit plans again only those it reaches, WARM_PARTS of them a step (about a
        second at 10,000 meetings); again after an edit whose plan could not give them
        again (one not linked in where it reaches, or that changed the templates, the
        words or what every page reads). Last, the reads grouped again if pages or parts
        read something new (record.Reads.settle), which the next edit would otherwise do
        first (0.5 s at 10,000 meetings)."""
        if self.loaded is None or self.builder is None or self.problems:
            return False
        if self._cold:
            self._cold = False
            with paused_gc():
                keys, self._built_keys = self._built_keys, None
                if keys is None or keys.model is not self.loaded.model:
                    keys = record.Keys(self.loaded.model, self.builder.lookups())
                self.keys = keys
                self._pending |= self.state.compare(keys)  # (none, but if any, the next edit renders their pages)
                self.state.thaw(self.pages)
            return self.parts is None
        if self.keys is not None and (self.parts is None or self.parts.left):
            parts = self.parts or record.Parts(self.state)
            parts.begin(self.keys, None, budget=WARM_PARTS)
            with paused_gc():
                self.builder.plan(parts)
            parts.end()
            self.parts, self.pages = parts, dict(self.builder.planned)
            if not parts.left and self.loaded.model is self._frozen:
                # (the parts of the first build's model, frozen as its objects are, see _full;
                # never those of a later model, whose objects would never be collected)
                gc.freeze()
            return bool(parts.left) or self.state.unsettled
        if self.keys is not None and self.parts is not None and not self._topped and not self.parts.left:
            # (what the plan reads besides its parts: an edit that changes none of it, nor
            # any part's, and makes no object afresh leaves the plan as it is, see _update)
            with paused_gc():
                self.parts.record_top(self.keys, self.builder.plan)
            self.pages = dict(self.builder.planned)
            self._topped = True
            return True
        if self.keys is not None and self.state.unsettled:  # (what the next edit would do first)
            with paused_gc():
                self._pending |= self.state.settle(self.keys)
        return False

    def settle(self, timeout: float | None = None) -> None:
        """Wait for the forked process that keeps the first build's state, if it is still
        at work (the preview's first build leaves it to one, see build's SETTLE_LATER):
        before the next build, which changes the pages it links into the cache, and as
        the preview stops. Should it fail, or the wait be interrupted or last more than
        TIMEOUT seconds (it is ended then), the state is not kept: the next preview or
        build is a clean one."""
        keeping, self._keeping = self._keeping, None
        if keeping is not None:
            try:
                keeping.result(timeout)
            except Exception as exc:
                self.log(f"warning: the build state was not kept ({exc})")
            except BaseException:
                keeping.cancel()
                raise

    def _build(self, started: float, inputs: dict[str, tuple[int, int]] | None) -> Result:
        self.settle()
        if inputs is None:
            inputs = snapshot(self.watched())
        if self.loaded is not None and self.served and not (self.output / MARKER).is_file():
            # the output went (the cache folder deleted as the preview runs): a clean build makes it whole
            self.loaded = self.builder = self.parts = None
            self.state = record.Reads()
            self._comparing, self._built_keys = False, None
        if self.loaded is None:
            result = self._full(started)
            inputs = snapshot(self.watched())  # now with the theme folders the build used
        elif inputs == self.inputs and not self.problems:
            return Result(True, seconds=time.perf_counter() - started)
        else:
            result = self._update(inputs, started)
        self.inputs = inputs
        return result

    def _full(self, started: float) -> Result:
        report = build(
            self.content,
            self.output,
            log=self.log,
            base_path=self.base_path,
            cache=self.cache,
            search=self.search,
            record_reads=True,
            state_folder=cache_folder(self.content) if self.keep_state else None,
            index=not self.index_later,
            whole=not self.defer_extras,
            settle_later=self.defer_extras,
            preview=self.claimed,
            live=True,
        )
        self._keeping = report.keeping
        builder = report.builder
        assert builder is not None and report.state is not None
        loaded = builder.loaded
        self.state = report.state
        self._cold, self._pending, self.keys, self.parts_due, self.parts = True, set(), None, set(), None
        self._built_keys = report.keys  # (the first comparison's, see warm)
        self._forget_links()
        self._topped = False
        self.pages = builder.planned  # (the feeds and calendars made as pages are among them; a plan makes a new dict)
        self.loaded, self.builder = loaded, builder
        self.extras = set(report.extras)
        self.extras_due = self.defer_extras  # (the open data, written once the first page is served)
        self.withheld = builder.withheld
        self.digests = {}  # (each file's, once it is to be written again: see _put)
        self.templates = self._templatesnapshot(builder)
        self.assets = self._assetsnapshot(builder)
        # the first build's objects live long: keep later collections from scanning them (they
        # are frozen as they are, uncollected: a collection now takes 2.7 s at 10,000 meetings
        # before the first page is served, and finds almost nothing, 856 objects at 1,000)
        gc.freeze()
        self._frozen = loaded.model
        self.problems = []
        return Result(
            True,
            written=report.pages,
            rendered=report.rendered,
            seconds=time.perf_counter() - started,
            problems=report.warnings,
        )

    def _changed(self, inputs: dict[str, tuple[int, int]]) -> list[str]:
        """The watched files added, changed or removed since the last build (INPUTS: now)."""
        if self._changes[0] is not inputs:
            self._changes = (inputs, sorted({p for p, _ in inputs.items() ^ self.inputs.items()}))
        return self._changes[1]

    def _update(self, inputs: dict[str, tuple[int, int]], started: float) -> Result:
        self._built_keys = None  # (of a model this edit replaces: see warm)
        self.publish_parts()  # (what the last edit left, made from its model before this one's)
        clock = _Clock()
        files = str(self.content / "files") + os.sep
        if any(path.startswith(files) for path in self._changed(inputs)):
            self.cache = ParseCache()  # a meeting's documents' sizes are read with its file: read them all again
        touched: list[object] = []  # the objects whose attributes linking the edit in set (see record.touching)
        patched = self._patched(inputs, touched)
        relinked = patched if patched is not None else self._relinked(inputs, touched)
        if relinked is None:
            self._forget_links()
        loaded = relinked or load(self.content, self.base_path, cache=self.cache)
        clock("load and link")
        old_builder = self.builder
        assert old_builder is not None
        builder = Builder(loaded, self.search)
        templates = self._templatesnapshot(builder)
        if (
            templates != self.templates
            or builder.folders != old_builder.folders
            # (addresses are compiled in, in one language; the words always)
            or [w.digest for w in builder.all_words.values()] != [w.digest for w in old_builder.all_words.values()]
        ):
            changed_templates = {
                _template_name(p, [*builder.folders, *old_builder.folders])
                for p in set(templates) | set(self.templates)
                if templates.get(p) != self.templates.get(p)
            }
            kept = False
        else:  # keep the compiled templates, with this build's filters and globals
            changed_templates, kept = set(), True
            for language, env in old_builder.envs.items():
                env.filters.update(builder.envs[language].filters)
                env.tests.update(builder.envs[language].tests)
                env.globals.update(builder.envs[language].globals)
                env.forget_modules()  # (an imported template's macros keep the filters they were made with)
            builder.envs, builder.env = old_builder.envs, old_builder.env
        clock("builder")
        if patched is not None and self.keys is not None:  # the very objects: their keys are as they were
            keys = self.keys
            keys.fresh, keys.lookups = set(), builder.lookups()
        else:
            keys = self.keys = record.Keys(
                loaded.model, builder.lookups(), last=self.keys, touched=touched if relinked is not None else None
            )
        self._comparing = True  # until the pages are rendered (see build)
        changed = (
            self.state.compare(keys, touched=touched if relinked is not None else None, linked=patched is None)
            | self._pending
        )
        self._pending = set()
        clock("compare")
        globals_now = builder.globals_signature(keys)
        everything = globals_now != self.state.globals
        self.state.globals = globals_now
        # (the pages of each object again, unless what they read changed: when the model is the
        # last one linked anew where the edit reaches, with the same words and templates)
        parts = self.parts if relinked is not None and kept and not everything else None
        plan_kept = parts is not None and patched is not None and parts.reusable(keys, changed)
        if plan_kept:
            # (nothing the plan read changed, and its objects are the very ones: it is as it was)
            builder.planned, builder.parts = old_builder.planned, old_builder.parts
            builder._publics = old_builder._publics
            parts.made = 0
        elif parts is None:
            self.parts, self._topped = None, False  # (made again while the preview waits: see warm)
            builder.plan()
        else:  # (those not kept yet are left to the idle steps: see warm)
            parts.begin(keys, changed, budget=0 if parts.left else None)
            builder.plan(parts)
            parts.end()
            parts.top, self._topped = None, False
        new_pages = builder.planned
        clock("plan")
        due = self.state.due(keys, new_pages, changed, changed_templates, everything, self.pages)
        if self.defer_extras:  # the browser reloads the pages: the feeds and calendars just after
            later = [rel for rel, page in due if page.__class__ is not Page]
            if later:
                self.parts_due.update(later)
                due = [(rel, page) for rel, page in due if page.__class__ is Page]
        clock("due")
        # (the pages: the feeds and calendars made as pages are, see Builder.plan, are not counted)
        rendered, written = sum(p.__class__ is Page for _, p in due), self._render(builder, keys, due)
        clock("render")
        deleted = 0
        for rel in self.pages.keys() - new_pages.keys():
            self.state.forget(rel)
            self.parts_due.discard(rel)
            try:
                (self.output / rel).unlink()
                deleted += 1
            except FileNotFoundError:
                pass
            self.digests.pop(rel, None)
            _prune(self.output, (self.output / rel).parent)
        if self.defer_extras:
            self.extras_due = True
            extras: dict[str, bytes] = {}
        else:
            extras = builder.extra_files(list(new_pages.values()), self.search, whole_only=True)
        written += self._write_extras(extras)
        deleted += self._drop_extras(extras, new_pages)
        assets = self._assetsnapshot(builder)
        if assets != self.assets or builder.withheld != self.withheld:
            self._sync_assets(builder)
        self.loaded, self.builder, self.pages = loaded, builder, new_pages
        self._comparing = False
        self.templates, self.assets = templates, assets
        self.problems = []
        clock("rest")
        return Result(
            True,
            written,
            deleted,
            rendered,
            time.perf_counter() - started,
            loaded.warnings,
            relinked=relinked is not None,
            patched=patched is not None,
            plan_kept=plan_kept,
            phases=clock.phases,
            replanned=None if parts is None else parts.made,
        )

    def _relinked(self, inputs: dict[str, tuple[int, int]], touched: list[object]) -> Loaded | None:
        """When only meeting files changed: the last build's model with the changed files
        read again and linked in where they reach (see build.relink), and in TOUCHED the
        objects whose attributes linking set; None when the site must be loaded again
        (the change is beyond that, or has errors to report)."""
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
                meeting, digest = read_digested(Path(path), self.content, fresh)
                if meeting is None or fresh.errors:
                    return None
                added.append(meeting)
                found += fresh.items
                entries[rel] = Parsed((*inputs[path], validate.LANGUAGES), meeting, fresh.items, digest)
        learn = self.keys is not None  # (what linking reads is recorded, for _patched)
        read_sets = [(meeting, record.reader_set(meeting)) for meeting in added] if learn else []
        try:
            with record.touching() as reached, record.recording() if learn else nullcontext() as recorder:
                relinked = relink(loaded, removed, added, found)
        except NeedsFullLink:
            return None
        touched += reached
        self.cache.entries.update(entries)
        if recorder is not None:
            reads, _ = recorder.take()
            watched, link_reads = self._watched, self._link_reads
            for meeting in removed:  # (their objects are gone: their ids may be another's)
                for _, obj in m.owned_by(meeting):
                    watched.pop(id(obj), None)
            for meeting in added:
                watched.update((id(obj), key) for key, obj in m.owned_by(meeting))
            for oid, attr in reads:
                key = watched.get(oid)
                if key is not None:
                    link_reads.setdefault(key, set()).add(attr)
            self._learnt.update((meeting.id, reader_set) for meeting, reader_set in read_sets)
        return relinked

    def _forget_links(self) -> None:
        """After a full load: no meeting is known linked in since (see _patched)."""
        self._learnt, self._watched, self._link_reads = {}, {}, {}

    def _patched(self, inputs: dict[str, tuple[int, int]], touched: list[object]) -> Loaded | None:
        """When one meeting file changed, and only in fields that linking did not read when
        it was last linked in (see _relinked; what it read of each object is recorded, as a
        page's reads are): the last build's model with those fields set on the meeting's
        very objects (noted in TOUCHED), which is what linking it in again would give,
        without the work over the whole site that comes after (its objects keyed, and
        every list and dict compared: see record.Reads.compare's LINKED). None otherwise."""
        loaded, keys = self.loaded, self.keys
        changed = self._changed(inputs)
        if loaded is None or keys is None or self.problems or len(changed) != 1 or loaded.linker is None:
            return None
        path = changed[0]
        root = str(self.content) + os.sep
        if not path.startswith(root) or path not in inputs or path not in self.inputs:
            return None
        rel = rel_path(Path(path), self.content)
        entry = self.cache.entries.get(rel)
        old = entry.meeting if entry is not None and is_meeting_file(rel) else None
        model = loaded.model
        if old is None or model.meetings.get(old.id) is not old or old.id not in self._learnt:
            return None
        if today(model.site.timezone) != model.today:
            return None
        fresh = Problems()
        new, _ = read_digested(Path(path), self.content, fresh)
        if new is None or fresh.errors or fresh.items != entry.problems:  # type: ignore[union-attr]
            return None
        if exempted([old], [new]):  # (a safeguard: linking reads an item's exemption, see below)
            return None  # (prose anywhere may link to its decision: linked in, which says so)
        if self._learnt[old.id] != record.reader_set(new):
            return None  # (what linking made of a field the file gave too, say a vote's count: linked in)
        changes = record.file_changes(old, new)
        if changes is None:
            return None
        reads, watched = self._link_reads, self._watched
        for obj, attr, _ in changes:
            key = watched.get(id(obj))
            if key is None or attr in reads.get(key, ()):
                return None
        linker = loaded.linker
        kept, linker.problems = linker.problems, Problems()
        try:  # (the prose's ref: links and what Markdown.lint reports, as linking would check them)
            linker.check_prose(loaded.markdown, [new])
            if linker.problems.items:
                return None
        finally:
            linker.problems = kept
        before = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in changes]
        hidden = exempt_links([old])  # (the files its exempt items' texts link to: never published)
        with record.touching() as reached:
            for obj, attr, value in changes:
                setattr(obj, attr, value)
        exempt = Problems()
        check_files(
            model, exempt, loaded.files
        )  # (as linking it in checks it: a file of an exempt item named in public)
        if exempt.items or exempt_links([old]) != hidden:  # (the files published change: a full load)
            for obj, attr, value in before:
                setattr(obj, attr, value)
            return None
        old.linking_prose = new.linking_prose
        touched += reached
        # (known by no time and no digest: a full load reads the file again rather than take
        # the objects set here for what it says)
        self.cache.entries[rel] = Parsed((0, 0, validate.LANGUAGES), old, fresh.items, "")
        return loaded

    def _render(self, builder: Builder, keys: record.Keys, due: list[tuple[str, Page]]) -> int:
        """Render DUE, recording what each reads, and write those whose bytes changed; the
        files written. Many pages (a body renamed, a shared template edited) are shared
        out to forked workers, as in a full build."""
        jobs = os.cpu_count() or 1
        if serial(jobs, len(due)):
            written = 0
            with record.recording() as recorder:
                for rel, page in due:
                    data = builder.render(page)
                    self.state.record(rel, keys, *recorder.take())
                    written += self._put(rel, data)
            return written
        shares = jobs * 8

        def render(task: tuple[int, int]) -> list[tuple[str, str, int, list, set[str]]]:
            """In a forked worker: render a share of the pages due, write those whose bytes
            changed, and say (path, digest, written, reads, templates) for each."""
            out = []
            with record.recording() as recorder:
                for rel, page in share(due, *task):
                    data = builder.render(page)
                    pairs, templates = keys.pairs(*recorder.take())
                    wrote = self._put(rel, data)
                    out.append((rel, self.digests[rel], wrote, pairs, templates))
            return out

        written = 0
        for results in on_forks(render, [(i, shares) for i in range(shares)], jobs):
            for rel, digest, wrote, pairs, templates in results:
                self.digests[rel] = digest
                self.state.remember(rel, pairs, templates)
                written += wrote
        return written

    def _put(self, rel: str, data: bytes) -> int:
        """Write one output file if its bytes changed; 1 when written, else 0."""
        digest = hashlib.sha1(data).hexdigest()
        last = self.digests.get(rel)
        if last is None:  # not written since the first build: as it is in the output
            try:
                last = hashlib.sha1((self.output / rel).read_bytes()).hexdigest()
            except OSError:
                pass
        if last == digest:
            self.digests[rel] = digest
            return 0
        replace_file(self.output / rel, data)
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

    def published_later(self) -> None:
        """What to do here when publish_due runs in a forked copy (see serve's
        BackgroundPublisher): know the files it writes, so that the next removes those
        gone since (a redirect page, say)."""
        if self.extras_due and self.builder is not None:
            self.extras_due = False
            # (added to: should the copy fail before it removes the files gone, the next does)
            self.extras |= self.builder.extra_names(list(self.pages.values()))

    def publish_parts(self) -> int:
        """Make the feeds and calendars that the last edit reached and left for after the
        reload (see defer_extras), recording what they read, as the pages were; the files
        written. In this process, never a forked copy: the reads recorded are the state's."""
        due = [(rel, self.pages[rel]) for rel in sorted(self.parts_due) if rel in self.pages]
        self.parts_due = set()
        if not due or self.builder is None or self.keys is None:
            return 0
        try:
            with paused_gc():
                return self._render(self.builder, self.keys, due)
        except BaseException:  # what was recorded may be half updated: the next build starts clean
            self.loaded = self.builder = self.parts = None
            self.state = record.Reads()
            raise

    def publish_due(self) -> int:
        """Write the files that a deferred rebuild left out (the feeds and calendars an edit
        reached, see publish_parts; the open data, the calendar of every meeting, the
        awaiting feed, the sitemap and the redirects)."""
        written = self.publish_parts()
        if not self.extras_due or self.builder is None:
            return written
        self.extras_due = False
        with paused_gc():
            extras = self.builder.extra_files(list(self.pages.values()), self.search, whole_only=True)
            return written + self._write_extras(extras) + self._drop_extras(extras, self.pages)

    def _sync_assets(self, builder: Builder) -> None:
        assert self.loaded is not None
        wanted: dict[str, Path] = dict(builder.static_files())
        wanted.update(published_files(builder.loaded.files, builder.withheld))
        for rel, src in wanted.items():
            dest = self.output / rel
            data = src.read_bytes()
            if not dest.is_file() or dest.read_bytes() != data:
                replace_file(dest, data)
        for area in ("static", "files"):
            base = self.output / area
            if base.is_dir():
                for path in sorted(base.rglob("*"), reverse=True):
                    rel = path.relative_to(self.output).as_posix()
                    if path.is_file() and rel not in wanted:
                        path.unlink()
                    elif path.is_dir() and not any(path.iterdir()):
                        path.rmdir()
        self.withheld = builder.withheld


def _template_name(path: str, folders: list[Path]) -> str:
    """A template's name as Jinja loads it ("partials/note.html"), from its file's PATH."""
    for folder in folders:
        root = str(folder / "templates") + os.sep
        if path.startswith(root):
            return path[len(root) :].replace(os.sep, "/")
    return Path(path).name


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
