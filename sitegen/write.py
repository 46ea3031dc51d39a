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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class BuildLocked(Exception):
    pass


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold a lock on OUTPUT for the length of a build."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    handle: IO[str] = open(lock_path, "a+")
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
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def staging_folder(output: Path) -> Path:
    """A fresh empty folder beside OUTPUT to build into; stale ones are cleared."""
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in output.parent.glob(f".{output.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = output.parent / f".{output.name}.tmp-{os.getpid()}"
    staging.mkdir()
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


def swap_in(staging: Path, output: Path) -> None:
    """Replace OUTPUT by STAGING. Where the system allows, in one atomic exchange, so the
    output folder is never missing or partial; otherwise with two renames."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    trash = output.parent / f".{output.name}.trash-{os.getpid()}"
    for stale in [*output.parent.glob(f".{output.name}.old-*"), *output.parent.glob(f".{output.name}.trash-*")]:
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build or an unfinished removal
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
        return
    remove_later(trash)


def remove_later(folder: Path) -> None:
    """Delete FOLDER in a detached process: the new site is already in place, and
    deleting tens of thousands of old files need not hold up the build's return.
    A removal that never finishes is redone by the next build."""
    if not hasattr(os, "fork"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:  # the child forks again and exits at once, so no zombie is left behind
        if os.fork() == 0:
            os.setsid()
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


def recover(output: Path) -> None:
    """After a build was killed between the two renames, put the old output back."""
    if output.exists():
        return
    olds = sorted(output.parent.glob(f".{output.name}.old-*"))
    if olds:
        os.rename(olds[-1], output)


def write_file(root: Path, rel: str, data: bytes | Any, made: set[str]) -> None:
    """Write DATA (bytes, or anything with ``chunks()`` giving bytes) to ROOT/REL.
    MADE remembers the folders already made: a folder whose parent is known to exist
    takes one system call, and a file is written through its descriptor, unbuffered
    (a site is tens of thousands of small files, each in its own folder)."""
    path = f"{root}/{rel}"
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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
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
