"""The build state on disk, shared by ``sitegen build`` and ``sitegen serve``.

After a build, the cache folder (``.sitegen-cache`` beside the content folder, never
inside the output) keeps what each page read as it rendered (record.Reads), the
templates' digests, and the pages themselves as hard links to the published files.
The next build with the same settings asks the new model for the recorded values and
renders only the pages whose reads, templates or plan changed; the others are linked
from the cache into the new site. When no file it may read changed since, nor the day
(inputs_digest), it asks nothing: no value can have changed. A build with no state, or
a state written by another version of sitegen, for other settings or a theme in other
folders, or one that cannot be read, is a clean build. Deleting the folder is always safe.

The folder holds, for each content folder and combination of settings (base path,
search, theme folders), ``state-KEY.pickle``, ``state-KEY.delta`` and ``site-KEY/``.
The state file is written whole now and then; in between, a build writes only what it
changed since (the delta, see Base), which is read with it. For each content folder
the meeting files as last read (``parsed-ID/``, see ParsedStore) and the preview's own
site (``preview-ID/`` with its lock ``preview-ID.lock``, see claim_preview); sitegen
removes nothing else there. Only those of the KEEP settings or content folders used
last are kept: saving one removes the older ones (a settings change, a moved content
folder), so the folder does not grow without end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
import os
import pickle
import re
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import __version__, record
from .files import snapshot

FORMAT = 5  # the layout of a state file; a state of another layout is not read
CACHE_NAME = ".sitegen-cache"
KEEP = 3  # states (and meeting files, preview folders) kept in one cache folder: those used last
DELTA_SHARE = 8  # a delta is written while it holds less than an eighth of the state; else the whole
_STATE_FILE = re.compile(r"state-([0-9a-f]{16})\.(?:pickle|delta)")  # a state file, or its delta
_HALF_SAVED = re.compile(
    r"\.(?:state-[0-9a-f]{16}\.(?:pickle|delta)|parts-[0-9a-f]{16}(?:\.pickle|-\d+))\.tmp-(\d+)"
)  # see Cache.save, Parts.save
_PARSED = re.compile(r"parsed-[0-9a-f]{16}")
_LEFT = re.compile(r"\.[0-9a-f]{16}\.pickle\.tmp-([0-9]+)")  # a pickle ParsedStore.pickled wrote, by whose build
_REMOVING = re.compile(r"\.removing-\d+-\d+")
_PREVIEW = re.compile(r"preview-[0-9a-f]{16}")
_COUNT = itertools.count()  # (a long-lived process adopts many times)


def cache_folder(content: Path) -> Path:
    """Where the build state of CONTENT is kept: beside it, as git and Netlify see it."""
    return Path(content).resolve().parent / CACHE_NAME


def preview_folder(content: Path) -> Path:
    """Where ``sitegen serve`` keeps the site it shows of CONTENT between one preview and
    the next, in the cache folder: a preview then starts on the site it left, as a build
    starts on its output (the cached pages are moved in, not linked one by one)."""
    content = Path(content).resolve()
    return cache_folder(content) / f"preview-{hashlib.sha1(str(content).encode()).hexdigest()[:16]}"


def claim_preview(content: Path) -> tuple[Path, int] | None:
    """The preview folder of CONTENT (see preview_folder) and a lock held on it until the
    descriptor is closed; None when it cannot be used (the cache folder or the preview
    folder is a link or a file, or another preview holds it): then the preview builds
    into a temporary folder. Of other content folders' preview folders, those of the KEEP
    used last stay (by their lock's time); nothing in use goes."""
    import fcntl

    folder = preview_folder(content)
    cache = folder.parent
    lock = f"{folder}.lock"
    if os.path.islink(cache) or (cache.exists() and not cache.is_dir()):
        return None
    if os.path.islink(folder) or (folder.exists() and not folder.is_dir()):
        return None
    try:
        cache.mkdir(exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino != os.lstat(lock).st_ino:
            raise OSError("the lock file was removed meanwhile")  # (by another's pruning: not held)
        os.utime(fd)  # (used last: see below)
    except OSError:
        os.close(fd)
        return None
    try:
        _prune_previews(cache, lock)
    except OSError:  # (another preview's files went meanwhile: pruned next time)
        pass
    return folder, fd


def _prune_previews(cache: Path, mine: str) -> None:
    """Remove the preview folders in CACHE of all but the KEEP content folders previewed
    last (MINE: the lock file of the one in use here), but any another preview holds."""
    import fcntl

    others = []
    for entry in os.scandir(cache):
        lock = entry.name.endswith(".lock") and _PREVIEW.fullmatch(entry.name[:-5])
        if lock and entry.path != mine and entry.is_file(follow_symlinks=False):
            others.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path[:-5]))
    for _, path in sorted(others, reverse=True)[max(KEEP - 1, 0) :]:
        try:
            held = os.open(f"{path}.lock", os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (not while another preview shows it)
            from .build import clear_search_beside
            from .write import _ours

            for left in [Path(path), *(f for kind in ("tmp", "old", "trash") for f in _ours(Path(path), kind))]:
                if os.path.isdir(left) and not os.path.islink(left):  # (and a killed build's folders beside it)
                    shutil.rmtree(left, ignore_errors=True)  # (rmtree never follows a link inside)
            clear_search_beside(Path(path))  # (and a search index a stopped preview was making)
            name = os.path.basename(path)
            output_lock = os.path.join(cache, f".{name}.lock")  # (a build's lock beside it, see write.output_lock)
            if os.path.isfile(output_lock) and not os.path.islink(output_lock):
                os.unlink(output_lock)
            os.unlink(f"{path}.lock")
        except OSError:
            pass
        finally:
            os.close(held)


@dataclass
class State:
    """What the last build with these settings left for the next one."""

    version: str
    settings: str
    reads: record.Reads
    templates: dict[str, str] = field(default_factory=dict)  # template name -> sha1 of the file used
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # page file -> (size, mtime) in the cache
    #: meeting file -> what it was as read (validate.Parsed.source: its bytes' digest) when the
    #: reads' values were last compared: a meeting whose file is as it was then has the same fields from it
    sources: dict[str, tuple] = field(default_factory=dict)
    #: the site this build published: its mark (see mark) and the files it wrote besides
    #: the pages (the open data, redirects); the next build adopts that site as it is
    published: Published | None = None
    #: the token of the open data's parts kept with this state (see Parts); "" for none
    parts: str = ""
    #: what the build read, as it found it (see inputs_digest); None when not known
    inputs: str | None = None
    #: the state as read, for the next save to write what changed since (see Base)
    base: Base | None = field(default=None, compare=False, repr=False)


def settings_key(content: Path, base: str, search: bool, folders: list[Path]) -> str:
    """A name for one content folder's build with one combination of settings."""
    text = repr((str(Path(content).resolve()), base, search, [str(f.resolve()) for f in folders]))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


#: a file changed less than this before a build began (or since) may be changed again
#: within one tick of its file system's clock, unseen by its time and size (some file
#: systems keep times to the second, or two)
RACY_NS = 2_000_000_000


def inputs_digest(folders: list[Path], day: dt.date, since: int) -> str | None:
    """What a build that began at SINCE (time.time_ns()) reads, as one digest: every file
    under FOLDERS (the content folder and the theme's) as files.snapshot finds them, which
    is what the preview watches (each file's path, time and size), and the DAY the site is
    built for. A build whose digest is its state's has nothing to compare: no file
    changed since, nor the day. None when a file changed too near SINCE, or after it
    (see RACY_NS, and git's "racy" files): then the reads are compared as ever."""
    snap = snapshot(folders)
    if any(mtime >= since - RACY_NS for mtime, _ in snap.values()):
        return None
    return hashlib.sha1(repr((sorted(snap.items()), day.isoformat())).encode()).hexdigest()


class Cache:
    """The cache folder for one combination of settings (see settings_key)."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.file = folder / f"state-{key}.pickle"
        self.delta = folder / f"state-{key}.delta"  # (see Base)
        self.site = folder / f"site-{key}"
        self._folders: dict[str, bool] = {}  # see _plain

    def usable(self) -> bool:
        """Whether the folder is (or can be) a plain folder of sitegen's: never a link, a file."""
        folder = self.folder
        if os.path.islink(folder) or (folder.exists() and not folder.is_dir()):
            return False
        return not os.path.islink(self.site) and not (self.site.exists() and not self.site.is_dir())

    def open(self) -> Opened | None:
        """The state kept, its list of cached pages read at once and the rest when asked
        (Opened.load); None when there is none, or another version's (a clean build)."""
        if not self.usable():
            return None
        opened = _opened(self.file, (version(), self.key), 2)
        if opened is None or not isinstance(opened[1][3], str):
            if opened is not None:
                opened[0].close()
            return None
        handle, (_, _, files, ident, published) = opened
        delta = self._open_delta(ident, files)
        found = Opened(self, handle, files, ident, delta)
        found.published = _published(published) if delta is None else delta[2]
        return found

    def _open_delta(
        self, ident: str, files: dict[str, tuple[int, int]]
    ) -> tuple[BinaryIO, set[str], Published | None] | None:
        """The delta kept with the state file IDENT: its changes to the cached pages put in
        FILES, and the rest to read (see Opened.load); None when there is none, or it was
        written against another state file (then the state file is as its build left it)."""
        opened = _opened(self.delta, (version(), self.key, ident), 3)
        if opened is None:
            return None
        handle, head = opened
        _apply(files, head[3])
        return handle, set(head[3]), _published(head[4])

    def load(self) -> State | None:
        """The state kept, or None (none, another version's, or unreadable: a clean build)."""
        opened = self.open()
        return opened.load() if opened is not None else None

    def _plain(self, rel: str) -> bool:
        """Whether the folders of REL below the site folder are plain folders of sitegen's
        (no link among them leads elsewhere): only then is REL read, written or removed."""
        folder = rel.rpartition("/")[0]
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = os.path.realpath(self.site / folder) == os.path.join(
                os.path.realpath(self.site), folder
            ).rstrip("/")
        return known

    def forget(self, whole: bool = True) -> None:
        """Drop the delta, and unless not WHOLE the state file, before the cached pages
        change. A build killed then starts clean, or from the state file alone: that
        finds the pages changed since as it finds a page changed by hand (by their size
        and time), and the values changed since as it finds an edit's."""
        for file in (self.delta, self.file) if whole else (self.delta,):
            try:
                file.unlink()
            except FileNotFoundError:
                pass

    def save(self, state: State, output: Path, written: list[str], gone: list[str], body: Body | None = None) -> None:
        """Keep STATE, with the pages WRITTEN into OUTPUT linked into the cache (GONE
        taken out of it). Only the state file, its delta and its own site folder are
        touched. BODY: STATE's reads, templates and sources already pickled (see
        pickled); a delta is written as one while its changes to the cached pages are
        few too, else the whole state is."""
        if not self.usable():
            raise OSError(f"{self.folder} or {self.site} is a link or a file, not sitegen's folder")
        self.folder.mkdir(exist_ok=True)
        self._folders = {}
        base = state.base
        if self.site.is_dir() and (not state.files or not all(map(self._plain, [*written, *gone]))):
            # a clean build's (whatever the cache held is stale), or a link put among sitegen's
            # folders: start the folder afresh (removed in the background, never through a link)
            self._discard(self.site)
            state.files.clear()
            self._folders = {}
            base = None
        if not self.site.is_dir():
            from .write import MARKER, MARKER_TEXT

            self.site.mkdir()
            (self.site / MARKER).write_bytes(MARKER_TEXT)  # (taken as a staging folder, it is known as sitegen's)
        for rel in gone:
            state.files.pop(rel, None)
            try:
                (self.site / rel).unlink()
            except FileNotFoundError:
                pass
        made: set[Path] = set()
        for rel in written:
            dest = self.site / rel
            if dest.parent not in made:
                dest.parent.mkdir(parents=True, exist_ok=True)
                made.add(dest.parent)
            tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
            tmp.unlink(missing_ok=True)  # (anything there, a link above all, is never written through)
            link_or_copy(output / rel, str(tmp))
            st = os.lstat(tmp)  # (the file put in place: never another's, in a race)
            os.replace(tmp, dest)
            state.files[rel] = (st.st_size, st.st_mtime_ns)
        head: tuple
        files = base.changed_files(state.files) if base is not None and body is not None and body.delta else None
        if files is not None:
            assert base is not None and body is not None
            head, target = (state.version, state.settings, base.ident, files, state.published), self.delta
        else:
            if body is None or body.delta:
                body = pickled(state.reads, state.templates, state.sources, parts=state.parts, inputs=state.inputs)
            head = (state.version, state.settings, state.files, os.urandom(8).hex(), state.published)
            target = self.file
        tmp_file = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            with _created(tmp_file) as handle:
                # the cached pages first: a build reads them before the rest (see Opened)
                pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
                handle.write(body.data)
            os.replace(tmp_file, target)
        except BaseException:
            tmp_file.unlink(missing_ok=True)  # (a full disk, say: nothing half written is left)
            raise
        if target == self.file:  # (a delta left from before was written against another state file)
            self.delta.unlink(missing_ok=True)
        self.prune()

    def removal(self) -> Path:
        """A new name in the cache folder for what is to be removed in the background."""
        return self.folder / f".removing-{os.getpid()}-{next(_COUNT)}"

    def _discard(self, folder: Path) -> None:
        """Move FOLDER (of the cache's) aside at once and remove it in the background."""
        from .write import remove_later

        aside = self.removal()
        os.rename(folder, aside)
        remove_later(aside)

    def prune(self, keep: int = KEEP) -> list[str]:
        """Remove the states of all but the KEEP settings used last (by the time of their
        state file or delta, whichever is newer; this one's is the newest): only names
        sitegen gives its own state files and site folders, and never a link or through
        one. Returns the keys removed."""
        used: dict[str, int] = {}  # (a state saved as a delta was used when its delta was written)
        with os.scandir(self.folder) as entries:
            for entry in entries:
                found = _STATE_FILE.fullmatch(entry.name)
                if found and entry.is_file(follow_symlinks=False) and found[1] != self.key:
                    when = entry.stat(follow_symlinks=False).st_mtime_ns
                    used[found[1]] = max(used.get(found[1], when), when)
                if _killed_save(entry, _HALF_SAVED):
                    os.unlink(entry.path)  # (a save whose process was killed)
        removed = []
        for _, key in sorted(((when, key) for key, when in used.items()), reverse=True)[max(keep - 1, 0) :]:
            (self.folder / f"state-{key}.pickle").unlink(missing_ok=True)  # first: a half-removed site is unused
            (self.folder / f"state-{key}.delta").unlink(missing_ok=True)
            for parts in self.folder.glob(f"parts-{key}[.-]*"):
                parts.unlink(missing_ok=True)
            site = self.folder / f"site-{key}"
            if site.is_dir() and not site.is_symlink():
                shutil.rmtree(site, ignore_errors=True)  # (rmtree never follows a link inside)
            removed.append(key)
        return removed


def _killed_save(entry: os.DirEntry, pattern: re.Pattern[str]) -> bool:
    """Whether ENTRY is a file PATTERN names (with the id of the process writing it) that a
    process no longer running left half written."""
    found = pattern.fullmatch(entry.name)
    return found is not None and not _running(int(found[1])) and entry.is_file(follow_symlinks=False)


def _running(pid: int) -> bool:
    """Whether the process PID is running (this one, or any other)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's)
        return True
    return True


@dataclass
class Body:
    """What a state file holds after the cached pages' list (see Opened.load): the whole
    state, or with DELTA what changed since the state file (see Base)."""

    data: bytes
    delta: bool = False


def pickled(
    reads: record.Reads,
    templates: dict[str, str],
    sources: dict[str, tuple],
    base: Base | None = None,
    parts: str = "",
    inputs: str | None = None,
) -> Body:
    """What a state file holds after the cached pages' list: with BASE (the state as
    read), what changed since, while that is small; else the whole. PARTS, INPUTS: see State."""
    if base is not None:
        changes = base.changes(reads, templates, sources)
        if changes is not None:
            changes["parts"], changes["inputs"] = parts, inputs
            return Body(pickle.dumps(changes, protocol=pickle.HIGHEST_PROTOCOL), True)
    return Body(pickle.dumps((reads, templates, sources, parts, inputs), protocol=pickle.HIGHEST_PROTOCOL))


_READ_PARTS = ("by_page", "templates", "signatures")  # what Reads keeps by page


class Base:
    """The state as read, from its state file (IDENT) and the delta kept with it. A build
    that keeps the state writes a new delta rather than the whole (pickling the whole
    takes about 2 s at 10,000 meetings; an edit changes a few thousand of its millions
    of values): what differs from this, and what the delta read had changed already
    (DIRTY, by part). What differs is found by identity, so anything the build set
    anew, equal or not, is written, and a value set back to the state file's is never
    missed. The lists of attributes read of each object (Reads.by_object) only grow, as
    a read is added to the values (Reads.number): when the values grew, the lists whose
    last read is new are written whole."""

    def __init__(self, ident: str, kept: State, dirty: dict[str, set]) -> None:
        reads = kept.reads
        self.ident = ident
        self.dirty = dirty
        self.values = list(reads.values)
        self.parts = {name: dict(getattr(reads, name)) for name in _READ_PARTS}
        self.templates, self.sources, self.files = dict(kept.templates), dict(kept.sources), dict(kept.files)

    def changes(self, reads: record.Reads, templates: dict[str, str], sources: dict[str, tuple]) -> dict | None:
        """What READS, TEMPLATES and SOURCES hold otherwise than the state file (see
        _apply_all); None when that is more than a DELTA_SHARE of the state."""
        dirty, values = self.dirty, reads.values
        numbers = set(dirty.get("values", ()))
        numbers.update(itertools.compress(itertools.count(), map(operator.is_not, values, self.values)))
        numbers.update(range(len(self.values), len(values)))
        by_object, known = reads.by_object, len(self.values)
        objects = set(dirty.get("by_object", ()))
        if len(values) > known:
            objects.update(key for key, entry in by_object.items() if entry[1][-1] >= known)
        out: dict = {
            "length": len(values),
            "values": {n: values[n] for n in numbers},
            "by_object": {key: by_object[key] for key in objects},
            "globals": reads.globals,
        }
        size = len(numbers) + len(objects)
        for name in _READ_PARTS:
            now = getattr(reads, name)
            keys = _differ(now, self.parts[name], dirty.get(name, ()), name == "signatures")
            out[name] = {key: record.Reads.as_kept(name, now[key]) if key in now else None for key in keys}
            size += len(keys)
        for name, now, then in (("digests", templates, self.templates), ("sources", sources, self.sources)):
            out[name] = {key: now.get(key) for key in _differ(now, then, dirty.get(name, ()), equal=True)}
        if size * DELTA_SHARE > len(values) + len(_READ_PARTS) * len(reads.by_page):
            return None
        return out

    def changed_files(self, files: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int] | None] | None:
        """The cached pages FILES gives otherwise than the state file (None: gone); None
        when they are more than a DELTA_SHARE of them."""
        keys = _differ(files, self.files, self.dirty.get("files", ()), equal=True)
        if len(keys) * DELTA_SHARE > len(files):
            return None
        return {rel: files.get(rel) for rel in keys}


def _opened(path: Path, leading: tuple, pages: int) -> tuple[BinaryIO, tuple] | None:
    """The state file or delta PATH open, with its head read (five items: LEADING first,
    the cached pages' dict at PAGES) and the rest left to read; None when there is
    none, or it is truncated, foreign or another's (for a state file: a clean build)."""
    try:
        fd = _open_plain(path)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # (a named pipe, say: never waited on)
        os.close(fd)
        return None
    handle = os.fdopen(fd, "rb")
    try:
        head = _Unpickler(handle).load()
        good = (
            isinstance(head, tuple)
            and len(head) == 5
            and head[: len(leading)] == leading
            and isinstance(head[pages], dict)
        )
    except Exception:
        good = False
    if not good:
        handle.close()
        return None
    return handle, head


Published = tuple[tuple[int, int, int], tuple[str, ...]]  # see State.published


def _published(value: object) -> Published | None:
    """A state file's State.published as read: a mark of three numbers and the names of
    files, or None."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    mark, extras = value
    if isinstance(mark, tuple) and len(mark) == 3 and all(type(n) is int for n in mark):
        if isinstance(extras, tuple) and all(type(rel) is str and "\0" not in rel for rel in extras):
            return value  # type: ignore[return-value]
    return None


def _differ(now: dict, then: dict, dirty: Iterable, second: bool = False, equal: bool = False) -> set:
    """The keys of NOW whose values are not THEN's very ones (SECOND: whose second items
    are not; EQUAL: that are not equal, for values of a few numbers and strings worked
    out afresh each build), those of THEN gone from it, and DIRTY."""
    if second:
        missing = (None, None)
        keys = {key for key, value in now.items() if then.get(key, missing)[1] is not value[1]}
    elif equal:
        keys = {key for key, value in now.items() if then.get(key) != value}
    else:
        keys = {key for key, value in now.items() if then.get(key) is not value}
    keys.update(then.keys() - now.keys())
    keys.update(dirty)
    return keys


def _apply(part: dict, changes: dict) -> None:
    """Put CHANGES (by key; None: gone) into PART."""
    for key, value in changes.items():
        if value is None:
            part.pop(key, None)
        else:
            part[key] = value


def _apply_all(reads: record.Reads, templates: dict[str, str], sources: dict[str, tuple], changes: dict) -> dict:
    """Put a delta's CHANGES (Base.changes) into the state read; the keys changed, by part."""
    values = reads.values
    values.extend([None] * (changes["length"] - len(values)))
    for n, value in changes["values"].items():
        values[n] = value
    reads.by_object.update(changes["by_object"])
    reads.globals = changes["globals"]
    for name in _READ_PARTS:
        _apply(getattr(reads, name), changes[name])
    _apply(templates, changes["digests"])
    _apply(sources, changes["sources"])
    return {name: set(changes[name]) for name in ("values", "by_object", *_READ_PARTS, "digests", "sources")}


