"""Atomic output: build into a folder beside the output, then swap it in.

A failed or interrupted build never touches the published folder, and two
builds of one output folder never interleave (the second is refused)."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class BuildLocked(Exception):
    pass


class OutputRefused(Exception):
    """The output folder named is not one sitegen may replace; nothing was touched."""


MARKER = ".sitegen-output"  # written into every built site: the mark of a folder sitegen may replace
MARKER_TEXT = (
    b"This folder is a site built by sitegen. Each build replaces the whole folder:\nkeep nothing else here.\n"
)
# the longest name put beside the output (see swap_in): ".NAME.trash-PID"
_SIBLING_EXTRA = len(".") + len(".trash-") + 10


def safe_output(output: Path, protected: list[tuple[Path, str]]) -> Path:
    """OUTPUT as an absolute path, if sitegen may build into it; else OutputRefused.

    PROTECTED: folders (the content, the theme's) that the output may not be, lie in or
    hold. The output must be new, empty, or a folder sitegen built (it carries MARKER),
    and not inside one; it may not be a file or a symbolic link. Reads the disk, writes
    nothing."""
    given = str(output)
    if output.is_symlink():
        raise OutputRefused(f"the output {given} is a symbolic link; give the folder it points to, or another folder")
    absolute = Path(os.path.abspath(output))  # "." and ".." resolved, links kept
    if absolute.parent == absolute or not absolute.name:
        raise OutputRefused(f"the output {given} is the root of the file system; give a folder of its own")
    try:
        str(absolute).encode("utf-8")
    except UnicodeEncodeError:
        raise OutputRefused("the output's path is not valid UTF-8 text; give a folder with a plainer name") from None
    if len(os.fsencode(absolute)) + _SIBLING_EXTRA > 4000:
        raise OutputRefused("the output's path is too long for this file system; give a shorter one")
    try:
        real = absolute.resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputRefused(f"the output {given} cannot be used: {exc}") from None
    for folder, what in protected:
        try:
            other = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if real == other or other.is_relative_to(real):
            raise OutputRefused(
                f"the output {given} {'is' if real == other else 'holds'} {what} ({folder}); "
                "a build replaces its whole output folder: give another folder, such as output"
            )
        if real.is_relative_to(other):
            raise OutputRefused(
                f"the output {given} is inside {what} ({folder}); give a folder outside it, such as output"
            )
    for parent in real.parents:
        if (parent / MARKER).is_file():  # (the next build of that site would delete this one)
            raise OutputRefused(
                f"the output {given} is inside {parent}, a site sitegen built, whose next build replaces "
                "all of it: give a folder outside it"
            )
    try:
        name_max = os.pathconf(_existing_parent(absolute), "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(absolute.name)) + _SIBLING_EXTRA > name_max:
        raise OutputRefused(
            f"the output folder's name is too long for this file system ({len(os.fsencode(absolute.name))} bytes; "
            f"at most {name_max - _SIBLING_EXTRA}): give a shorter name"
        )
    if absolute.exists() or os.path.lexists(absolute):
        if not absolute.is_dir():
            raise OutputRefused(f"the output {given} is a file, not a folder; give a folder, such as output")
        try:
            entries = os.listdir(absolute)
        except OSError as exc:
            raise OutputRefused(f"the output {given} cannot be read: {exc.strerror}") from None
        if entries and MARKER not in entries:
            raise OutputRefused(
                f"the output {given} holds files that sitegen did not write (it has no {MARKER} file), "
                "and a build replaces the whole folder; give a new or empty folder, or move those files away"
            )
        if MARKER in entries and not (absolute / MARKER).is_file():
            raise OutputRefused(f"the output {given} has a {MARKER} that is not sitegen's mark; give another folder")
    return absolute


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold a lock on OUTPUT for the length of a build. The lock file beside it is
    sitegen's: one that is not (a link, a folder, a file holding anything but a process
    number) is refused, never followed or overwritten."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    if lock_path.is_symlink() or (lock_path.exists() and not lock_path.is_file()):
        raise OutputRefused(f"{lock_path} is in the way (sitegen keeps its lock file there); move it away")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputRefused(
                f"{lock_path} is in the way (sitegen keeps its lock file there); move it away"
            ) from None
        raise
    handle: IO[str] = os.fdopen(fd, "r+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise BuildLocked(
                    f"another build is writing {output} (process {holder}); wait for it to finish"
                ) from None
            raise
        handle.seek(0)
        held = handle.read(64).strip()
        if held and not held.isdigit():
            raise OutputRefused(f"{lock_path} holds something sitegen did not write; move it away")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _ours(output: Path, kind: str) -> list[Path]:
    """The folders beside OUTPUT that sitegen made for it: named .NAME.KIND-PID (a process
    number) and carrying MARKER (a staging folder from its start, an old site from its
    build). Anything else beside it is someone else's, and is never touched."""
    prefix = f".{output.name}.{kind}-"
    found = []
    try:
        names = os.listdir(output.parent)
    except OSError:
        return []
    for name in sorted(names):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            path = output.parent / name
            if not path.is_symlink() and path.is_dir() and (path / MARKER).is_file():
                found.append(path)
    return found


def staging_folder(output: Path, take: Callable[[Path], bool] | None = None) -> Path:
    """A fresh folder beside OUTPUT to build into, marked as sitegen's; stale ones of
    sitegen's own (from a killed build) are cleared. TAKE(path): move a folder of
    sitegen's there to start from (the build state's cached site), True when it did."""
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in _ours(output, "tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = output.parent / f".{output.name}.tmp-{os.getpid()}"
    if os.path.lexists(staging):
        raise OutputRefused(f"{staging} is in the way (sitegen builds there); move it away")
    if take is None or not take(staging):
        staging.mkdir()
    write_file(staging, MARKER, MARKER_TEXT, {str(staging)})
    return staging


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def swap_in(staging: Path, output: Path, keep_old: bool = False) -> Path | None:
    """Replace OUTPUT by STAGING. Where the system allows, in one atomic exchange, so the
    output folder is never missing or partial; otherwise with two renames. The old site is
    removed in the background, or with KEEP_OLD returned (renamed beside OUTPUT) for the
    caller to use or remove."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    trash = output.parent / f".{output.name}.trash-{os.getpid()}"
    for stale in [*_ours(output, "old"), *_ours(output, "trash")]:
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build or an unfinished removal
    for path in (old, trash):
        if os.path.lexists(path):
            raise OutputRefused(f"{path} is in the way (sitegen moves the old site there); move it away")
    if output.exists() and _exchange(staging, output):
        os.rename(staging, trash)  # staging now holds the old site
    elif output.exists():
        os.rename(output, old)
        try:
            os.rename(staging, output)
        except OSError:
            os.rename(old, output)
            raise
        os.rename(old, trash)
    else:
        os.rename(staging, output)
        return None
    if keep_old:
        return trash
    remove_later(trash, renumber=True)
    return None


def remove_later(folder: Path, renumber: bool = False) -> None:
    """Delete FOLDER in a detached process: the new site is already in place, and
    deleting tens of thousands of old files need not hold up the build's return.
    A removal that never finishes is redone by the next build. RENUMBER: FOLDER is a
    .NAME.trash-PID of this process's, renamed with the remover's number before this
    returns, so that the next build in this process finds the name free."""
    if not hasattr(os, "fork"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:  # the child forks again and exits at once, so no zombie is left behind
        ready, go = os.pipe()
        remover = os.fork()
        if remover:
            os.close(ready)
            if renumber:
                try:
                    os.rename(folder, folder.with_name(f"{folder.name.rpartition('-')[0]}-{remover}"))
                except OSError:
                    pass
            os.write(go, b"x")
        else:
            os.close(go)  # (so that the read ends, were this process's parent to die first)
            os.read(ready, 1)  # (once renamed)
            if renumber:
                folder = folder.with_name(f"{folder.name.rpartition('-')[0]}-{os.getpid()}")
            os.setsid()
            # hold nothing of the build's: its lock above all, or the next build would
            # wait for this removal
            os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 256)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


def recover(output: Path) -> None:
    """After a build was killed between the two renames, put the old output back (only a
    site sitegen built: it carries MARKER)."""
    if os.path.lexists(output):
        return
    olds = _ours(output, "old")
    if olds:
        os.rename(olds[-1], output)


def replace_file(path: Path, data: bytes) -> None:
    """Write DATA to PATH in a live site (the preview's): beside it first, then renamed
    over it, so that a page being served is never half written. (A build writes into
    its staging folder with write_file.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def folder_of(path: str, made: set[str]) -> None:
    """Make the folder of PATH, unless MADE (the folders known to exist) has it: one system
    call when its parent is known to exist."""
    folder = path.rpartition("/")[0]
    if folder not in made:
        parent = folder.rpartition("/")[0]
        if parent in made:
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
        else:
            os.makedirs(folder, exist_ok=True)
            made.add(parent)
        made.add(folder)


def write_file(root: Path, rel: str, data: bytes | Any, made: set[str]) -> None:
    """Write DATA (bytes, or anything with ``chunks()`` giving bytes) to ROOT/REL.
    MADE remembers the folders already made: a folder whose parent is known to exist
    takes one system call, and a file is written through its descriptor, unbuffered
    (a site is tens of thousands of small files, each in its own folder)."""
    path = f"{root}/{rel}"
    folder_of(path, made)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        # never written in place: a file already there may be a hard link to a published
        # page (a build starts from the cached site, see state.take)
        os.unlink(path)
        fd = os.open(path, flags, 0o666)
    try:
        for chunk in (data,) if isinstance(data, bytes) else data.chunks():
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def copy_tree(source: Path, dest: Path, inside: Path) -> list[str]:
    """Copy SOURCE into DEST, refusing anything (a symlink) that leads outside INSIDE.
    Returns the files refused, relative to SOURCE."""
    refused = []
    inside = inside.resolve()
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            if not (here / name).resolve().is_relative_to(inside):
                refused.append((here / name).relative_to(source).as_posix())
                dirnames.remove(name)
        for name in sorted(filenames):
            src = here / name
            rel = src.relative_to(source)
            if not src.resolve().is_relative_to(inside) or not src.is_file():
                refused.append(rel.as_posix())
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return refused
