"""The phases of a build: read -> check -> link -> (stop on errors) -> plan ->
render -> write atomically -> report."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from . import i18n, present, record, state
from . import model as m
from .errors import ContentError, Location, Problem, Problems
from .files import check_files, published_files, withheld
from .files import scan as scan_files
from .i18n import N_
from .link import Linker, NeedsFullLink, link
from .markdown import Markdown
from .pages import Page, has_executive, plan, public, whole
from .publish import ModelFile, Publisher, Streamed, is_part
from .render import environment, theme_folders
from .urls import NAMED, Urls, asset_path, language_prefix, output_file, path_for, path_of
from .validate import (
    ParseCache,
    linked_out,
    load_meeting,
    meeting_files,
    read_digested,
    read_forward_plan,
    read_site_files,
    rel_path,
    stray,
)
from .write import (
    MARKER,
    MARKER_TEXT,
    _exchange,
    folder_of,
    output_lock,
    recover,
    safe_output,
    staging_folder,
    swap_in,
    write_file,
)

Log = Callable[[str], None]


class ThemeError(Exception):
    """A template that does not parse or render; the output is left untouched."""


def _quiet(_: str) -> None:
    pass


def today(timezone: str = "Europe/London") -> dt.date:
    """The day the site is built for: SITEGEN_TODAY (YYYY-MM-DD, as `--today` sets it);
    else the day of SOURCE_DATE_EPOCH (the reproducible-builds convention) in TIMEZONE;
    else today in TIMEZONE (the site's: a build just after midnight UTC in summer is
    already tomorrow in London)."""
    from zoneinfo import ZoneInfo

    value = os.environ.get("SITEGEN_TODAY")
    if value:
        return dt.date.fromisoformat(value)
    try:
        zone: dt.tzinfo = ZoneInfo(timezone)
    except Exception:
        zone = dt.UTC
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=zone).date()
    return dt.datetime.now(tz=zone).date()


@dataclass
class Loaded:
    """A content folder read, checked and linked."""

    content: Path
    model: m.Model
    markdown: Markdown
    urls: Urls
    problems: list[Problem] = field(default_factory=list)
    linker: Linker | None = None  # what linked it, kept to link again after a change (see relink)
    files: dict[str, Path] = field(default_factory=dict)  # the files of files/ that may be published (files.scan)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def load(
    content: Path,
    base_path: str | None = None,
    on: dt.date | None = None,
    cache: ParseCache | None = None,
    on_read: Callable[[ParseCache, list[Path]], None] | None = None,
) -> Loaded:
    """Read, validate and link CONTENT; raise ContentError listing every error. CACHE: the
    meeting files read before (only the others are read); ON_READ(cache, paths): called
    once every meeting file is read, before anything is linked."""
    content = Path(content)
    problems = Problems()
    if not content.is_dir():
        what = "is a file, not a folder: give the folder that holds site.yaml" if content.exists() else "does not exist"
        raise ContentError([Problem(Location(str(content)), f"the content folder {what}")])
    site, bodies, people, has_people, issue_info = read_site_files(content, problems)
    meetings = []
    failed: set[str] = set()  # meetings whose files have errors: references to them are not reported again
    for folder in linked_out(content):
        problems.error(
            Location(folder),
            "this folder is a symbolic link to a folder outside the content folder, whose files are not read "
            "(they could publish any file on this computer); put the folder itself here",
        )
    problems.items.extend(stray(content))
    paths = meeting_files(content, problems.items)
    read = read_on_two(paths, content) if cache is None else None
    if cache is not None:
        stale = cache.stale(paths, content)  # (each with its key taken before reading: see ParseCache.put)
        many = read_on_two([path for path, _ in stale], content)
        for n, (path, key) in enumerate(stale):
            if many is not None:
                cache.put(path, content, key, *many[n])
            else:
                cache.get(path, content, Problems())  # (its problems are kept, and said below)
        if on_read is not None:
            on_read(cache, paths)
    for n, path in enumerate(paths):
        before = len(problems.errors)
        if read is not None:
            meeting, found, _ = read[n]
            problems.items.extend(found)
        else:
            meeting = load_meeting(path, content, problems, cache)
        if meeting is None or len(problems.errors) > before:
            failed.add(path.name.rsplit(".", 1)[0])
        if meeting is not None:
            if meeting.id.isdigit() and len(meeting.id) == 4:
                what, page = ("decision", "decisions-year") if meeting.maker_id else ("meeting", "meetings-year")
                problems.error(
                    meeting.loc,
                    f'the {what} id "{meeting.id}" would clash with the year page /{path_for(page, meeting.id)}',
                )
                continue
            meetings.append(meeting)
    files = scan_files(content, problems)
    plan = read_forward_plan(content, problems)
    model, linker = link(
        site, bodies, people, has_people, issue_info, meetings, problems, on or today(site.timezone), failed, plan
    )
    urls = Urls(base_path if base_path is not None else site.base_path, site.published)

    def resolve(ref: str) -> str | None:
        record.lookup("ref", ref)  # (a page being recorded depends on what REF names)
        target = ref_target(linker, ref)
        if isinstance(target, m.Decision) and target.item is not None and target.item.exempt:
            if target.item.meeting is not None and target.item.meeting.maker_id:
                return urls(target.item.meeting)  # a decision file's page: its title and reason
            return None  # not on the item's page: an exempt item shows only its title and reason
        return urls(target) if target is not None else None

    markdown = Markdown(resolve, urls.root)
    linker.check_prose(markdown)
    _check_aliases(model, problems)
    check_files(model, problems, files)
    if problems.errors:
        raise ContentError(problems.sorted())
    return Loaded(content, model, markdown, urls, problems.sorted(), linker, files)


def ref_target(linker: Linker, ref: str) -> object:
    """What a ref: link to REF names (a meeting, item or decision), or None."""
    return linker.refs.get(ref.strip().strip("/"))


def _template_line(exc: BaseException) -> str | None:
    """Where in a template EXC was raised, as FILE:LINE (the last template frame of its
    traceback: Jinja gives them the template's file and line), or None when none was."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt")) and os.path.isfile(name):
            found = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def check_theme(loaded: Loaded) -> list[str]:
    """Every template of the site's theme compiled, as a build compiles them: the problems,
    each as 'FILE:LINE: message' (a theme's own errors, which no content check finds)."""
    folders = theme_folders(loaded.content, loaded.model.site.theme)
    env = environment(folders, loaded.urls, loaded.markdown)
    found = []
    for name in sorted(env.list_templates(extensions=["html"])):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            found.append(f"{exc.filename or name}:{exc.lineno}: {exc.message}")
        except jinja2.TemplateError as exc:
            found.append(f"{name}: {exc}")
    return found


def relink(loaded: Loaded, removed: list[m.Meeting], added: list[m.Meeting], found: list[Problem]) -> Loaded:
    """LOADED after meeting files alone changed: REMOVED are the meetings of the files that
    changed or went, ADDED (with FOUND, their files' own warnings) those of the files that
    changed or came. The same as loading the content again, in a fraction of the time;
    raises NeedsFullLink when only a full load can say (or report) what the change did."""
    linker = loaded.linker
    if linker is None or today(loaded.model.site.timezone) != loaded.model.today:
        raise NeedsFullLink("nothing to start from, or the day has changed")
    model, problems = linker.update(removed, added, loaded.problems, found, loaded.markdown)
    exempt = Problems()
    with record.unrecorded():  # (it only reports: an edit set on a meeting's objects checks it again, see incremental)
        check_files(model, exempt, loaded.files)
    if exempt.items:
        raise NeedsFullLink("a file is named by an exempt item and a public one")
    return Loaded(loaded.content, model, loaded.markdown, loaded.urls, problems, linker, loaded.files)


PARALLEL_READ_FROM = 400  # meeting files before a forked process reads some of them


def read_on_two(paths: list[Path], content: Path) -> list[tuple[m.Meeting | None, list[Problem], str]] | None:
    """Read and validate many meeting files on two processes: a forked child reads the
    first part and sends its meetings back pickled, while this process reads the rest.
    The same results, in the same order, as reading them one by one; None when the
    files are too few, or there is one core, or no fork (then the caller reads them)."""
    if len(paths) < PARALLEL_READ_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return None

    def read(part: list[Path]) -> list[tuple[m.Meeting | None, list[Problem], str]]:
        out = []
        for path in part:
            found = Problems()
            meeting, digest = read_digested(path, content, found)  # (see ParseCache.stale)
            out.append((meeting, found.items, digest))
        return out

    # the child also pickles what it read, and this process unpickles it after reading its
    # own part: at 10,000 meetings the two are done together when the child reads 40%
    cut = len(paths) * 2 // 5
    aside = Aside(read, paths[:cut])
    try:
        mine = read(paths[cut:])
    except BaseException:
        aside.cancel()
        raise
    try:
        theirs = aside.result()
    except AsideFailed:  # the process itself failed: read its part here
        theirs = read(paths[:cut])
    return theirs + mine  # type: ignore[operator]


def _check_aliases(model: m.Model, problems: Problems) -> None:
    """An alias may not be another thing's id or alias of the same kind: one address, one thing."""
    kinds: list[tuple[str, dict]] = [
        ("meeting", model.meetings),
        ("body", model.bodies),
        ("person", model.people),
        ("issue", model.issue_info),
    ]
    for kind, objects in kinds:
        owner: dict[str, object] = {}
        for obj in objects.values():
            for alias in obj.aliases:
                if alias == obj.id:
                    problems.error(obj.loc, f'alias "{alias}" of {kind} "{obj.id}" is its own id; remove it')
                elif alias in objects and objects[alias] is not obj:
                    other = objects[alias]
                    problems.error(
                        obj.loc,
                        f'alias "{alias}" of {kind} "{obj.id}" is the id of another {kind} (at {other.loc})',
                    )
                elif alias in owner and owner[alias] is not obj:
                    other = owner[alias]
                    problems.error(
                        obj.loc,
                        f'alias "{alias}" of {kind} "{obj.id}" is also an alias of {kind} "{other.id}" '  # type: ignore[attr-defined]
                        f"(at {other.loc}); an old address can lead to one place only",  # type: ignore[attr-defined]
                    )
                owner[alias] = obj
                if kind == "meeting" and alias.isdigit() and len(alias) == 4:
                    problems.error(
                        obj.loc,
                        f'the alias "{alias}" would clash with the year page /{path_for("meetings-year", alias)}',
                    )
    for issue in model.issues.values():
        for alias in issue.aliases:
            other = model.issues.get(alias)
            if other is not None and other is not issue and alias not in model.issue_info:
                info = model.issue_info.get(issue.id)
                problems.error(
                    info.loc if info else Location("issues.yaml"),
                    f'alias "{alias}" of issue "{issue.id}" is the id of another issue, made from its items',
                )
    moved: dict[str, m.Item] = {}
    named = {alias: x for x in model.meetings.values() for alias in x.aliases}  # a meeting by an old id
    named.update(model.meetings)
    for meeting in model.meetings.values():
        ids = {item.id: item for item in meeting.items}
        local: dict[str, m.Item] = {}
        for item in meeting.items:
            for alias in item.aliases:
                if "/" in alias:  # the item's old address in another meeting: MEETING/ITEM
                    mid, iid = alias.split("/", 1)
                    there = named.get(mid)
                    if there is not None and any(iid == x.id or iid in x.aliases for x in there.items):
                        problems.error(item.loc, f'alias "{alias}" of item "{item.ref}" is an item of {mid} still')
                    elif alias in moved and moved[alias] is not item:
                        problems.error(
                            item.loc, f'alias "{alias}" of item "{item.ref}" is also an alias of "{moved[alias].ref}"'
                        )
                    moved[alias] = item
                elif alias in ids and ids[alias] is not item:
                    problems.error(
                        item.loc,
                        f'alias "{alias}" of item "{item.id}" is the id of another item of this meeting '
                        f"(line {ids[alias].loc.line})",
                    )
                elif alias in local and local[alias] is not item:
                    problems.error(
                        item.loc, f'alias "{alias}" of item "{item.id}" is also an alias of item "{local[alias].id}"'
                    )
                local[alias] = item


@dataclass
class BuildReport:
    pages: int
    files: int
    seconds: float
    warnings: list[Problem]
    output: Path
    builder: Builder | None = None
    planned: list[Page] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # feeds, calendars, data files and redirects written
    rendered: int = 0  # pages rendered (the others were unchanged since the build state was kept)
    state: record.Reads | None = None  # what every page read, when recorded (see sitegen.state)
    keeping: Aside | None = None  # the forked process keeping the build state (see build's SETTLE_LATER)
    # the keys of the model's objects, when what each page reads is recorded: kept by the caller
    # that keeps the model (the preview), they are neither made again nor freed while a forked
    # process keeping the state shares their pages (every page a freed object is on is copied)
    keys: record.Keys | None = None


class Builder:
    """Renders and writes a loaded site."""

    def __init__(self, loaded: Loaded, search: bool = True) -> None:
        self.loaded = loaded
        model = loaded.model
        self.folders = theme_folders(loaded.content, model.site.theme)
        # each language's words (read_site_files checked there are some); the first's in use
        self.languages = model.site.published
        self.all_words = {lang: i18n.load(lang, self.folders) for lang in self.languages}
        self.words = self.all_words[self.languages[0]]
        # the templates, compiled once in each language (render.Environment._parse)
        self.envs = {lang: environment(self.folders, loaded.urls, loaded.markdown) for lang in self.languages}
        for lang, env in self.envs.items():
            env.words = self.all_words[lang]
        self.env = self.envs[self.languages[0]]
        self.speak(self.languages[0])
        if not model.site.title:
            model.site.title = self._default_title()
        self.assets = self._assets()
        self.day = model.today  # (read once here, unrecorded: a page that asks depends on the day, see today)
        # the last plan's pages by output file, and the feeds and calendars that are made
        # as pages are (recorded, and made again only when what they read changed)
        self.planned: dict[str, Page | ModelFile] = {}
        # the open data planned as parts too (see publish.ModelFile.part_of): a build that
        # keeps its state makes again only the parts whose reads changed
        self.split = False
        self._publisher: Publisher | None = None
        self.parts: list[ModelFile] | None = None  # the last plan's feeds, calendars and data files
        self._publics: list[list[m.Decision]] | None = None  # see publics
        self.asset_names = {name: rel for rel, (_, name) in self.assets.items()}
        for env in self.envs.values():
            env.tests["upcoming"] = self.is_upcoming
            env.globals.update(self._globals(search))

    def _globals(self, search: bool) -> dict[str, object]:
        model = self.loaded.model
        executive = has_executive(model)
        return dict(
            asset=self.asset,
            search_enabled=search,
            site=model.site,
            today=self.today,
            dated=self.dated,
            as_of=self.as_of,
            for_the_day=self.for_the_day,
            # (not read by the theme: when the words change, every page does)
            words=[w.digest for w in self.all_words.values()],
            executive=executive,  # (the forward plan and call-in pages are published)
            nav=[
                (N_("Meetings"), "meetings"),
                (N_("Decisions"), "decisions"),
                (N_("Awaiting decision"), "awaiting"),
            ]
            + ([(N_("Forward plan"), "forward-plan")] if executive else [])
            + [
                (N_("Topics"), "issues"),  # residents speak of topics; the addresses stay /issues/
                (N_("Bodies"), "bodies"),
            ]
            + ([(N_("People"), "people")] if model.has_people_file else []),
        )

    def plan(self, part: Callable[..., list[Page]] = whole) -> list[Page]:
        """Every page, in each of the site's languages (the first's at the site's addresses).
        PART: what gives the pages of one object (see pages.plan)."""
        pages = []
        for language, prefix in self.each_language():  # (the titles are in the language's words)
            pages += plan(self.loaded.model, self.publics(), part, language, prefix)
        self.planned = {page.file: page for page in pages}
        parts = [file for file in self.plan_files(part) if not file.whole]
        self.planned.update((part.file, part) for part in parts)
        if len(self.planned) != len(pages) + len(parts):
            seen: dict[str, Page] = {}
            problems = Problems()
            for page in [*pages, *parts]:
                out = page.file
                if out in seen:
                    problems.error(
                        Location("meetings"),
                        f'two pages would be written to {out}: "{seen[out].title}" and "{page.title}"',
                    )
                seen[out] = page
            raise ContentError(problems.sorted())
        return pages

    def plan_files(self, part: Callable[..., list] = whole) -> list[ModelFile]:
        """The feeds, calendars and data files (Publisher.plan), planned once, or again
        when asked of PART (see pages.plan)."""
        if self.parts is None or part is not whole:
            self.parts = self.publisher().plan(self.publics(), part, self.split)
        return self.parts

    def assembled(self) -> list[ModelFile]:
        """The whole files put together from their parts (see split), not made whole."""
        pieces = self.publisher().PIECES
        return [part for part in self.plan_files() if part.whole and part.kind in pieces] if self.split else []

    @cached_property
    def withheld(self) -> set[str]:
        """The files of content/files that only exempt items name (files.withheld), worked
        out once (the preview keeps it from the build, which worked it out before forking
        the process that keeps the state: going over the model after the fork copies each
        page of memory it reads, as Python counts references)."""
        return withheld(self.loaded.model)

    def publics(self) -> list[list[m.Decision]]:
        """Each meeting's public decisions (pages.public), in the model's order: worked out
        once for the plan of the pages and that of the feeds and calendars."""
        if self._publics is None:
            self._publics = [public(meeting) for meeting in self.loaded.model.meetings.values()]
        return self._publics

    def is_upcoming(self, meeting: m.Meeting) -> bool:
        """Whether MEETING is still to come (a template test: ``meeting is upcoming``). A
        page depends on the answer, not on the day (a meeting of 2011 is not to come,
        whatever the day); a meeting to come is shown as such on that day, and the page's
        footer says which (see dated)."""
        record.lookup("upcoming", meeting.id)
        upcoming = m.is_upcoming(meeting, self.day)
        if upcoming:
            present.Dated.shown = True
        return upcoming

    def for_the_day(self) -> str:
        """Nothing, said where a page shows what was worked out for the build's day (the
        meetings to come, or that none is): its footer then says which day (see dated).
        (The page is given what it shows by the plan, so what it depends on is known.)"""
        present.Dated.shown = True
        return ""

    def today(self) -> dt.date:
        """The day the site is built for, as templates ask for it (``today()``): a page
        that asks depends on the day, and only such pages are built again the next day."""
        record.lookup("today", "")
        present.Dated.shown = True
        return self.loaded.model.today

    def dated(self) -> bool:
        """Whether the page so far showed something that depends on the day and has not
        said which day it is correct on (the footer's question: ``dated()``)."""
        return present.Dated.shown and not present.Dated.stated

    def as_of(self) -> str:
        """ "Correct on DAY." for a page whose statuses depend on the day (``as_of()``)."""
        present.Dated.stated = True
        return i18n._("Correct on %(date)s.", date=i18n.on_date(self.today()))

    def globals_signature(self, keys: record.Keys) -> object:
        """What every page may read besides the model (the templates' globals, the day,
        the assets' names, the base address), normalized: when it changes, every page does."""
        values = {k: v for k, v in self.env.globals.items() if not callable(v)}
        # (the site's base path, whichever language is being spoken: each page's own is its own)
        return keys.normalize([sorted(values.items()), sorted(self.asset_names.items()), self.loaded.urls.root])

    def settings_key(self) -> str:
        """The build state's name for what, besides the content, every page depends on."""
        search = bool(self.env.globals.get("search_enabled"))
        return state.settings_key(self.loaded.content, self.loaded.urls.base, search, self.folders)

    def template_digests(self) -> dict[str, str]:
        """Each template's name, with a digest of the file the theme's folders give for it."""
        out = {}
        for name in self.env.list_templates():
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            out[name] = hashlib.sha1(source.encode("utf-8")).hexdigest()
        return out

    def lookups(self) -> dict[str, Callable[[str], object]]:
        """What the pages look up by name, besides attributes (see record.Keys)."""
        linker = self.loaded.linker
        model = self.loaded.model
        return {
            "ref": (lambda ref: ref_target(linker, ref)) if linker is not None else (lambda ref: None),
            "today": lambda _: model.today,
            "upcoming": lambda id: (x := model.meetings.get(id)) is not None and m.is_upcoming(x, model.today),
        }

    def _default_title(self) -> str:
        """A site without a title: "AUTHORITY meetings and decisions", in each language."""
        titles = {}
        for language, _prefix in self.each_language():
            titles[language] = i18n._(
                "%(authority)s meetings and decisions", authority=self.loaded.model.site.authority
            )
        return m.Texts(titles, self.languages) if len(self.languages) > 1 else titles[self.languages[0]]

    def speak(self, language: str) -> None:
        """Make LANGUAGE's words and addresses the ones in use (a page's, a feed's)."""
        i18n.activate(self.all_words[language])
        self.loaded.urls.speak(language)

    def each_language(self) -> Iterator[tuple[str, str]]:
        """Each of the site's languages in turn, its words and addresses in use, with the
        prefix of its pages (the first's ""); the first language's in use after."""
        try:
            for language in self.languages:
                self.speak(language)
                yield language, language_prefix(self.languages, language)
        finally:
            self.speak(self.languages[0])

    def alternates(self, page: Page) -> list[tuple[str, str, str, str]]:
        """The same page in each of the site's languages: (language, its own name for
        itself, address, full address), the page's own first."""
        if len(self.languages) < 2:
            return []
        urls = self.loaded.urls
        own = page.path[len(language_prefix(self.languages, page.language)) :]
        site = self.loaded.model.site.base_url
        out = []
        for lang in sorted(self.languages, key=lambda x: x != page.language):
            address = urls.in_language(own, lang)
            full = site + address[len(urls.root) :] if site.startswith("http") else address
            out.append((lang, i18n.language_name(lang), address, full))
        return out

    def publisher(self) -> Publisher:
        """What makes the feeds, calendars and data files (one for the process)."""
        if self._publisher is None:
            loaded = self.loaded
            self._publisher = Publisher(
                loaded.model, loaded.urls, loaded.markdown.render, self.each_language, self.speak
            )
        return self._publisher

    def render(self, page: Page | ModelFile) -> bytes:
        if page.language != self.loaded.urls.language:
            self.speak(page.language)
        if page.__class__ is ModelFile:  # a feed or calendar made as pages are (see plan)
            return self.publisher().make_alone(page)  # type: ignore[arg-type]
        assert isinstance(page, Page)
        try:
            template = self.envs.get(page.language, self.env).get_template(page.template)
            present.Dated.start()
            html = template.render(
                page=page, here=self.loaded.urls.root + page.path, alternates=self.alternates(page), **page.context
            )
        except jinja2.TemplateSyntaxError as exc:
            raise ThemeError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise ThemeError(f"the theme failed to render {page.template} for /{page.path}: {exc}") from None
        except MemoryError:
            raise
        except Exception as exc:  # (an expression of the theme's that Python refuses: 1/0, "a" + 1)
            where = _template_line(exc)
            if where is None:
                raise  # (not the theme's: sitegen's own)
            raise ThemeError(
                f"{where}: the theme failed to render {page.template} for /{page.path}: {type(exc).__name__}: {exc}"
            ) from None
        return html.encode("utf-8")

    def static_files(self) -> dict[str, Path]:
        """Theme assets by output path, the named theme's winning over the default's.
        CSS, JavaScript and SVG get a fingerprint in their names, so they can be cached for ever."""
        return {rel: src for rel, (src, _) in self.assets.items()}

    def _assets(self) -> dict[str, tuple[Path, str]]:
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file():
                        found[path.relative_to(static).as_posix()] = path
        out: dict[str, tuple[Path, str]] = {}
        for name, path in sorted(found.items()):
            digest = (
                hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.suffix in (".css", ".js", ".svg") else ""
            )
            out[asset_path(name, digest)] = (path, name)
        return out

    def asset(self, name: str) -> str:
        """The address of a theme asset by its plain name ('style.css')."""
        rel = self.asset_names.get(name)
        if rel is None:
            raise jinja2.TemplateError(f'the theme has no static file "{name}"')
        return self.loaded.urls.root + rel

    def extra_files(self, pages: list[Page], search: bool, whole_only: bool = False) -> dict[str, bytes]:
        """Feeds, calendars, data, sitemap, robots.txt and redirects, by output path
        (WHOLE_ONLY: see iter_extra_files)."""
        return {rel: bytes(data) for rel, data in self.iter_extra_files(pages, search, whole_only)}

    def iter_extra_files(
        self, pages: list[Page], search: bool, whole_only: bool = False
    ) -> Iterator[tuple[str, bytes | Streamed]]:
        """The same, one file at a time, large ones as Streamed: a full build writes each
        as it comes, never holding them all. WHOLE_ONLY: of the model's files, only those
        that are not made as pages are (see plan)."""
        yield from self.model_files(whole_only)
        yield from self.page_files(pages)

    def model_files(self, whole_only: bool = False) -> Iterator[tuple[str, bytes | Streamed]]:
        """The feeds, calendars, data files and robots.txt: they need the model, not the
        plan. WHOLE_ONLY: those that read the whole record (see ModelFile), but for those
        put together from parts (see assembled), which _assemble writes. A part is
        never written alone."""
        publisher = self.publisher()
        parts = [part for part in self.plan_files() if not is_part(part)]
        if whole_only:
            assembled = {part.file for part in self.assembled()}
            parts = [part for part in parts if part.whole and part.file not in assembled]
        yield from publisher.made(parts)

    def page_files(self, pages: list[Page]) -> Iterator[tuple[str, bytes]]:
        """The sitemap, the record's schema and the redirects: they need the plan."""
        for rel, make in self._page_files(pages):
            yield rel, make()

    def extra_names(self, pages: list[Page]) -> set[str]:
        """The files extra_files(PAGES, whole_only=True) writes, without making them, and
        those put together from parts (see assembled: only in a build that keeps its state)."""
        return {part.file for part in self.plan_files() if part.whole} | {rel for rel, _ in self._page_files(pages)}

    def _page_files(self, pages: list[Page]) -> Iterator[tuple[str, Callable[[], bytes]]]:
        """page_files' names, each with what makes it."""
        from .publish import redirect_page

        loaded = self.loaded
        publisher = self.publisher()
        pages = [p for p in pages if p.__class__ is Page]
        listed = [(p.path, p.language) for p in pages if p.template != "404.html"]
        yield NAMED["sitemap"], lambda: publisher.sitemap(listed)
        yield NAMED["record-schema"], (Path(__file__).parent / "schemas" / "record.schema.json").read_bytes
        pairs = publisher.redirects()
        if pairs:
            yield NAMED["redirects"], lambda: publisher.netlify_redirects(pairs)
        taken = {p.file for p in pages}
        for old, new in pairs:
            out = output_file(old)
            if out not in taken:
                yield out, lambda new=new: redirect_page(loaded.urls.root + new, publisher.absolute(new))  # type: ignore[misc]


def build(*args, **kwargs) -> BuildReport:  # type: ignore[no-untyped-def]
    """Build CONTENT into OUTPUT, atomically. Raises ContentError, writing nothing, on bad content.

    The cyclic garbage collector is paused meanwhile: a build makes millions of
    small objects and no garbage cycles worth collecting."""
    pending: list[Aside] = []
    with paused_gc():
        try:
            return _build(*args, _pending=pending, **kwargs)
        finally:
            for aside in pending:  # (a build that failed: the processes it left are ended)
                aside.cancel()


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(
    content: Path,
    output: Path,
    log: Log = _quiet,
    base_path: str | None = None,
    on: dt.date | None = None,
    cache: ParseCache | None = None,
    search: bool = True,
    jobs: int | None = None,
    record_reads: bool = False,
    state_folder: Path | None = None,
    index: bool = True,
    whole: bool = True,
    settle_later: bool = False,
    preview: bool = False,
    live: bool = False,
    _pending: list | None = None,
) -> BuildReport:
    """RECORD_READS: record what each page reads (BuildReport.state). STATE_FOLDER: keep
    the build state there, and render only what changed since the state kept there
    (see sitegen.state). INDEX: with SEARCH, make the search index (else the pages
    offer search, and the caller indexes them). WHOLE: write the files made whole (the
    open data, see publish.ModelFile) and the sitemap and redirects; else, when what each
    page reads is recorded, the caller writes them (Builder.extra_files, whole_only). SETTLE_LATER: keep
    the build state in a forked process, returned as BuildReport.keeping for the caller
    to wait for before its next build (the preview: its first page is served meanwhile).
    PREVIEW: OUTPUT is the preview folder of CONTENT, which the caller holds (see
    state.claim_preview): the one output allowed in STATE_FOLDER. LIVE: the caller goes
    on writing into OUTPUT in place (the preview's engine): the state keeps no mark of
    it, and the next build that replaces it looks at each of its pages (see state.adopt)."""
    started = time.perf_counter()
    since = time.time_ns()  # (what changed after this is never taken as read: see state.inputs_digest)
    content, output = Path(content), Path(output)
    tick = time.perf_counter()
    keeping: list[Aside] = _pending if _pending is not None else []
    storing: list[tuple[Aside | None, dict[str, list[str]], list[str]]] = []  # see on_read
    on_read = None
    if state_folder is not None:
        # the meeting files as last read are kept with the build state: only those
        # changed since are read, and the others' pickles written in the background
        store = state.ParsedStore(state_folder, content)
        cache = cache if cache is not None else ParseCache()
        if not cache.entries:
            cache.known_unlinked(store.load())  # type: ignore[arg-type]

        def on_read(read: ParseCache, paths: list[Path]) -> None:
            rels = [rel_path(path, content) for path in paths]
            # (pickled in the background, before anything is linked; put in place once the build
            # is done; only the files read again: one whose time alone changed is known by its
            # bytes again next time, as on CI, where every checkout gives every file a new time)
            due, gone = store.due(read.fresh, rels)
            aside = None
            if due:
                aside = Aside(store.pickled, read.entries, due)
                aside.on_cancel = lambda: store.discard(due)
                keeping.append(aside)
            storing.append((aside, due, gone))

    loaded = load(content, base_path, on, cache, on_read if hasattr(os, "fork") else None)
    model = loaded.model
    held = len(model.held())
    made = len(model.meetings) - held  # (decisions made by one person: as sitegen check counts them)
    by_one = f"{made} decision{'s' if made != 1 else ''} made by one person, " if made else ""
    log(
        f"read     {held} meeting{'s' if held != 1 else ''}, {by_one}{len(model.bodies)} bodies, "
        f"{len(model.people)} people, "
        f"{len(model.issues)} issue{'s' if len(model.issues) != 1 else ''} ({time.perf_counter() - tick:.2f} s)"
    )
    tick = time.perf_counter()
    builder = Builder(loaded, search)
    # (the preview, writing in place, makes the open data whole, after its first page is served)
    builder.split = state_folder is not None and not live
    protected = [(content, "the content folder")] + [(folder, "the theme's folder") for folder in builder.folders]
    protected += [
        (root, "the themes folder") for root in (content.parent / "themes", content / "themes") if root.is_dir()
    ]
    held = preview and state_folder is not None and Path(os.path.abspath(output)) == state.preview_folder(content)
    held = held and Path(state_folder).resolve() == state.cache_folder(content)  # type: ignore[arg-type]
    if not held:  # (the cache folder beside the content, whether this build keeps a state or not)
        for folder in {state.cache_folder(content), *([Path(state_folder)] if state_folder is not None else [])}:
            protected.append((folder, "the build state's folder"))
    output = safe_output(output, protected)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    with output_lock(output):
        recover(output)
        kept = state.Cache(state_folder, builder.settings_key()) if state_folder is not None else None
        opened = kept.open() if kept is not None else None
        inputs = state.inputs_digest([content, *builder.folders], model.today, since) if kept is not None else None
        kept_parts: state.Parts | None = None
        taken = False  # the cached site was taken as the staging folder (see state.take)

        def take(path: Path) -> bool:
            nonlocal taken
            assert kept is not None
            taken = state.take(kept, path)
            return taken

        # the old site, once replaced, becomes the next cached site (see state.adopt):
        # only then is the cached site taken instead of linked page by page
        staging = staging_folder(output, take if opened is not None and output.is_dir() else None)
        aside: Aside | None = None
        sorting: Aside | None = None  # sorting the cached site taken (see state.keep_cached)
        comparing: Aside | None = None  # comparing the reads kept (see _compared)
        recorded = record_reads or kept is not None  # what each page reads is recorded
        writes_whole = whole or not recorded  # (the files made whole, the sitemap and redirects: see WHOLE)
        try:
            spare: list[str] = []
            if writes_whole and not serial(workers, _rough_page_count(model)):
                # the feeds, calendars and data files need no plan of the pages: a forked
                # process writes them while this one plans, then alongside the page renderers
                # (those recorded as pages are, only once they are known to be due); the
                # cached site taken is sorted meanwhile, leaving those files to it
                assembled = {part.file for part in builder.assembled()}  # (written once the parts are made)
                spare = [
                    part.file
                    for part in builder.plan_files()
                    if (part.whole or not recorded) and part.file not in assembled
                ]
                if taken:
                    state.clear_way(staging, spare)
                aside = Aside(_write_model_files, builder, staging, recorded)
            cached = None
            if taken and opened is not None:  # (a walk of every page: a forked process's, while this one plans)
                if hasattr(os, "fork"):
                    sorting = Aside(state.keep_cached, staging, opened.files, spare)
                else:
                    cached = state.keep_cached(staging, opened.files, spare)
            last = opened.load() if opened is not None else None
            # no file changed since the state was kept, nor the day: nothing read can have
            # changed, and the reads are not compared (see _due_since); the keys are made
            # only should a page be due after all (the preview makes them once it serves)
            same = last is not None and inputs is not None and last.inputs == inputs
            keys = record.Keys(model, builder.lookups()) if recorded and not same else None
            # the open data's parts kept by the last build (see Builder.split)
            kept_parts = state.Parts.open(kept, last.parts) if kept is not None and last is not None else None
            sources = _sources(cache, model) if kept is not None else {}
            settled = (
                _settled(keys, cache, sources, last.sources)
                if last is not None and keys is not None and not same
                else None
            )
            if settled is not None and spare_core(workers, model, aside, builder.split):
                # (the reads are compared by a forked process while this one plans)
                comparing = Aside(_compared, last.reads, keys, settled)  # type: ignore[union-attr]
            pages = builder.plan()
            templates = builder.template_digests() if kept is not None else {}

            def sorted_site() -> set[str] | None:  # (waited for once the pages due are known)
                nonlocal cached, sorting
                if sorting is not None:
                    cached, sorting = sorting.result(), None  # type: ignore[assignment]
                return cached

            made: set[str] = set()
            only = None
            if last is not None and (keys is not None or same):
                assert kept is not None
                only = _due_since(
                    builder,
                    keys,
                    kept,
                    last,
                    templates,
                    staging,
                    made,
                    sorted_site,
                    settled,
                    comparing,
                    kept_parts,
                    same,
                )
                comparing = None
                if only and keys is None:  # (pages to render after all: what they read is recorded)
                    keys = record.Keys(model, builder.lookups())
                    for page in only:  # (and what the plan gives those the state does not know)
                        if page.file not in last.reads.signatures:
                            last.reads.sign(keys, page.file, page)
            elif sorted_site():  # the rest of the state could not be read: a clean build on the cached site
                _drop(staging, cached)  # type: ignore[arg-type]
            if only is None and keys is not None:  # every page, and the feeds and calendars made as pages are
                only = list(builder.planned.values())
                every = True
            else:
                every = False
            count, extras, reads = render_pages(
                builder, pages, staging, workers, search, aside, keys, only, writes_whole, recorded
            )
            if cached:  # (the folders of pages gone, now that nothing more is written among them)
                _prune(staging, cached - builder.planned.keys())
            aside = None
            assembled = _assemble(
                builder,
                staging,
                made,
                {rel: data for share in reads for rel, *_, data in share.pages if data is not None},
                kept_parts,
            )
            extras = sorted([*extras, *assembled])
            unchanged = (
                f", {len(pages) - count} unchanged since the last build{' (no file changed since)' if same else ''}"
                if not every and only is not None
                else ""
            )
            recorded_made = sum(p.__class__ is ModelFile and not is_part(p) for p in only) if only is not None else 0
            log(
                f"render   {count} pages{unchanged} and {len(extras) + recorded_made} feeds, calendars, data files and redirects "
                f"({time.perf_counter() - tick:.2f} s, {'1 process' if serial(workers, count) else f'{workers} processes'})"
            )
            tick = time.perf_counter()
            for rel, src in builder.static_files().items():
                write_file(staging, rel, src.read_bytes(), made)
            published = published_files(loaded.files, builder.withheld)
            for rel, src in published.items():
                write_file(staging, rel, src.read_bytes(), made)
            files = len(published)
            write_file(staging, MARKER, MARKER_TEXT, made)
            log(f"write    theme assets and {files} files ({time.perf_counter() - tick:.2f} s)")
            if search and index:
                tick = time.perf_counter()
                index_search(staging)
                log(f"search   indexed with Pagefind ({time.perf_counter() - tick:.2f} s)")
            old_site = swap_in(staging, output, keep_old=taken)
        except BaseException:
            for process in (aside, sorting, comparing):
                if process is not None:
                    process.cancel()
            if opened is not None:
                opened.close()
            if kept_parts is not None:
                kept_parts.close()
            if not (taken and kept is not None and state.give_back(kept, staging)):
                shutil.rmtree(staging, ignore_errors=True)
            raise
        kept_reads = None
        gone: list[str] = []
        if recorded:
            kept_reads = last.reads if last is not None else record.Reads()
            for share in reads:
                kept_reads.remember_share(share)
            if last is None:
                assert keys is not None  # (made but with SAME, which needs a state)
                for page in builder.planned.values():
                    kept_reads.sign(keys, page.file, page)
                kept_reads.globals = builder.globals_signature(keys)
            gone = sorted({*kept_reads.by_page, *(last.files if last is not None else ())} - builder.planned.keys())
            for rel in gone:
                kept_reads.forget(rel)
        # nothing rendered and nothing gone: the state kept says all there is to say (a value
        # that changed but that no page reads is found changed again next time, to no effect),
        # but for a digest of what was read when it kept none (see state.inputs_digest)
        unchanged = last is not None and only == [] and not gone and (last.inputs is not None or inputs is None)
        if kept_parts is not None:
            kept_parts.close()
        settling = (kept, old_site, only, last, builder, kept_reads, templates, sources,
                    unchanged, taken, output, gone, extras, live, log, assembled, inputs)  # fmt: skip
        aside_later = settle_later and kept is not None and hasattr(os, "fork")
        if not aside_later:
            _keep_state(*settling)
        for aside, due, gone in storing:
            try:
                if aside is not None:
                    aside.result()
                store.save(due, gone)
            except Exception:  # (not kept: the next build reads every file)
                store.discard(due)
        # (last, so that a build interrupted before it returns leaves no process keeping the
        # state; in the output's lock, which the process holds, as it inherits it, till it is done)
        later = Aside(_keep_state, *settling) if aside_later else None
    return BuildReport(
        len(pages),
        files,
        time.perf_counter() - started,
        loaded.warnings,
        output,
        builder,
        pages,
        extras,
        count,
        kept_reads,
        later,
        keys,
    )


def _keep_state(
    kept: state.Cache | None,
    old_site: Path | None,
    only: list[Page] | None,
    last: state.State | None,
    builder: Builder,
    kept_reads: record.Reads | None,
    templates: dict[str, str],
    sources: dict[str, tuple],
    unchanged: bool,
    taken: bool,
    output: Path,
    gone: list[str],
    extras: list[str],
    live: bool,
    log: Log,
    assembled: dict[str, dict[str, tuple[int, int]]] | None = None,
    inputs: str | None = None,
) -> None:
    """After the site is swapped in: make the replaced site OLD_SITE the next cached one
    (see state.adopt; EXTRAS: the files written besides the pages) and keep the build
    state in KEPT (see _build), and the open data's parts with it (ASSEMBLED: see _assemble),
    with what the build read (INPUTS: see state.inputs_digest)."""
    adopted = False
    if old_site is not None and kept is not None:
        # the site the state's build published, as it left it, is taken as it is; any other
        # (a build without the state between, say) is looked at page by page
        known = last is not None and last.published is not None and state.mark(old_site) == last.published[0]
        made = [*extras, *(last.published[1] if known else ())]  # type: ignore[index,union-attr]
        assert only is not None  # (with a state, what was rendered is always known)
        rendered = {p.file for p in only}
        kept_files = last.files if last is not None else {}
        pages_kept = {
            rel: None if rel in rendered else kept_files.get(rel)
            for rel, page in builder.planned.items()
            if not is_part(page)
        }
        adopted = state.adopt(kept, old_site, pages_kept, made, known)
    unchanged = unchanged and (adopted or not taken)
    if kept is None or kept_reads is None or unchanged:
        return
    # the open data's parts kept are known by a new token: the state saved below is the only one to use them
    token = os.urandom(8).hex() if assembled else ""
    body = state.pickled(kept_reads, templates, sources, last.base if last is not None else None, token, inputs)
    try:
        kept.forget(whole=not body.delta)  # (see there: a build killed meanwhile)
        state.Parts.save(kept, token, output, assembled or {})
        files = last.files if last else {}
        # (a site changed in place as the preview runs: the next build looks at each page)
        mark = None if live else state.mark(output)
        published = (mark, tuple(extras)) if mark is not None else None
        done = state.State(state.version(), kept.key, kept_reads, templates, files, sources, published, token, inputs)
        done.base = last.base if last is not None else None
        # (a cached site taken but not adopted is gone: every page is linked again)
        written = list(builder.planned.values()) if only is None or (taken and not adopted) else only
        pages = [p.file for p in written if not is_part(p)]
        kept.save(done, output, pages, gone, body)
    except OSError as exc:
        log(
            f"warning: the build state was not kept in {kept.folder} ({exc.strerror or exc}); the next build is a full one"
        )


def _due_since(
    builder: Builder,
    keys: record.Keys | None,
    kept: state.Cache,
    last: state.State,
    templates: dict[str, str],
    staging: Path,
    made: set[str],
    sorted_site: Callable[[], set[str] | None] = lambda: None,
    settled: set[str] | None = None,
    comparing: Aside | None = None,
    parts: state.Parts | None = None,
    same: bool = False,
) -> list[Page]:
    """The pages to render, given the state LAST that KEPT holds: those whose reads,
    templates or plan changed, and any whose cached copy is not as the state left it.
    The others are linked into STAGING from the cache, or, when STAGING is the cached
    site (SORTED_SITE gives its pages, waited for once the pages due are known: see
    state.take and keep_cached), kept there; of those, the ones to render and the ones
    no longer planned are removed from it first. SETTLED: see _settled.
    COMPARING: the comparison of the reads, at work in a forked process (see _compared).
    PARTS: the open data's parts kept (see Builder.split): those not due are taken from there.
    SAME: no file changed since the state was kept, nor the day (see state.inputs_digest):
    what the pages read, what the plan gives them, the templates and the globals (read
    from the same files, on the same day, by the same sitegen) are as they were, and only
    pages the state does not know are due; KEYS is None then, unless such pages are.
    What the plan gives each page is compared normalized, and not kept as it was (see
    record.Reads.due's GIVEN)."""
    reads = last.reads

    def compared() -> set[int]:  # (asked once what the plan gives each page is known)
        if comparing is not None:
            try:
                found = comparing.result()
            except (AsideFailed, MemoryError):  # (the process failed, or ran out of memory): compared here
                pass
            else:
                for n, value in found.items():  # type: ignore[attr-defined]
                    reads.values[n] = value
                return set(found)  # type: ignore[call-overload]
        return reads.compare(keys, once=True, settled=settled)

    if same:
        due = {rel for rel in builder.planned if rel not in reads.signatures or rel not in reads.by_page}
    else:
        assert keys is not None
        edited = {
            name for name in templates.keys() | last.templates.keys() if templates.get(name) != last.templates.get(name)
        }
        now = builder.globals_signature(keys)
        due = {rel for rel, _ in reads.due(keys, builder.planned, compared, edited, now != reads.globals, given=False)}
        reads.globals = now
    kept_parts = parts.kept if parts is not None else set()
    cached = sorted_site()
    if cached is not None:
        _drop(staging, cached - (builder.planned.keys() - due))
        have = cached | kept_parts
        return [page for rel, page in builder.planned.items() if rel in due or rel not in have]
    out = []
    found = state.verified(kept, last.files)  # (one walk of the cached site: cheaper than a look per page)
    found |= kept_parts
    site = str(kept.site)
    for rel, page in builder.planned.items():
        if rel in due or rel not in found:
            out.append(page)
            continue
        if rel in kept_parts:  # (put into its whole file with the others: see _assemble)
            continue
        path = f"{staging}/{rel}"
        folder_of(path, made)
        state.link_or_copy(f"{site}/{rel}", path)
    return out


def _compared(reads: record.Reads, keys: record.Keys, settled: set[str]) -> dict[int, object]:
    """In a forked process: the reads that KEYS' model gives otherwise than READS kept
    (Reads.compare, once; SETTLED: see _settled), each with its value now."""
    changed = reads.compare(keys, once=True, settled=settled)
    return {n: reads.values[n] for n in changed}


def spare_core(workers: int, model: m.Model, aside: Aside | None, split: bool = False) -> bool:
    """Whether a forked process may do work beside this one: a site of PARALLEL_FROM
    pages or more (roughly), and a core to spare besides the one ASIDE (the feeds,
    calendars and data files) keeps busy (the sorting of a cached site taken, a walk,
    may share it). SPLIT: the open data is put together from parts (Builder.split), so
    ASIDE makes only the calendar of every meeting and the like (1 s of CPU at 10,000
    meetings, against 7 s for the whole), mostly done by the time the process starts
    (nothing waits for that: at worst the two share a core for a while)."""
    return not serial(workers, _rough_page_count(model)) and (aside is None or workers > 2 or split)


def _sources(cache: ParseCache | None, model: m.Model) -> dict[str, tuple]:
    """MODEL's meeting files, each with its key as read (see state.State.sources)."""
    if cache is None:
        return {}
    meetings = model.meetings
    return {
        rel: entry.source()
        for rel, entry in cache.entries.items()
        if entry.meeting is not None and meetings.get(entry.meeting.id) is entry.meeting and entry.key[:2] != (0, 0)
    }


def _settled(
    keys: record.Keys, cache: ParseCache | None, sources: dict[str, tuple], last: dict[str, tuple]
) -> set[str]:
    """The keys of the objects of KEYS' meetings whose files (SOURCES, see _sources) are
    as they were when the reads kept were last compared (LAST: the state's sources),
    and were not read again since (what was kept of them, then: a file read again is
    compared whole, as one changed in the same second and size would be read again
    only then): their fields read from the files are the same as then, and need no
    comparing (see record.Reads.compare)."""
    out: set[str] = set()
    if cache is None:
        return out
    for rel, key in sources.items():
        if last.get(rel) == key and rel not in cache.fresh:
            out.update(keys.meetings[cache.entries[rel].meeting.id][2])  # type: ignore[union-attr]
    return out


def _assemble(
    builder: Builder, staging: Path, made: set[str], fresh: dict[str, bytes], kept: state.Parts | None
) -> dict[str, dict[str, tuple[int, int]]]:
    """Write into STAGING the open data's files put together from their parts (see
    Builder.split): each part as just made (FRESH, by part) or as KEPT by the last build.
    Each file written, with where each part lies in it (for state.Parts)."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    publisher = builder.publisher()
    for file in builder.assembled():
        if file.language != builder.loaded.urls.language:
            builder.speak(file.language)
        where: dict[str, tuple[int, int]] = out.setdefault(file.file, {})

        def chunks(file: ModelFile = file, where: dict[str, tuple[int, int]] = where) -> Iterator[bytes]:
            offset = 0
            for piece in publisher.pieces(file):
                if piece.__class__ is bytes:
                    data = piece
                else:
                    name = piece.file  # type: ignore[union-attr]
                    data = fresh.get(name)
                    if data is None and kept is not None:
                        data = kept.read(file.file, name)
                    if data is None:  # (not made, and not kept: made here as the last build did)
                        data = bytes(publisher.make(piece))  # type: ignore[arg-type]
                    where[name] = (offset, len(data))
                offset += len(data)
                yield data  # type: ignore[misc]

        write_file(staging, file.file, Streamed(chunks), made)
    publisher.prefix = ""
    return out


def _drop(staging: Path, rels: set[str]) -> None:
    """Remove the pages RELS from STAGING (the cached site taken, see state.take): each is
    hard-linked to a published page, and is never written in place. (The folders they
    leave empty go once everything is written: see _prune.)"""
    for rel in rels:
        os.unlink(f"{staging}/{rel}")


def _prune(staging: Path, rels: Iterable[str]) -> None:
    """Remove the folders of the pages RELS that are empty now, and their empty parents."""
    root = str(staging)
    for rel in rels:
        folder = os.path.dirname(f"{root}/{rel}")
        while folder != root:
            try:
                os.rmdir(folder)
            except OSError:  # (not empty, or gone already)
                break
            folder = os.path.dirname(folder)


def _render_share(
    builder: Builder,
    pages: list[Page],
    staging: Path,
    search: bool,
    task: tuple[int, int],
    keys: record.Keys | None = None,
    only: list[Page] | None = None,
    recorded: bool = False,
) -> int | list[str] | list[record.Share]:
    """Render one contiguous share of the pages (a meeting's pages sit together, so the
    Markdown they share is rendered once); for share -1, write the files that need the
    plan (sitemap, redirects); for -2, those and the feeds, calendars and data files
    (with RECORDED, see render_pages, only the files made whole).
    KEYS: record what each page reads, and return that (see sitegen.record)."""
    index, count = task
    if index < 0:
        return _write_all(
            staging,
            builder.page_files(pages) if index == -1 else builder.iter_extra_files(pages, search, recorded),
        )
    made: set[str] = set()
    done = 0
    due = pages if only is None else only
    if keys is not None:  # record what each page reads (see sitegen.record)
        reads = record.Share()
        with record.recording() as recorder:
            for page in share(due, index, count):
                data = builder.render(page)
                if is_part(page):
                    keys.note(reads, page.file, *recorder.take(), data)  # (see _assemble)
                    continue
                write_file(staging, page.file, data, made)
                keys.note(reads, page.file, *recorder.take())
        reads.close()
        return [reads]
    for page in share(due, index, count):
        write_file(staging, page.file, builder.render(page), made)
        done += 1
    return done


_WORK: Callable | None = None  # what on_forks' workers call (they inherit it as they are forked)


def _work(task: object) -> object:
    assert _WORK is not None
    return _WORK(task)


def on_forks(function: Callable[[Any], Any], tasks: list, jobs: int) -> list:
    """FUNCTION(task) for each of TASKS on JOBS forked processes, which share this
    process's memory (the model, the compiled templates) as it is now: FUNCTION may be
    a closure. The results, in the order they are done. The one place sitegen forks
    renderers, for a build and for the preview alike."""
    global _WORK
    _WORK = function
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=quiet_worker, initargs=(os.getpid(),)) as pool:
            done = list(pool.imap_unordered(_work, tasks))
            # (the workers are told to end and waited for, rather than ended with SIGTERM
            # as leaving the block does: a preview's first build once waited for ever for
            # a worker that SIGTERM did not end)
            pool.close()
            pool.join()
            return done
    finally:
        _WORK = None


def _write_model_files(builder: Builder, staging: Path, whole_only: bool = False) -> list[str]:
    return _write_all(staging, builder.model_files(whole_only))


def _write_all(staging: Path, files: Iterator[tuple[str, bytes | Streamed]]) -> list[str]:
    """Write FILES into STAGING as they come; their names."""
    made: set[str] = set()
    names = []
    for rel, data in files:
        write_file(staging, rel, data, made)
        names.append(rel)
    return names


def share(items: list, index: int, count: int) -> list:
    """The INDEX-th of COUNT contiguous, nearly equal shares of ITEMS (a meeting's pages
    sit together, so the worker that renders them renders their Markdown once)."""
    size = -(-len(items) // count)
    return items[index * size : (index + 1) * size]


PARALLEL_FROM = 400  # pages before rendering is shared out to forked processes


def serial(jobs: int, pages: int) -> bool:
    """Whether to render in this process only: one job asked for, or too few pages to share."""
    return jobs <= 1 or pages < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods()


def _rough_page_count(model: m.Model) -> int:
    """The meeting and item pages, which are nearly all of a site's (before the plan)."""
    return len(model.meetings) + sum(len(x.items) for x in model.meetings.values())


class AsideFailed(Exception):
    pass


def quiet_worker(parent: int) -> None:
    """In a worker forked by the process PARENT: a pipe to a parent that has gone ends
    the worker silently, and Ctrl+C is the parent's to handle; neither prints a
    traceback per worker. On Linux the worker also ends when its parent does (killed,
    say), rather than go on writing into a staging folder and holding the output's lock."""
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # (ended by the kernel, even while no Python runs in it, not by a handler inherited
    # from the preview, which needs the worker to run Python to act)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


def die_with_parent(parent: int, prctl: Callable | None = None) -> None:
    """In a process forked by the process PARENT (its id, taken before the fork), on
    Linux: end when the thread that forked it ends (its process killed, say), rather
    than go on writing into a folder that is no longer its parent's. PRCTL:
    linux_prctl(), found before the fork (between a fork and an exec nothing is
    loaded)."""
    if prctl is None:
        prctl = linux_prctl()
    if prctl is not None:
        import signal

        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent ended before the call above (PARENT may be 1 itself)
            os._exit(1)


def linux_prctl() -> Callable | None:
    """The C library's prctl, on Linux; else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def end_process(pid: int) -> None:
    """Kill the forked process PID at once and reap it (if it has not ended already)."""
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class Aside:
    """FUNCTION(*ARGS) run in a forked process, its (picklable) result or exception
    sent back through a pipe: work that needs the model as it is now, done while this
    process goes on. ARGS are kept here until the process is done: the two processes
    share the memory they are in, and freeing them here meanwhile would copy each page
    of it they are on (as Python counts references): 0.4 s at 10,000 meetings."""

    def __init__(self, function: Callable, *args: object) -> None:
        import pickle
        import traceback

        reader, writer = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            code = 0
            quiet_worker(parent)
            try:
                os.close(reader)
                try:
                    outcome: tuple = (True, function(*args))
                except BaseException as exc:  # sent back, raised in the parent
                    outcome = (False, exc)
                try:
                    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:
                    data = pickle.dumps((False, AsideFailed(traceback.format_exc())))
                with os.fdopen(writer, "wb") as out:
                    out.write(data)
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        os.close(writer)
        self.reader = reader
        self._shared: tuple | None = args
        self.on_cancel: Callable[[], None] | None = None  # what cancel() does once the process is ended

    def result(self, timeout: float | None = None) -> object:
        """Wait for the process; its function's result, or its exception raised here.
        TIMEOUT: the seconds to wait at most; then the process is ended, and AsideFailed
        raised."""
        import pickle
        import select

        reader, self.reader = self.reader, -1  # (closed below, whatever happens: see cancel)
        with os.fdopen(reader, "rb") as source:
            if timeout is None:
                data = source.read()
            else:
                deadline, chunks = time.monotonic() + timeout, []
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([reader], [], [], left)[0]:
                        end_process(self.pid)
                        self.pid, self._shared = 0, None
                        raise AsideFailed(f"a forked build process was still at work after {timeout:g} s, and ended")
                    chunk = os.read(reader, 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
                data = b"".join(chunks)
        _, status = os.waitpid(self.pid, 0)
        self.pid, self._shared = 0, None  # reaped: nothing left to cancel
        if status != 0 or not data:
            raise AsideFailed("a forked build process failed (see the messages above)")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        if not self.pid:
            return  # result() has waited for it already
        end_process(self.pid)
        self.pid, self._shared = 0, None
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if self.on_cancel is not None:
            try:
                self.on_cancel()
            except OSError:  # (it tidies up: never in place of the error that ended the build)
                pass


def render_pages(
    builder: Builder,
    pages: list[Page],
    staging: Path,
    jobs: int,
    search: bool,
    aside: Aside | None = None,
    keys: record.Keys | None = None,
    only: list[Page] | None = None,
    whole: bool = True,
    recorded: bool | None = None,
) -> tuple[int, list[str], list[record.Share]]:
    """Render every page, and the feeds, calendars and data files, into STAGING on JOBS
    processes (forked, sharing the model). Returns the number of pages and the other files.
    ASIDE: a process already writing the feeds, calendars and data files. Each file's
    bytes depend only on the model, so the output is the same for any JOBS. KEYS: record
    what each page reads (the third of the results; see sitegen.record). ONLY: the pages
    to render, when not all (the others are in place already). Without WHOLE, neither
    the files made whole (the open data) nor those that need the plan (the sitemap, the
    redirects): the caller writes them (Builder.extra_files with whole_only). The parts
    of the files put together from parts (Builder.assembled) are not written: their
    bytes are in the reads returned (see record.Share), for the caller's _assemble.
    RECORDED: the reads are recorded in this build, whether or not any page is rendered
    (then the feeds and calendars made as pages are are among the pages; see
    Builder.iter_extra_files); by default, when there are KEYS."""
    recorded = keys is not None if recorded is None else recorded
    shares = jobs * 8
    tasks = [(-1 if aside is not None else -2, 0)] if whole else []  # (else the caller writes them all)
    tasks += [(i, shares) for i in range(shares)]

    def render(task: tuple[int, int]) -> tuple[int, object]:
        return task[0], _render_share(builder, pages, staging, search, task, keys, only, recorded)

    due = pages if only is None else only
    if serial(jobs, len(due)):
        results = [render(task) for task in tasks]
    else:
        # a page of each template rendered here compiles the templates it uses once,
        # before the renderers are forked, rather than in each of them (0.3 s each)
        first = {(page.language, page.template): page for page in reversed(due)}
        for page in first.values():
            builder.render(page)
        results = on_forks(render, tasks, jobs)
    extras: list[str] = next((r for index, r in results if index < 0), [])  # type: ignore[assignment]
    if aside is not None:
        extras = extras + aside.result()  # type: ignore[operator]
    shares = [r for index, r in results if index >= 0]
    reads = [r for part in shares if isinstance(part, list) for r in part]
    count = sum(p.__class__ is Page for p in due) if keys is not None else sum(shares)  # type: ignore[arg-type]
    return count, sorted(extras), reads


class SearchError(Exception):
    pass


_SEARCHES: set = set()  # the Pagefind processes at work (see end_searches)


def index_search(folder: Path, background: bool = False) -> None:
    """Index FOLDER with Pagefind (the binary shipped in the pagefind package), and wait.
    BACKGROUND runs it at low priority, so that it never slows a preview's rebuild."""
    finish_search(start_search(folder, background))


@dataclass
class Search:
    """A Pagefind run started by start_search: its process and where its output goes."""

    process: Any
    folder: Path
    log: Any  # a temporary file with what it printed
    bundle: Path | None = None  # where it writes the index, when not into FOLDER/pagefind (see start_search)


def start_search(folder: Path, background: bool = False, aside: bool = False) -> Search:
    """Start indexing FOLDER with Pagefind. It runs in a process group of its own, ended
    whole if this process is interrupted (see end_searches; its Python wrapper starts the
    binary as a process of its own). What it prints goes to a temporary file, read only
    on failure: a pipe nobody reads while it runs could fill and stop it. ASIDE: FOLDER
    has an index already (the preview's): the new one is written beside FOLDER, and
    finish_search puts it in place of the old one whole. Pagefind names its files by
    their contents and leaves the old ones, which would keep serving what the site no
    longer shows (the minutes of an item made exempt, say)."""
    import subprocess
    import sys
    import tempfile

    prctl, parent = linux_prctl(), os.getpid()

    def start() -> None:
        die_with_parent(parent, prctl)  # (killed, this process leaves no Pagefind writing into the folder)
        if background and hasattr(os, "nice"):
            os.nice(15)

    log = tempfile.TemporaryFile()
    bundle = _beside(folder, SEARCH_BESIDE[0]) if aside else None
    if bundle is not None:
        shutil.rmtree(bundle, ignore_errors=True)  # (one a stopped preview left)
    where = ["--output-path", str(bundle)] if bundle is not None else []
    process = subprocess.Popen(
        [sys.executable, "-m", "pagefind", "--site", str(folder), *where],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=start,
    )
    _SEARCHES.add(process)
    return Search(process, folder, log, bundle)


SEARCH_BESIDE = ("next", "last")  # the folders a search index is made in beside a site (see start_search)


def _beside(folder: Path, which: str) -> Path:
    """A search index's folder beside FOLDER, outside what FOLDER serves (see start_search's ASIDE)."""
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.pagefind-{which}"


def clear_search_beside(folder: Path) -> None:
    """Remove the search index folders left beside FOLDER (a preview stopped as it indexed)."""
    for which in SEARCH_BESIDE:
        left = _beside(folder, which)
        if left.is_dir() and not left.is_symlink():
            shutil.rmtree(left, ignore_errors=True)


def finish_search(search: Search) -> None:
    """Wait for SEARCH to end; raise SearchError when it failed or left an incomplete index."""
    import signal

    process = search.process
    try:
        process.wait()
    except BaseException:
        _end_group(process, signal.SIGKILL)
        raise
    finally:
        _SEARCHES.discard(process)
    search.log.seek(0)
    printed = search.log.read().decode("utf-8", "replace").strip()
    search.log.close()
    try:
        if process.returncode != 0:
            raise SearchError(f"Pagefind could not index the site: {printed}")
        if search.bundle is None:
            check_search_index(search.folder / "pagefind")
            return
        check_search_index(search.bundle)
        # (not write.swap_in, which puts the old folder beside the new one: here inside the
        # site served, where the last index must not be seen even for a moment)
        index = search.folder / "pagefind"
        if index.is_dir() and not index.is_symlink() and _exchange(search.bundle, index):
            return  # (in one step: pagefind/ is never missing; the last index is removed below)
        last = _beside(search.folder, SEARCH_BESIDE[1])
        shutil.rmtree(last, ignore_errors=True)
        if index.is_dir() and not index.is_symlink():
            os.rename(index, last)
        os.rename(search.bundle, index)
        shutil.rmtree(last, ignore_errors=True)
    finally:
        if search.bundle is not None:  # (the last index once exchanged, or a failed one)
            shutil.rmtree(search.bundle, ignore_errors=True)


def _end_group(process, sig: int) -> None:  # type: ignore[no-untyped-def]
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except Exception:
        pass


def end_searches() -> None:
    """End every Pagefind process still at work, with the processes it started."""
    import signal

    for process in list(_SEARCHES):
        _end_group(process, signal.SIGKILL)


SEARCH_FILES = ("pagefind.js", "pagefind-entry.json")  # what every Pagefind index holds


def check_search_index(index: Path) -> None:
    """Raise SearchError unless INDEX (a site's pagefind folder) holds a whole index:
    Pagefind can exit 0 and leave empty files (a full disk), which would publish a
    broken search."""
    folder = index.parent
    missing = [name for name in SEARCH_FILES if not (index / name).is_file()]
    if missing:
        raise SearchError(f"Pagefind's index is incomplete: {', '.join(missing)} missing from {index}")
    empty = sorted(
        os.path.relpath(os.path.join(dirpath, name), folder)
        for dirpath, _, names in os.walk(index)
        for name in names
        if os.path.getsize(os.path.join(dirpath, name)) == 0
    )
    if empty:
        more = f" and {len(empty) - 3} more" if len(empty) > 3 else ""
        raise SearchError(f"Pagefind's index has empty files ({', '.join(empty[:3])}{more}); is the disk full?")


__all__ = ["build", "load", "Loaded", "BuildReport", "ContentError", "path_of"]