class Opened:
    """A state file being read: the pages it cached (FILES) are known at once, so that the
    cached site can be taken for the next one (Cache.take) while the rest waits. IDENT:
    the state file's; DELTA: the delta kept with it, and the pages it changed."""

    def __init__(
        self,
        cache: Cache,
        handle: BinaryIO,
        files: dict[str, tuple[int, int]],
        ident: str = "",
        delta: tuple[BinaryIO, set[str], Published | None] | None = None,
    ) -> None:
        self.cache = cache
        self.files = files
        self.ident = ident
        self.published: Published | None = None  # see State.published
        self._handle: BinaryIO | None = handle
        self._delta = delta

    def load(self) -> State | None:
        """The whole state, or None when the rest of the file cannot be read."""
        handle, self._handle = self._handle, None
        delta, self._delta = self._delta, None
        if handle is None:
            return None
        try:
            with handle:
                reads, templates, sources, parts, inputs = _Unpickler(handle).load()
            if not isinstance(reads, record.Reads) or not isinstance(templates, dict) or not isinstance(sources, dict):
                return None
            dirty: dict[str, set] = {}
            if delta is not None:
                with delta[0]:
                    changes = _Unpickler(delta[0]).load()
                    dirty = _apply_all(reads, templates, sources, changes)
                    parts, inputs = changes["parts"], changes["inputs"]
                dirty["files"] = delta[1]
            if not isinstance(parts, str) or not isinstance(inputs, (str, type(None))):
                return None
        except Exception:  # truncated or foreign: start clean
            return None
        finally:
            if delta is not None:
                delta[0].close()
        kept = State(version(), self.cache.key, reads, templates, self.files, sources, self.published, parts, inputs)
        kept.base = Base(self.ident, kept, dirty)
        return kept

    def close(self) -> None:
        for handle in (self._handle, self._delta[0] if self._delta is not None else None):
            if handle is not None:
                handle.close()
        self._handle = self._delta = None


