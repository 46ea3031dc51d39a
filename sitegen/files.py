"""What of ``content/files/`` is published: documents and images, never code, and
never a file that only exempt items name; and what files a build may read at all, as
the preview watches them and the build state remembers them (snapshot). The build and
the preview both ask here."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from stat import S_ISREG

from . import model as m
from .errors import Location, Problems, did_you_mean
from .markdown import file_links

# The kinds of file published under /files/: documents, data, images, sound and video.
# Anything a browser could run as a page or script on the site's own address (HTML,
# SVG, XML, JavaScript, ...) is refused, and so is any kind not listed here.
DOCUMENT_TYPES = (
    "pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv", "tsv", "ppt", "pptx", "odp",
    "odg", "epub", "json", "geojson", "ics", "zip",
    "png", "jpg", "jpeg", "gif", "webp", "avif", "tif", "tiff",
    "mp3", "m4a", "ogg", "oga", "wav", "mp4", "m4v", "webm", "ogv", "vtt",
)  # fmt: skip


def scratch(name: str) -> bool:
    """Whether NAME is an editor's or office program's own file (a backup, a swap or lock
    file): never a clerk's, never read or published, never watched."""
    return name.endswith(("~", ".swp", ".swo", ".tmp")) or name.startswith(("#", ".#", "~$"))


def is_document(name: str) -> bool:
    """Whether files/ publishes a file of this NAME (its kind is one of DOCUMENT_TYPES)."""
    return "." in name and name.rsplit(".", 1)[1].lower() in DOCUMENT_TYPES


def scan(content: Path, problems: Problems | None = None) -> dict[str, Path]:
    """The files under CONTENT/files that may be published, by output path ("files/...");
    each one refused is a problem: an error for a link outside the files folder or a kind
    not published, a warning for a hidden file (it is simply left out)."""
    root = content / "files"
    out: dict[str, Path] = {}
    if not root.is_dir():
        return out
    inside = root.resolve()
    report = problems if problems is not None else Problems()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in sorted(dirnames):
            rel = (here / name).relative_to(content).as_posix()
            if name.startswith("."):
                report.warn(Location(rel), f"{rel} is a hidden folder; nothing in it is published")
                dirnames.remove(name)
            elif (here / name).is_symlink():
                where = "outside files/" if not (here / name).resolve().is_relative_to(inside) else "elsewhere"
                report.error(
                    Location(rel),
                    f"{rel} is a link to something {where}; links are not published: put the files themselves there",
                )
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(content).as_posix()
            if scratch(name):
                continue
            if name.startswith("."):
                report.warn(Location(rel), f"{rel} is a hidden file; it is not published")
                continue
            if path.is_symlink() or not path.is_file():
                try:
                    outside = not path.resolve().is_relative_to(inside)
                except (OSError, RuntimeError):
                    outside = True
                where = "a link to something outside files/" if outside else "a link, or not a file"
                report.error(Location(rel), f"{rel} is {where}; it is not published: put the file itself there")
                continue
            if not is_document(name):
                kind = name.rsplit(".", 1)[1].lower() if "." in name else ""
                what = f".{kind} files are" if kind else "files without an extension are"
                report.error(
                    Location(rel),
                    f"{rel}: {what} not published from files/ (only documents and images, so that nothing there "
                    f"can run on the site's address); remove it, or publish it as one of: {', '.join(DOCUMENT_TYPES)}",
                )
                continue
            out[rel] = path
    return out


def _documents(model: m.Model) -> tuple[dict[str, list[m.Document]], dict[str, list[tuple[str, m.Document]]]]:
    """The local documents named by public records, and by exempt items and forward plan
    entries (with their references), by their file."""
    public: dict[str, list[m.Document]] = {}
    exempt: dict[str, list[tuple[str, m.Document]]] = {}
    for entry in model.plan.values():
        for doc in entry.documents:
            if not doc.external:
                key = posixpath.normpath(doc.href)
                if entry.exempt:
                    exempt.setdefault(key, []).append((f"the forward plan's {entry.id}", doc))
                else:
                    public.setdefault(key, []).append(doc)
    for meeting in model.meetings.values():
        for doc in meeting.documents:
            if not doc.external:
                public.setdefault(posixpath.normpath(doc.href), []).append(doc)
        for item in meeting.items:
            for doc in item.documents:
                if doc.external:
                    continue
                key = posixpath.normpath(doc.href)
                if item.exempt:
                    exempt.setdefault(key, []).append((item.ref, doc))
                else:
                    public.setdefault(key, []).append(doc)
    return public, exempt


def check_files(model: m.Model, problems: Problems, files: dict[str, Path] | None = None) -> None:
    """A file that an exempt item and a public record both name as a document is an error:
    it would be published with the one and must not be with the other; and so is a link in
    published prose to a document only exempt items name. With FILES (see scan): a link in
    published prose to a file under files/ that is not published is an error too."""
    public, exempt = _documents(model)
    links = list(_links(model, exempt=False))  # (read once: most texts link to no file)
    if files is not None:
        _check_links(links, files, problems)
    if not exempt:
        return  # no exempt item names a document: nothing can clash or be linked to
    for rel, uses in sorted(exempt.items()):
        if rel in public:
            for ref, doc in uses:
                problems.error(
                    doc.loc,
                    f"{rel} is a document of the exempt item {ref} and also of a public record "
                    f"(at {public[rel][0].loc}); an exempt item's files are not published: "
                    "give the public record another file, or make the item public",
                )
    hidden = {rel for rel in exempt if rel not in public}
    for rel, loc, _ in links:
        if rel in hidden:
            problems.error(
                loc, f"a link to {rel}, a document only of an exempt item, which is not published; remove the link"
            )


