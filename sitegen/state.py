"""The build state on disk, shared by ``sitegen build`` and ``sitegen serve``.

After a build, the cache folder (``.sitegen-cache`` beside the content folder, never
inside the output) keeps what each page read as it rendered (record.Reads), the
templates' digests, and the pages themselves as hard links to the published files.
The next build with the same settings asks the new model for the recorded values and
renders only the pages whose reads, templates or plan changed; the others are linked
from the cache into the new site. A build with no state, or a state written by another
version of sitegen, for other settings or a theme in other folders, or one that cannot
be read, is a clean build. Deleting the folder is always safe.

The folder holds, for each content folder and combination of settings (base path,
search, theme folders), ``state-KEY.pickle`` and ``site-KEY/``; sitegen removes
nothing else there.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, record

FORMAT = 1  # the layout of a state file; a state of another layout is not read
CACHE_NAME = ".sitegen-cache"


def cache_folder(content: Path) -> Path:
    """Where the build state of CONTENT is kept: beside it, as git and Netlify see it."""
    return Path(content).resolve().parent / CACHE_NAME


@dataclass
class State:
    """What the last build with these settings left for the next one."""

    version: str
    settings: str
    reads: record.Reads
    templates: dict[str, str] = field(default_factory=dict)  # template name -> sha1 of the file used
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # page file -> (size, mtime) in the cache


def settings_key(content: Path, base: str, search: bool, folders: list[Path]) -> str:
    """A name for one content folder's build with one combination of settings."""
    text = repr((str(Path(content).resolve()), base, search, [str(f.resolve()) for f in folders]))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


class Cache:
    """The cache folder for one combination of settings (see settings_key)."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.file = folder / f"state-{key}.pickle"
        self.site = folder / f"site-{key}"

    def usable(self) -> bool:
        """Whether the folder is (or can be) a plain folder of sitegen's: never a link, a file."""
        folder = self.folder
        if os.path.islink(folder) or (folder.exists() and not folder.is_dir()):
            return False
        return not os.path.islink(self.site) and not (self.site.exists() and not self.site.is_dir())

    def load(self) -> State | None:
        """The state kept, or None (none, another version's, or unreadable: a clean build)."""
        if not self.usable():
            return None
        try:
            with open(self.file, "rb") as handle:
                state = pickle.load(handle)
        except Exception:  # missing, truncated or foreign: start clean
            return None
        if not isinstance(state, State) or state.version != version() or state.settings != self.key:
            return None
        return state

    def cached(self, state: State, rel: str) -> Path | None:
        """The cached copy of page REL, when it is as the state says it left it."""
        path = self.site / rel
        try:
            st = path.lstat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or state.files.get(rel) != (st.st_size, st.st_mtime_ns):
            return None  # (a link put there is never followed, nor published)
        return path

    def forget(self) -> None:
        """Drop the state file, before its pages change (a build killed then starts clean)."""
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass

    def save(self, state: State, output: Path, written: list[str], gone: list[str]) -> None:
        """Keep STATE, with the pages WRITTEN into OUTPUT linked into the cache (GONE
        taken out of it). Only the state file and its own site folder are touched."""
        if not self.usable():
            raise OSError(f"{self.folder} or {self.site} is a link or a file, not sitegen's folder")
        self.folder.mkdir(exist_ok=True)
        if not state.files and self.site.is_dir():
            shutil.rmtree(self.site)  # a clean build's: whatever the cache held before is stale
        self.site.mkdir(exist_ok=True)
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
            try:
                os.link(output / rel, tmp)
            except OSError:  # no hard links here (another file system): a copy
                shutil.copyfile(output / rel, tmp)
            os.replace(tmp, dest)
            st = dest.stat()
            state.files[rel] = (st.st_size, st.st_mtime_ns)
        tmp_file = self.file.with_name(f".{self.file.name}.tmp-{os.getpid()}")
        try:
            with open(tmp_file, "wb") as handle:
                pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp_file, self.file)
        except BaseException:
            tmp_file.unlink(missing_ok=True)  # (a full disk, say: nothing half written is left)
            raise


def version() -> str:
    return f"{__version__}/{FORMAT}"


def link_or_copy(source: Path, dest: str) -> None:
    """Put the cached page SOURCE at DEST (a path in the staging folder)."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)