def take(cache: Cache, staging: Path) -> bool:
    """Move CACHE's site folder to STAGING (a path that does not exist yet), so that the next
    site is built on the cached pages instead of linking them one by one (see keep_cached).
    False when it cannot be moved there (there is none, or it is on another file system)."""
    if not cache.usable() or not cache.site.is_dir():
        return False
    try:
        os.rename(cache.site, staging)
    except OSError:
        return False
    cache._folders = {}
    return True


def give_back(cache: Cache, staging: Path) -> bool:
    """After a build that failed, put the cached site taken into STAGING back (see take):
    what the build changed there is found changed next time, and removed. False when it
    cannot be (then remove STAGING)."""
    try:
        if os.path.lexists(cache.site):
            return False
        os.rename(staging, cache.site)
    except OSError:
        return False
    return True


def keep_cached(staging: Path, files: dict[str, tuple[int, int]], spare: Iterable[str] = ()) -> set[str]:
    """Of the cached site taken into STAGING, keep only the pages FILES lists, each as the
    state left it (its size and time): anything else there (a page changed, a link, a
    file the state does not know) is removed, and the folders left empty. The pages kept.
    SPARE: files that another process is writing into STAGING meanwhile (the open data,
    see build; clear_way first): neither they nor their folders are removed (a file
    there never is the cached site's: each is written afresh, never in place)."""
    from .write import MARKER

    kept: set[str] = set()
    as_left = _as_left(files)
    spared = set(spare)
    _keep_only(
        str(staging),
        "",
        lambda rel, st: rel == MARKER or as_left(rel, st),
        kept,
        folders=_folders_of(spared),
        spared=spared,
    )
    kept.discard(MARKER)
    return kept - spared