def _check_links(links: list[tuple[str, Location, str]], files: dict[str, Path], problems: Problems) -> None:
    """Each of LINKS (in published prose, see _links) to a file under files/ that is not
    published (there is no such file, or its kind is not published: see scan) is an error
    at its line."""
    for rel, loc, _ in links:
        if rel in files:
            continue
        folder = posixpath.dirname(rel) + "/"
        hint = did_you_mean(
            posixpath.basename(rel),
            [name[len(folder) :] for name in files if name.startswith(folder) and "/" not in name[len(folder) :]],
        )
        problems.error(
            loc, f"a link to {rel}: there is no such file under the content folder, or it is not published{hint}"
        )


def exempt_links(meetings: Iterable[m.Meeting]) -> set[str]:
    """The files under files/ that the texts of MEETINGS' exempt items link to (see _hidden)."""
    return {rel for rel, _, _ in _linked(_meeting_prose(meetings, exempt=True))}


def _links(model: m.Model, exempt: bool) -> Iterator[tuple[str, Location, str]]:
    """The links into files/ in the prose of public records (EXEMPT false: the prose that is
    published) or of exempt items and forward plan entries (true: never published), in every
    language: each file (as its path under the content folder), where the link is, and
    what it is in."""
    yield from _linked(_plan_prose(model, exempt))
    yield from _linked(_meeting_prose(model.meetings.values(), exempt))


def _linked(prose: Iterator[tuple[str, Location, str]]) -> Iterator[tuple[str, Location, str]]:
    for text, loc, ref in prose:
        for line, rel in file_links(text):
            yield rel, Location(loc.path, loc.line + line), ref


def _has_link(text: str) -> bool:
    """Whether TEXT, in any of its languages, may link into files/ (cheap: most do not)."""
    if text.__class__ is m.Texts:
        return any("files/" in each for each in text.texts.values())  # type: ignore[attr-defined]
    return "files/" in text


def _plan_prose(model: m.Model, exempt: bool) -> Iterator[tuple[str, Location, str]]:
    """The prose of the forward plan, and (EXEMPT false) of bodies and issues, that may link
    into files/ (see _links), each text with where it starts and what it is in (a Location
    is made only for those: most texts link to no file)."""
    if not exempt:
        for body in model.bodies.values():
            if _has_link(body.description):
                yield body.description, body.loc, body.id
        for info in model.issue_info.values():
            if _has_link(info.summary):
                yield info.summary, info.loc, info.id
    for entry in model.plan.values():
        if bool(entry.exempt) == exempt:
            for key in ("summary", "consultation"):
                text = getattr(entry, key)
                if _has_link(text):
                    yield (
                        text,
                        Location(entry.loc.path, entry.lines.get(key, entry.loc.line)),
                        f"the forward plan's {entry.id}",
                    )


def _meeting_prose(meetings: Iterable[m.Meeting], exempt: bool) -> Iterator[tuple[str, Location, str]]:
    """MEETINGS' prose that may link into files/, as _plan_prose."""
    for meeting in meetings:
        if not exempt and meeting.notes and _has_link(meeting.notes):
            yield meeting.notes, Location(meeting.source, meeting.refs.get("notes_line", 1)), meeting.id
        for item in meeting.items:
            if bool(item.exempt) != exempt:
                continue
            if item.minutes and _has_link(item.minutes):
                yield item.minutes, Location(meeting.source, item.lines.get("minutes", 1)), item.ref
            for decision in item.decisions:
                if _has_link(decision.text):
                    yield decision.text, decision.line("text"), item.ref
                if decision.reasons or decision.alternatives or decision.urgency:  # (a decision file's, or executive)
                    for key in ("reasons", "alternatives", "urgency"):
                        text = getattr(decision, key)
                        if _has_link(text):
                            yield text, decision.line(key), item.ref
                for step in decision.decides:
                    if _has_link(step.note):
                        yield step.note, step.loc, item.ref
                    if step.text and _has_link(step.text):
                        yield step.text, step.loc, item.ref
            for amendment in item.amendments:
                if _has_link(amendment.text):
                    yield amendment.text, amendment.loc, item.ref


def withheld(model: m.Model) -> set[str]:
    """The files that only exempt items name: never published."""
    return _hidden(model, *_documents(model))


def _hidden(model: m.Model, public: dict[str, list], exempt: dict[str, list]) -> set[str]:
    """The files never published: those that exempt items (and forward plan entries) name
    as documents (EXEMPT) and no public record does (PUBLIC); and those their texts link
    to that no public record names, as a document or by a link in its published text (a
    link in an exempt text to the meeting's public agenda leaves that public)."""
    hidden = {rel for rel in exempt if rel not in public}
    linked = {rel for rel, _, _ in _links(model, exempt=True)} - public.keys()
    if linked:
        linked -= {rel for rel, _, _ in _links(model, exempt=False)}
    return hidden | linked


def published_files(scanned: dict[str, Path], hidden: set[str]) -> dict[str, Path]:
    """The files published with the site, by output path: those SCANNED (see scan) that
    are not HIDDEN (see withheld: only exempt items name them)."""
    return {rel: path for rel, path in scanned.items() if rel not in hidden}


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
        if scratch(os.path.basename(path)):
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
                    if entry.is_symlink():  # (not followed; but its coming or going is a change: the reader refuses it)
                        snap[entry.path] = (-1, 0)
                    else:
                        _scan(entry.path, snap)
                    continue
                if scratch(name):
                    continue
                st = entry.stat()
            except OSError:
                continue
            snap[entry.path] = (st.st_mtime_ns, st.st_size)
