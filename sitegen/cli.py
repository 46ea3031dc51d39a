"""The sitegen command: build, check, new (and serve)."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import gc
import json
import os
import sys
import textwrap
from pathlib import Path

from . import fields
from .errors import ContentError, Problem
from .state import CACHE_NAME, cache_folder
from .write import BuildLocked, OutputRefused


def os_error(exc: OSError) -> str:
    """One line for a file-system fault: what failed, where, and why."""
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    hint = ""
    if exc.errno == errno.ENOSPC:
        hint = "; free some space and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "; choose a folder you may write to (--output)"
    elif exc.errno == errno.ENAMETOOLONG:
        hint = "; choose a shorter name"
    return f"sitegen: cannot use{where}: {reason}{hint}"


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _fail(exc: ContentError, content: Path | None = None) -> int:
    _print_problems(exc.problems)
    errors = len(exc.errors)
    where = f" (paths are relative to {content})" if content is not None else ""
    print(f"{errors} error{'s' if errors != 1 else ''}{where}; nothing was written", file=sys.stderr)
    return 1


def cmd_build(args: argparse.Namespace) -> int:
    from .build import SearchError, ThemeError, build

    try:
        content = Path(args.content)
        report = build(
            content,
            Path(args.output),
            log=print,
            search=not args.no_search,
            jobs=args.jobs,
            state_folder=None if args.no_cache else cache_folder(content),
        )
    except ContentError as exc:
        return _fail(exc, Path(args.content))
    except (BuildLocked, ThemeError, SearchError, OutputRefused) as exc:
        print(f"sitegen: {exc} (nothing was written)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{os_error(exc)} (nothing was published; the output folder is as it was)", file=sys.stderr)
        return 1
    _print_problems(report.warnings)
    same = (
        f" ({report.pages - report.rendered} unchanged since the last build)" if report.rendered < report.pages else ""
    )
    print(f"built {report.pages} pages{same} and {report.files} files into {report.output} in {report.seconds:.2f} s")
    _KEEP.append(report)  # see run()
    return 0 if not (args.strict and report.warnings) else 1


def cmd_check(args: argparse.Namespace) -> int:
    from .build import load

    if args.output:
        return check_output(Path(args.output), args.base_path)

    try:
        loaded = load(Path(args.content))
    except ContentError as exc:
        return _fail(exc, Path(args.content))
    _print_problems(loaded.problems)
    from .build import check_theme

    theme = check_theme(loaded)
    for problem in theme:
        print(f"sitegen: the theme: {problem}", file=sys.stderr)
    if theme:
        return 1
    model = loaded.model
    from .link import money_hints

    for hint in money_hints(model):  # (never failing the check, even --strict)
        print(hint, file=sys.stderr)
    held = len(model.held())
    counts = [
        (held, "meeting", "meetings"),
        (len(model.meetings) - held, "decision made by one person", "decisions made by one person"),
        (len(model.plan), "forward plan entry", "forward plan entries"),
        (len(model.bodies), "body", "bodies"),
        (len(model.people), "person", "people"),
        (len(loaded.warnings), "warning", "warnings"),
    ]
    print("ok: " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts))
    return 1 if args.strict and loaded.warnings else 0


SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
EDITOR_SCHEMAS = tuple(fields.EDITOR_SCHEMAS)


def check_output(output: Path, base_path: str) -> int:
    from .linkcheck import check_site

    if not output.is_dir():
        print(f"sitegen: {output} is not a folder; build the site first", file=sys.stderr)
        return 2
    try:
        checked, broken = check_site(output, base_path)
    except OSError as exc:
        print(os_error(exc), file=sys.stderr)
        return 2
    for link in broken:
        print(link, file=sys.stderr)
    print(f"checked {checked} pages: {len(broken)} broken link{'s' if len(broken) != 1 else ''}")
    return 1 if broken else 0


MEETING_TEMPLATE = """\
---
# yaml-language-server: $schema={schema}
body: {body}
date: {date}
start: 18:30
location:
status: {status}
record: agenda
chair:
present: []
apologies: []
items:
{items}---
"""


def standing_items(languages: tuple[str, ...], folders: list[Path]) -> str:
    """The items every agenda starts with, as YAML, each title in LANGUAGES (a mapping by
    language when there are several), from the catalogues in FOLDERS (a theme's) and sitegen's."""
    from .i18n import N_, load

    standing = (
        ("apologies", N_("Apologies for absence")),
        ("declarations", N_("Declarations of interest")),
        ("minutes", N_("Minutes of the previous meeting")),
    )
    words = []
    for language in languages:
        try:
            words.append((language, load(language, folders)))
        except LookupError:  # (no catalogue: the title as written here)
            words.append((language, None))
    out = []
    for n, (iid, title) in enumerate(standing, 1):
        out.append(f'  - id: {iid}\n    number: "{n}"\n')
        texts = [(lang, w.gettext(title) if w is not None else title) for lang, w in words]
        if len(texts) == 1:
            out.append(f"    title: {json.dumps(texts[0][1], ensure_ascii=False)}\n")
        else:
            out.append(
                "    title:\n" + "".join(f"      {lang}: {json.dumps(t, ensure_ascii=False)}\n" for lang, t in texts)
            )
    return "".join(out)


def cmd_new(args: argparse.Namespace) -> int:
    from .build import today
    from .errors import Problems, did_you_mean
    from .render import theme_folders
    from .validate import SLUG, read_site_files

    content = Path(args.content)
    if not SLUG.match(args.body):
        print(f'sitegen: "{args.body}" is not a body id (lowercase letters, digits and hyphens)', file=sys.stderr)
        return 2
    try:
        date = dt.date.fromisoformat(args.date)
    except ValueError:
        print(f'sitegen: "{args.date}" is not a date: write YYYY-MM-DD, e.g. 2027-01-20', file=sys.stderr)
        return 2
    site, bodies, _, _, _ = read_site_files(content, Problems())
    if not bodies:
        print(
            f"sitegen: {content / 'bodies.yaml'} is missing or lists no bodies; "
            "list the council's bodies there first (see the README)",
            file=sys.stderr,
        )
        return 2
    if args.body not in bodies:
        print(
            f'sitegen: unknown body "{args.body}"{did_you_mean(args.body, bodies)}; bodies are listed in bodies.yaml',
            file=sys.stderr,
        )
        return 2
    path = content / "meetings" / str(date.year) / f"{date.isoformat()}-{args.body}.md"
    if path.exists():
        print(f"sitegen: {path} already exists; not overwriting it", file=sys.stderr)
        return 1
    from .validate import meeting_files

    stem = path.name.rsplit(".", 1)[0]
    same = [p for p in meeting_files(content) if p.name.rsplit(".", 1)[0] == stem]
    if same:
        print(
            f"sitegen: {stem} already exists, in {same[0]}; the id of a meeting or decision file is its file "
            "name, so a second file would clash. Edit that file instead",
            file=sys.stderr,
        )
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    status = "scheduled" if date >= today() else "held"
    schemas = install_schemas(content)
    schema = os.path.relpath(schemas / "meeting.schema.json", path.parent)
    with open(path, "x", encoding="utf-8") as handle:
        items = standing_items(site.published, theme_folders(content, site.theme))
        handle.write(
            MEETING_TEMPLATE.format(body=args.body, date=date.isoformat(), status=status, schema=schema, items=items)
        )
    print(path)
    return 0


def install_schemas(content: Path) -> Path:
    """Copy the editor schemas into CONTENT/.schemas (kept up to date), for the yaml-language-server comment."""
    target = content / ".schemas"
    target.mkdir(parents=True, exist_ok=True)
    for name in EDITOR_SCHEMAS:
        data = (SCHEMA_DIR / f"{name}.schema.json").read_bytes()
        dest = target / f"{name}.schema.json"
        if not dest.is_file() or dest.read_bytes() != data:
            dest.write_bytes(data)
    return target


def cmd_schema(args: argparse.Namespace) -> int:
    for name in EDITOR_SCHEMAS:
        print(SCHEMA_DIR / f"{name}.schema.json")
    print(
        "Point your editor's YAML support at these (VS Code: the YAML extension's yaml.schemas setting), or add\n"
        "  # yaml-language-server: $schema=PATH\n"
        "as the first line of a YAML file. 'sitegen new meeting' writes that line for you.",
        file=sys.stderr,
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import PortBusy, serve

    try:
        serve(
            Path(args.content),
            host=args.host,
            port=args.port,
            open_browser=args.open,
            log=lambda s: print(s, flush=True),
        )
    except PortBusy as exc:
        print(f"sitegen: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(os_error(exc), file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="sitegen",
        description="Build a website of council meetings and decisions from one file per meeting.",
        epilog="Run 'sitegen COMMAND --help' for the options of a command.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=help,
            epilog="example:\n" + textwrap.indent(example, "  "),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = command(
        "build",
        "Check the content and build the site into the output folder.",
        "sitegen build --content content --output output",
    )
    p.add_argument("--content", default="content", help="the content folder (default: content)")
    p.add_argument("--output", default="output", help="the output folder (default: output)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--no-search", action="store_true", help="skip the search index (Pagefind)")
    p.add_argument("--jobs", type=int, help="processes to render with (default: one per CPU core)")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help=f"build every page, neither reading nor keeping the build state ({CACHE_NAME} beside the content)",
    )
    add_today(p)
    p.set_defaults(func=cmd_build)

    p = command(
        "check",
        "Check the content and report every problem as PATH:LINE: message; writes nothing. "
        "With --output, check a built site instead: every internal link, asset and #fragment must resolve.",
        "sitegen check --content content\nsitegen check --output output",
    )
    p.add_argument("--content", default="content", help="the content folder (default: content)")
    p.add_argument("--output", help="check the links of this built site instead of the content")
    p.add_argument("--base-path", default="/", help="the path the built site is published under (default: /)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_today(p)
    p.set_defaults(func=cmd_check)

    p = command(
        "new", "Write a skeleton file for a new meeting and print its path.", "sitegen new meeting cabinet 2027-01-20"
    )
    p.add_argument("kind", choices=["meeting"], help="what to create (meeting)")
    p.add_argument("body", help="the body's id, as in bodies.yaml")
    p.add_argument("date", help="the meeting's date, YYYY-MM-DD")
    p.add_argument("--content", default="content", help="the content folder (default: content)")
    add_today(p)
    p.set_defaults(func=cmd_new)
    p = command(
        "schema",
        "Print where the JSON Schemas for meeting, bodies and people files are, for editors that validate as you type.",
        "sitegen schema",
    )
    p.set_defaults(func=cmd_schema)

    p = command(
        "serve",
        "Build the site, serve it locally, and rebuild and reload the browser on every save.",
        "sitegen serve --content content --port 8000 --open",
    )
    p.add_argument("--content", default="content", help="the content folder (default: content)")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)"
    )
    p.add_argument("--open", action="store_true", help="open the site in the web browser")
    add_today(p)
    p.set_defaults(func=cmd_serve)

    p = command(
        "import",
        "Write (or update) a content folder from a council's ModernGov web service: committees, councillors, "
        "meetings, items, minutes, decisions and documents. Re-running it adds what is new and never overwrites "
        "a file edited by hand.",
        "sitegen import moderngov https://democracy.example.gov.uk/ --from 2022-01-01",
    )
    p.add_argument("system", choices=["moderngov"], help="the system to import from (moderngov)")
    p.add_argument("base", help="the ModernGov site's address, such as https://democracy.example.gov.uk/")
    p.add_argument("--content", default="content", help="the content folder to write (default: content)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="the first day (default: four years ago)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="the last day (default: a year from today)")
    p.add_argument(
        "--committee", action="append", default=[], metavar="ID", help="only this ModernGov committee id (repeatable)"
    )
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests (default: 1)")
    p.add_argument(
        "--download", action="store_true", help="save the documents under files/moderngov/ rather than link to them"
    )
    p.set_defaults(func=cmd_import)
    return top


def cmd_import(args: argparse.Namespace) -> int:
    from .build import today
    from .moderngov import ImportFailed, Options, run

    now = today()
    try:
        start = dt.date.fromisoformat(args.start) if args.start else now.replace(year=now.year - 4, day=1)
        end = dt.date.fromisoformat(args.end) if args.end else now.replace(year=now.year + 1, day=1)
    except ValueError:
        print("sitegen import: --from and --to are dates, YYYY-MM-DD", file=sys.stderr)
        return 2
    if end < start:
        print("sitegen import: --to is before --from", file=sys.stderr)
        return 2
    if args.delay < 0:
        print("sitegen import: --delay is a number of seconds, 0 or more", file=sys.stderr)
        return 2
    content = Path(args.content)
    options = Options(args.base, content, start, end, list(args.committee), args.delay, now, args.download)
    try:
        run(options, log=print)
    except ImportFailed as exc:
        print(
            f"sitegen import: {exc} (what was imported so far is kept; run the import again to continue)",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(os_error(exc), file=sys.stderr)
        return 1
    from .build import load

    try:
        loaded = load(content)
    except ContentError as exc:
        _print_problems(exc.problems)
        print(
            f"sitegen import: the content has {len(exc.errors)} error{'s' if len(exc.errors) != 1 else ''} "
            "(above): mend those in files a person changed (the import names them); any in files the importer "
            "wrote, please report",
            file=sys.stderr,
        )
        return 1
    _print_problems(loaded.warnings)
    print(f"sitegen check: ok, {len(loaded.warnings)} warnings. Next: read the files marked CHECK, then sitegen serve")
    return 0


_KEEP: list[object] = []  # what a finished command leaves for the process's end


def run() -> None:
    """The command line's entry point: main(), then exit at once. Freeing a large site's
    model object by object takes seconds (10 s at 10,000 meetings) and gains nothing when
    the process ends; everything is written and flushed first. For the same reason the
    cyclic garbage collector never runs: a build pauses it, and resuming it would
    scan the young objects of the whole build at once (3 s at 10,000 meetings)."""
    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


TODAY_HELP = (
    "the day to build for, YYYY-MM-DD (statuses such as overdue, slipped and call-in depend on it); "
    "default: SOURCE_DATE_EPOCH's day when set, else today in the site's time zone"
)


def add_today(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)


def set_today(args: argparse.Namespace) -> str:
    """Take --today (and check SOURCE_DATE_EPOCH): the message for a bad one, or ""."""
    value = getattr(args, "today", None)
    if value:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f'sitegen: --today "{value}" is not a date: write YYYY-MM-DD, e.g. 2024-03-18'
        os.environ["SITEGEN_TODAY"] = value
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            return f'sitegen: SOURCE_DATE_EPOCH "{epoch}" should be a number of seconds since 1970 (or unset)'
    return ""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    before = os.environ.get("SITEGEN_TODAY")
    try:
        wrong = set_today(args)
        if wrong:
            print(wrong, file=sys.stderr)
            return 2
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    finally:  # (--today is this command's; a process that runs several, as the tests do, keeps its own)
        if before is None:
            os.environ.pop("SITEGEN_TODAY", None)
        else:
            os.environ["SITEGEN_TODAY"] = before


if __name__ == "__main__":  # pragma: no cover
    run()