def clear_way(staging: Path, spare: Iterable[str]) -> None:
    """Before another process writes the files SPARE into STAGING (the cached site taken,
    not sorted yet, see keep_cached): anything but a plain folder where their folders go
    (a link put there, above all) is removed, so that nothing is written through it."""
    for folder in sorted(_folders_of(set(spare))):  # (each folder's parents first)
        path = os.path.join(staging, folder)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode):  # a link (never followed) or a file
            os.unlink(path)


def _folders_of(files: set[str]) -> set[str]:
    """The folders of FILES (relative paths) and all their parents."""
    folders = set()
    for rel in files:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def adopt(
    cache: Cache,
    old_site: Path,
    pages: dict[str, tuple[int, int] | None],
    extras: Iterable[str] = (),
    known: bool = False,
) -> bool:
    """Make OLD_SITE (the site just replaced, whose pages are hard links to the same files
    as the cached ones) CACHE's site folder. Of the folders at its top, those of no page
    of PAGES (the search index, theme assets, copies of files) are removed in the
    background, and the files there at once. Below, only the PAGES (output files) with
    their given (size, time) stay, a walk removing everything else (links never
    followed): pages of another build or changed since, pages given None (rendered
    again: the new ones are linked in afterwards), pages gone, the open data. KNOWN:
    OLD_SITE is the very site the state's build published (see mark): its pages are
    not looked at one by one, and only the EXTRAS (the files it and this build wrote
    besides the pages: the open data, redirects) are removed; the next build keeps
    only the pages the state lists as it left them (keep_cached, verified), as after a
    page changed by hand, and those rendered again or gone are replaced or removed as
    the state is saved (Cache.save). False when it cannot be (a site folder is there, another file
    system): then OLD_SITE is removed as a replaced site always is."""
    from .write import MARKER, remove_later

    try:
        if not cache.usable() or os.path.lexists(cache.site):
            raise OSError("in the way")
        cache.folder.mkdir(exist_ok=True)
        os.rename(old_site, cache.site)
    except OSError:
        remove_later(old_site, renumber=True)
        return False
    cache._folders = {}
    tops = {rel.partition("/")[0] for rel in pages} | {MARKER}  # (a folder of sitegen's, should it be left behind)
    aside = cache.removal()
    for entry in os.scandir(cache.folder):  # left by a removal that did not finish
        if _REMOVING.fullmatch(entry.name) and entry.path != str(aside) and entry.is_dir(follow_symlinks=False):
            remove_later(Path(entry.path))
    try:
        with os.scandir(cache.site) as entries:
            for entry in entries:
                if entry.name in tops:
                    continue
                if entry.is_dir(follow_symlinks=False):  # the search index, theme assets: at once, later
                    aside.mkdir(exist_ok=True)
                    os.rename(entry.path, aside / entry.name)
                else:
                    os.unlink(entry.path)
        if known:
            for rel in extras:
                if rel.partition("/")[0] in tops and rel != MARKER and cache._plain(rel):  # (never through a link)
                    try:
                        os.unlink(cache.site / rel)
                    except FileNotFoundError:
                        pass
        else:
            _keep_only(
                str(cache.site),
                "",
                lambda rel, st: rel == MARKER or (pages.get(rel, False) == (st.st_size, st.st_mtime_ns)),
                set(),
            )
        return True
    except OSError:  # (a file that cannot be removed): the folder is not kept
        aside.mkdir(exist_ok=True)
        os.rename(cache.site, aside / "site")
        return False
    finally:
        if aside.exists():
            remove_later(aside)


def mark(site: Path) -> tuple[int, int, int] | None:
    """What tells a built site from any other: its marker file's device, inode and time
    (every build writes it afresh). None when it has none."""
    from .write import MARKER

    try:
        st = os.lstat(site / MARKER)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def verified(cache: Cache, files: dict[str, tuple[int, int]]) -> set[str]:
    """The pages FILES lists that are in CACHE's site folder as the state left them (the
    same size and time), each a plain file reached without following a link."""
    found: set[str] = set()
    if cache.usable() and cache.site.is_dir():
        try:
            _keep_only(str(cache.site), "", _as_left(files), found, remove=False)
        except OSError:  # (a folder that cannot be read: its pages are rendered again)
            found.clear()
    return found


def _as_left(files: dict[str, tuple[int, int]]) -> Callable[[str, os.stat_result], bool]:
    """Whether a page is as the state left it: listed in FILES with its size and time."""
    return lambda rel, st: files.get(rel) == (st.st_size, st.st_mtime_ns)


def _keep_only(
    folder: str,
    rel: str,
    keep: Callable[[str, os.stat_result], bool],
    kept: set[str],
    remove: bool = True,
    folders: set[str] | frozenset[str] = frozenset(),
    spared: set[str] | frozenset[str] = frozenset(),
) -> bool:
    """Below FOLDER (REL in the site), remove every file that KEEP(rel, its lstat) refuses,
    every link and anything else that is not a plain file or folder (never following a
    link), and the folders left empty but FOLDERS; add the files kept to KEPT. Files
    SPARED are kept as they are, unlooked at (another process is writing them). Whether
    any is left. Without REMOVE, only find the files kept."""
    left = False
    with os.scandir(folder) as entries:
        for entry in entries:
            name = rel + entry.name
            if name in spared:
                kept.add(name)
                left = True
            elif entry.is_dir(follow_symlinks=False):
                if _keep_only(entry.path, name + "/", keep, kept, remove, folders, spared) or name in folders:
                    left = True
                elif remove:
                    os.rmdir(entry.path)
            elif entry.is_file(follow_symlinks=False) and keep(name, entry.stat(follow_symlinks=False)):
                kept.add(name)
                left = True
            elif remove:
                os.unlink(entry.path)
    return left


class Parts:
    """The open data's files as the last build put them together from their parts (see
    publish.ModelFile.part_of), kept in the cache folder: a hard link to each published
    file (never written in place: a build writes a new one) and where each of its parts
    lies in it, so that the next build makes again only the parts whose reads changed.
    Used only with the build state whose token (State.parts) they were kept with, and
    only while each file has the size and time it was kept with; else every part is
    made again."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.wholes: dict[str, dict[str, tuple[int, int]]] = {}  # whole file -> part -> (offset, length)
        self.kept: set[str] = set()  # every part kept
        self._handles: dict[str, int] = {}

    @staticmethod
    def _index(cache: Cache) -> Path:
        return cache.folder / f"parts-{cache.key}.pickle"

    @classmethod
    def open(cls, cache: Cache, token: str) -> Parts:
        """The parts CACHE keeps with the state of TOKEN (none, when there is no such)."""
        parts = cls(cache)
        if not token or not cache.usable():
            return parts
        try:
            with open(cls._index(cache), "rb") as handle:
                head = _Unpickler(handle).load()
            if not (isinstance(head, tuple) and len(head) == 3 and head[:2] == (version(), token)):
                return parts
            for n, (whole, (size, mtime, where)) in enumerate(head[2].items()):
                if not (type(whole) is str and type(where) is dict and _within(where, size)):
                    continue  # (not as sitegen keeps it: its parts are made again)
                fd = _open_plain(cache.folder / f"parts-{cache.key}-{n}")
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or (st.st_size, st.st_mtime_ns) != (size, mtime):
                    os.close(fd)  # (changed since: its parts are made again)
                    continue
                parts._handles[whole] = fd
                parts.wholes[whole] = where
                parts.kept.update(where)
        except Exception:  # (unreadable, foreign, truncated: every part is made again)
            parts.close()
            parts = cls(cache)
        return parts

    def read(self, whole: str, part: str) -> bytes | None:
        """The bytes of PART of WHOLE as kept, or None."""
        where = self.wholes.get(whole, {}).get(part)
        if where is None:
            return None
        offset, length = where
        try:
            data = os.pread(self._handles[whole], length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def close(self) -> None:
        for fd in self._handles.values():
            os.close(fd)
        self._handles = {}
        self.wholes = {}
        self.kept = set()

    @classmethod
    def save(cls, cache: Cache, token: str, output: Path, wholes: dict[str, dict[str, tuple[int, int]]]) -> None:
        """Keep the files WHOLES names, as just published into OUTPUT, with where each part
        lies in them, for the state of TOKEN; with none, keep nothing."""
        if not cache.usable():
            raise OSError(f"{cache.folder} is a link or a file, not sitegen's folder")
        cache.folder.mkdir(exist_ok=True)
        index = cls._index(cache)
        index.unlink(missing_ok=True)  # (first: a build killed below leaves nothing to use)
        kept: dict[str, tuple[int, int, dict[str, tuple[int, int]]]] = {}
        for n, (whole, where) in enumerate(wholes.items()):
            path = cache.folder / f"parts-{cache.key}-{n}"
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.unlink(missing_ok=True)  # (anything there, a link above all, is never written through)
            link_or_copy(output / whole, str(tmp))
            st = os.lstat(tmp)  # (the file put in place: never another build's, in a race)
            os.replace(tmp, path)
            kept[whole] = (st.st_size, st.st_mtime_ns, where)
        used = {f"parts-{cache.key}-{n}" for n in range(len(wholes))}
        for stale in cache.folder.glob(f"parts-{cache.key}-*"):
            if stale.name not in used:
                stale.unlink(missing_ok=True)
        if not wholes:
            return
        tmp = index.with_name(f".{index.name}.tmp-{os.getpid()}")
        try:
            with _created(tmp) as handle:
                pickle.dump((version(), token, kept), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, index)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _within(where: dict, size: object) -> bool:
    """Whether WHERE (part -> (offset, length)) holds places within a file of SIZE bytes."""
    if type(size) is not int:
        return False
    for part, place in where.items():
        if not (type(part) is str and type(place) is tuple and len(place) == 2):
            return False
        offset, length = place
        if not (type(offset) is int and type(length) is int and 0 <= offset and 0 <= length <= size - offset):
            return False
    return True


def _open_plain(path: Path) -> int:
    """PATH open for reading, never through a link, and never waiting (a named pipe put
    there would block the build for ever): the caller checks that it is a plain file."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags)


def _created(path: Path) -> BinaryIO:
    """PATH made afresh for writing: anything there (a link put there, above all) is
    removed first, and it is made only if nothing is there (never through a link)."""
    path.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(path, flags, 0o666), "wb")


class ParsedStore:
    """The meeting files of one content folder as last read and validated (validate.Parsed),
    kept in the cache folder so that a build reads only the files changed since: a pickle
    per folder of meeting files, holding what it held before any linking. Each is used
    only by the same sitegen code and with the same files under content/files (their
    names, kinds, sizes, which a meeting's documents show, and where links lead: not
    their times, which a fresh checkout changes); a file's entry only while its time and
    size, or its bytes, and the site's languages, are the same (see validate.ParseCache)."""

    def __init__(self, cache_folder: Path, content: Path) -> None:
        content = Path(content).resolve()
        self.folder = cache_folder / f"parsed-{hashlib.sha1(str(content).encode()).hexdigest()[:16]}"
        self.usable = not os.path.islink(cache_folder) and not os.path.islink(self.folder)
        files = hashlib.sha1()
        for root, folders, names in os.walk(content / "files"):
            folders.sort()
            links = [name for name in folders if os.path.islink(os.path.join(root, name))]  # (not walked)
            for name in sorted(names + links):
                path = os.path.join(root, name)
                st = os.lstat(path)
                target = os.readlink(path) if stat.S_ISLNK(st.st_mode) else ""
                kind = stat.S_IFMT(st.st_mode)
                files.update(f"{os.path.relpath(path, content)}\0{kind}\0{st.st_size}\0{target}\0".encode())
        self.head = (version(), files.hexdigest())
        self.known: dict[str, set[str]] = {}  # the files each pickle held, by its folder
        self.tag = os.getpid()  # (the building process's: what pickled() writes is named by it)
        # the folders pickled() makes if they are not there yet (and discard() removes again)
        self._new = [f for f in (self.folder, cache_folder) if not f.is_dir()]

    def _file(self, group: str) -> Path:
        return self.folder / f"{hashlib.sha1(group.encode()).hexdigest()[:16]}.pickle"

    def load(self) -> dict[str, object]:
        """Every entry kept that is still of use, by path relative to the content folder."""
        from .validate import Parsed

        entries: dict[str, object] = {}
        if not self.usable or not self.folder.is_dir():
            return entries
        for entry in os.scandir(self.folder):
            if not entry.name.endswith(".pickle") or not entry.is_file(follow_symlinks=False):
                continue
            try:
                with open(entry.path, "rb") as handle:
                    head, group, held = _Unpickler(handle, parsed=True).load()
            except Exception:  # truncated or foreign: read those files again
                continue
            if (
                head != self.head
                or not isinstance(held, dict)
                or self._file(group).name != entry.name
                or not all(isinstance(e, Parsed) and isinstance(e.key, tuple) for e in held.values())
            ):
                continue
            self.known[group] = set(held)
            entries.update(held)
        return entries

    def due(self, fresh: set[str], rels: list[str]) -> tuple[dict[str, list[str]], list[str]]:
        """What to keep of the files RELS (those FRESH were read in this build): the files of
        each pickle to write again (a folder of meeting files with a file read afresh, or
        other files than it held), and the folders with no meeting file left."""
        groups: dict[str, list[str]] = {}
        for rel in rels:
            groups.setdefault(rel.rpartition("/")[0], []).append(rel)
        due = {
            group: held
            for group, held in groups.items()
            if self.known.get(group) != set(held) or not fresh.isdisjoint(held)
        }
        return due, sorted(self.known.keys() - groups.keys())

    def _tmp(self, group: str) -> Path:
        path = self._file(group)
        return path.with_name(f".{path.name}.tmp-{self.tag}")

    def pickled(self, entries: dict[str, object], due: dict[str, list[str]]) -> None:
        """In a forked process: the ENTRIES of each pickle DUE (see due) written to a file
        of its own beside where it goes (named by the building process's id, TAG), which
        save() puts in its place once the build is done, or discard() removes. The process
        writes them itself and ends, rather than send them back and live on sharing the
        memory that the building process then copies page by page as it writes to it."""
        if not self.usable:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for group, rels in due.items():
            held = {rel: entries[rel] for rel in rels}
            for entry in held.values():  # (a meeting linked before is kept as read)
                meeting = getattr(entry, "meeting", None)
                if meeting is not None:
                    meeting.reset()
            with open(self._tmp(group), "wb") as handle:
                pickle.dump((self.head, group, held), handle, protocol=pickle.HIGHEST_PROTOCOL)

    def discard(self, due: dict[str, list[str]]) -> None:
        """Remove what pickled() wrote, for a build that was refused, and the folders it
        made, if nothing else is in them now."""
        for group in due:
            self._tmp(group).unlink(missing_ok=True)
        for folder in self._new:
            try:
                folder.rmdir()
            except OSError:  # (not empty, or gone)
                pass

    def save(self, due: dict[str, list[str]], gone: list[str]) -> None:
        """Put what pickled() wrote in place, and forget the folders GONE (once the build is
        done: nothing is kept for one refused). Files that a build killed meanwhile left
        half written are removed."""
        if not self.usable:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for group in due:
            os.replace(self._tmp(group), self._file(group))
        for group in gone:
            self._file(group).unlink(missing_ok=True)
        for entry in os.scandir(self.folder):
            if _killed_save(entry, _LEFT):
                os.unlink(entry.path)
        os.utime(self.folder)  # (used last: see below)
        # of other content folders', those of the KEEP used last stay (a moved content folder's
        # go in time): only names sitegen gives, never through a link
        others = []
        for entry in os.scandir(self.folder.parent):
            if _PARSED.fullmatch(entry.name) and entry.path != str(self.folder):
                if entry.is_dir(follow_symlinks=False):
                    others.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        for _, path in sorted(others, reverse=True)[max(KEEP - 1, 0) :]:
            shutil.rmtree(path, ignore_errors=True)


def version() -> str:
    """What wrote a state: sitegen's version and a digest of its own code, and the versions
    of the libraries the pages' bytes depend on. Any difference gives a clean build, so a
    change to sitegen (a date's format, say) never leaves pages made the old way."""
    global _VERSION
    if _VERSION is None:
        import importlib.metadata
        import sys

        libraries = []
        for name in ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "icalendar", "feedgen"):
            try:
                libraries.append(f"{name}={importlib.metadata.version(name)}")
            except importlib.metadata.PackageNotFoundError:
                libraries.append(f"{name}=")
        python = ".".join(map(str, sys.version_info[:2]))
        code = code_digest(Path(__file__).resolve().parent)
        _VERSION = f"{__version__}/{FORMAT}/{code}/{','.join(libraries)}/py{python}"
    return _VERSION


_VERSION: str | None = None


def code_digest(package: Path) -> str:
    """A digest of sitegen's own code and data files, its catalogues of words among them
    (PACKAGE: the sitegen folder)."""
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".po") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _model_classes() -> set[str]:
    """The names of the classes model.py defines (its dataclasses, Texts): data only."""
    from . import model

    return {
        name
        for name, value in vars(model).items()
        if isinstance(value, type)
        and value.__module__ == model.__name__
        and (name == "Texts" or hasattr(value, "__dataclass_fields__"))
    }


class _Unpickler(pickle.Unpickler):
    """Reads a state file making nothing but what a state holds: a state file is data, and
    one put there by someone else must not run code (pickle can call any function)."""

    ALLOWED = {
        ("sitegen.state", "State"),
        ("sitegen.record", "Reads"),
        ("sitegen.record", "GONE"),
        ("sitegen.errors", "Location"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "datetime"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("markupsafe", "Markup"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("copyreg", "_reconstructor"),
        ("builtins", "object"),
        ("builtins", "str"),
        ("array", "array"),
        ("array", "_array_reconstructor"),
    }

    PARSED = {  # and the model's classes: what a meeting file is read into (see ParsedStore)
        ("sitegen.validate", "Parsed"),
        ("sitegen.errors", "Problem"),
        ("decimal", "Decimal"),
    }

    def __init__(self, file: BinaryIO, parsed: bool = False) -> None:
        super().__init__(file)
        self.parsed = parsed

    def find_class(self, module: str, name: str) -> object:
        if self.parsed and ((module, name) in self.PARSED or (module == "sitegen.model" and name in _model_classes())):
            return super().find_class(module, name)
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"a state file does not hold {module}.{name}")
        return super().find_class(module, name)


def link_or_copy(source: Path, dest: str) -> None:
    """Put the page SOURCE at DEST as a hard link (a copy where the file system has none):
    a cached page into a staging folder, a published page into the cache."""
    try:
        os.link(source, dest)
    except OSError:
        with open(source, "rb") as src, _created(Path(dest)) as out:
            shutil.copyfileobj(src, out)
