"""Turn the raw records of :mod:`sitegen.load` into model objects, checking
every field: required keys, unknown keys, types, enums, dates, times, ids."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import fields
from . import model as m
from .errors import Location, Problem, Problems, did_you_mean
from .files import scratch
from .link import linking_prose
from .load import LList, LMap, MeetingSource, Num, digest_of, read_meeting, read_yaml

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
DECISION_ID = re.compile(r"[A-Za-z0-9]+\Z")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
TIME = re.compile(r"(\d{1,2}):(\d{2})\Z")
MEETING_SUFFIXES = (".md", ".yaml", ".yml")


def slugify(text: str) -> str:
    """An id made from TEXT: letters with accents lose them (ŵ to w, ŷ to y, é to e), others become hyphens."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", str(text).lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = plain.translate(_LETTERS)
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "x"


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


class Fields:
    """Typed access to one YAML mapping, reporting problems at the right line."""

    def __init__(self, data: LMap, rel: str, problems: Problems, what: str, allowed: tuple[str, ...]) -> None:
        self.data = data
        self.rel = rel
        self.problems = problems
        self.what = what
        self.ok = True
        for key in data:
            if key not in allowed:
                self.error(
                    data.key_line(key),
                    f'unknown key "{key}" in {what}{did_you_mean(key, allowed)}',
                )

    @property
    def loc(self) -> Location:
        return Location(self.rel, self.data.line)

    def at(self, key: str) -> Location:
        return Location(self.rel, self.data.value_line(key))

    def error(self, line: int, message: str) -> None:
        self.ok = False
        self.problems.error(Location(self.rel, line), message)

    def present(self, key: str) -> bool:
        return self.data.get(key) is not None

    def missing(self, key: str) -> None:
        self.error(self.data.line, f'{self.what} is missing "{key}"')

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return default
        if isinstance(value, LMap) and key in fields.TRANSLATABLE:
            return self.texts(key, value, required, default)
        if isinstance(value, (LMap, LList)) or isinstance(value, bool):
            self.error(self.data.value_line(key), f'"{key}" should be text, not {_kind(value)}')
            return default
        value = str(value).strip() if not isinstance(value, str) or key not in _PROSE else without_comments(value)
        if required and not value.strip():
            self.error(self.data.value_line(key), f'"{key}" is empty')
        if LANGUAGES[1:] and key in fields.TRANSLATABLE and value:
            return self.first_language(value, self.data.value_line(key))
        return value

    def first_language(self, value: str, line: int) -> str:
        """On a site in several languages, a plain string is the first language's text: a
        page in another shows it marked with the first's language (and check says so)."""
        self.untranslated(line, LANGUAGES[1:])
        return m.Texts({LANGUAGES[0]: value}, LANGUAGES)

    def texts(self, key: str, value: LMap, required: bool, default: str) -> str:
        """A text given by language: each key a language the site publishes (site.yaml
        languages), each value text."""
        out: dict[str, str] = {}
        refused = False  # (a language the site does not publish: said so, and not "empty" too)
        for lang, text in value.items():
            line = value.value_line(lang)
            if lang not in LANGUAGES:
                refused = True
                published = ", ".join(LANGUAGES)
                meant = [x for x in LANGUAGES if x.lower() in (str(lang).lower(), str(lang).lower().split("-")[0])]
                hint = (
                    f'write it as "{meant[0]}", as site.yaml lists it'
                    if meant
                    else "list it in site.yaml languages, or remove it"
                )
                self.error(
                    value.key_line(lang),
                    f'"{key}" is given in "{lang}", a language the site does not publish ({published}); {hint}',
                )
                continue
            if text is None or isinstance(text, (LMap, LList, bool)):
                self.error(line, f'"{key}" in "{lang}" should be text, not {_kind(text)}')
                continue
            out[str(lang)] = without_comments(text) if isinstance(text, str) and key in _PROSE else str(text).strip()
        if not out:
            if required and not refused:
                self.error(self.data.value_line(key), f'"{key}" is empty')
            return default
        empty = [lang for lang, t in out.items() if not t.strip()]
        if required and empty:
            self.error(self.data.value_line(key), f'"{key}" is empty in "{empty[0]}"; write it, or remove that line')
        for lang in empty:  # (as if not given: the page shows another language's, and it lacks a translation)
            del out[lang]
        if not out:
            return default
        lacking = tuple(lang for lang in LANGUAGES if lang not in out)
        if lacking:
            self.untranslated(self.data.value_line(key), lacking)
        if not LANGUAGES[1:]:
            return out[LANGUAGES[0]]  # (a site in one language: a plain string)
        return m.Texts(out, LANGUAGES)

    def untranslated(self, line: int, languages: tuple[str, ...]) -> None:
        """Note a text at LINE that the site's LANGUAGES lack (told once per file: Untranslated)."""
        tally = UNTRANSLATED.setdefault(self.rel, [0, line, set()])
        tally[0] += 1
        tally[1] = min(tally[1], line)
        tally[2].update(languages)

    def slug(self, key: str, required: bool = False, what: str = "id") -> str:
        value = self.text(key, required)
        if value and not SLUG.match(value):
            self.error(self.data.value_line(key), bad_slug(value, what))
            return ""
        return value

    def enum(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key)
        if not value:
            return default
        if value not in choices:
            self.error(
                self.data.value_line(key),
                f'{key} "{value}" is not one of: {", ".join(choices)}{did_you_mean(value, choices)}',
            )
            return default
        return value

    def origin(self) -> str:
        """`source:`, the address of the original record (an https:// or http:// address)."""
        if "source" not in self.data:
            return ""
        value = self.text("source")
        if value and not re.match(r"https?://[^\s/]+", value):
            self.error(
                self.data.value_line("source"),
                f'source "{value}" should be the https:// address of the original record',
            )
            return ""
        return value

    def flag(self, key: str) -> bool:
        """A yes-or-no key (true or false)."""
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(self.data.value_line(key), f'"{key}" should be true or false, not {_kind(value)}')
            return False
        return value

    def exempt(self) -> tuple[bool, str]:
        """ "exempt": (whether it is, and the reason given)."""
        entry = self.data
        exempt = entry.get("exempt")
        if "exempt" in entry and (exempt is None or (isinstance(exempt, str) and not exempt.strip())):
            # "exempt:" with nothing after it: the clerk meant to say why; publishing would be the worst guess
            self.error(
                entry.value_line("exempt"),
                '"exempt" is empty: give the reason (e.g. "Paragraph 3 of Schedule 12A"), or true, or remove it',
            )
            return True, ""
        if exempt is True:
            return True, ""
        if exempt in (None, False):
            return False, ""
        if isinstance(exempt, LMap):  # the reason by language
            return True, self.texts("exempt", exempt, True, "")
        if isinstance(exempt, LList):
            self.error(entry.value_line("exempt"), f'"exempt" should be true, or the reason the {self.what} is exempt')
            return True, ""
        reason = str(exempt).strip()
        if LANGUAGES[1:]:
            reason = self.first_language(reason, entry.value_line("exempt"))
        return True, reason

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.text(key, required)
        if not value:
            return None
        return parse_date(value, self.rel, self.data.value_line(key), self.problems, key)

    def time(self, key: str) -> dt.time | None:
        value = self.data.get(key)
        if value is None:
            return None
        text = str(value).strip()
        match = TIME.match(text)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return dt.time(hour, minute)
            self.error(self.data.value_line(key), f'"{text}" is not a real time ({key} is HH:MM, 24-hour, e.g. 18:30)')
            return None
        twelve = re.match(r"(\d{1,2})(?:[.:](\d{2}))?\s*([ap])\.?\s*m\.?\Z", text, re.I)
        if twelve and 1 <= int(twelve.group(1)) <= 12 and int(twelve.group(2) or 0) < 60:
            hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
            self.error(
                self.data.value_line(key),
                f'{key} "{text}" is not a time in the form sitegen reads: write {hour:02d}:{int(twelve.group(2) or 0):02d} '
                "(HH:MM, 24-hour)",
            )
            return None
        self.error(self.data.value_line(key), f'{key} "{text}" is not a time: write HH:MM, 24-hour, e.g. 18:30')
        return None

    def maps(self, key: str) -> list[LMap]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, LList):
            self.error(self.data.value_line(key), f'"{key}" should be a list (each entry starting with "- ")')
            return []
        out = []
        for entry, line in zip(value, value.item_lines):
            if isinstance(entry, LMap):
                out.append(entry)
            else:
                self.error(line, f'each entry of "{key}" should be a mapping of keys and values, not {_kind(entry)}')
        return out

    def strings(self, key: str) -> list[tuple[str, int]]:
        """A list of scalars (or a single scalar), each with its line."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, LList):
            out = []
            for entry, line in zip(value, value.item_lines):
                if isinstance(entry, (LMap, LList)) or entry is None or isinstance(entry, bool):
                    self.error(line, f'each entry of "{key}" should be a single value, not {_kind(entry)}')
                else:
                    out.append((str(entry).strip(), line))
            return out
        if isinstance(value, LMap) or isinstance(value, bool):
            self.error(self.data.value_line(key), f'"{key}" should be a list, not {_kind(value)}')
            return []
        return [(str(value).strip(), self.data.value_line(key))]

    def aliases(self, moved: bool = False) -> list[str]:
        """Old ids; MOVED (an item's): also MEETING/ITEM, its old address in another meeting."""
        out = []
        for value, line in self.strings("aliases"):
            if SLUG.match(value):
                out.append(value)
            elif moved and value.count("/") == 1 and all(SLUG.match(part) for part in value.split("/")):
                out.append(value)
            else:
                self.error(
                    line,
                    bad_slug(value, "alias")
                    + (" or MEETING/ITEM for an item moved from another meeting" if moved else ""),
                )
        return out


_PROSE = {
    "minutes",
    "text",
    "notes",
    "description",
    "summary",
    "interest",
    "note",
    "urgency",
    "reasons",
    "alternatives",
    "consultation",
}
# a code span (kept as it is) or an HTML comment as CommonMark reads one (<!-->, <!---> included)
_CODE_OR_COMMENT = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)|<!--(?:-?>|[\s\S]*?-->)")
_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})")


# The site's languages, the first first (site.yaml: language, languages), as read_site_files
# last read them: the reader checks texts given by language against them. Forked readers
# inherit them.
LANGUAGES: tuple[str, ...] = ()
# texts that lack a published language, by file: [count, first line, languages] (see untranslated)
UNTRANSLATED: dict[str, list] = {}


def report_untranslated(rel: str, problems: Problems) -> None:
    """One warning for the file REL, if any of its texts lack a language the site publishes."""
    tally = UNTRANSLATED.pop(rel, None)
    if tally is None:
        return
    count, line, languages = tally
    which = " or ".join(lang for lang in LANGUAGES if lang in languages)  # (each lacks one, at least)
    texts = "1 text lacks" if count == 1 else f"{count} texts lack"
    problems.warn(
        Location(rel, line),
        f"{texts} a translation into {which} (the first is here); the page shows the text in the language "
        "it has, marked with that language",
    )


def without_comments(text: str) -> str:
    """Prose without its HTML comments (<!-- ... -->): notes among clerks, never published.
    Comments in code (spans and fenced blocks) are code, and stay; a comment never closed
    stays as it is, shown as text, so that nothing after it is lost."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    prose: list[str] = []
    fence = ""
    for line in text.splitlines(keepends=True):
        opening = _FENCE_LINE.match(line)
        if fence:
            out.append(line)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            out.append(_strip_comments("".join(prose)))
            prose = []
            out.append(line)
            fence = opening.group(1)
        else:
            prose.append(line)
    out.append(_strip_comments("".join(prose)))
    return "".join(out)


_COMMENT_LINES = re.compile(r"^[ \t]*<!--(?:-?>|[\s\S]*?-->)[ \t]*(?:\n|\Z)", re.M)


def _strip_comments(text: str) -> str:
    if "<!--" not in text:
        return text
    text = _COMMENT_LINES.sub("", text)  # a comment on lines of its own goes with them
    return _CODE_OR_COMMENT.sub(lambda found: "" if found.group().startswith("<!--") else found.group(), text)


def _kind(value: Any) -> str:
    if isinstance(value, LMap):
        return "a mapping"
    if isinstance(value, LList):
        return "a list"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if value is None:
        return "empty"
    return f'"{value}"'


def bad_slug(value: str, what: str = "id") -> str:
    return f'"{value}" is not a valid {what}: use lowercase letters, digits and hyphens (e.g. "{slugify(value)}")'


def parse_date(value: str, rel: str, line: int, problems: Problems, key: str = "date") -> dt.date | None:
    match = DATE.match(value)
    if not match:
        problems.error(Location(rel, line), f'{key} "{value}" is not a date: write YYYY-MM-DD, e.g. 2011-11-16')
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        problems.error(Location(rel, line), f'"{value}" is not a real date ({key} is YYYY-MM-DD)')
        return None


# --- site, bodies, people, issues -------------------------------------------------

# the keys each mapping may have: declared in sitegen/fields.py, with the editors' schemas
SITE_KEYS = fields.SITE.names
BODY_KEYS = fields.BODY.names
PERSON_KEYS = fields.PERSON.names
ISSUE_KEYS = fields.ISSUE.names


def _site(data: Any, rel: str, problems: Problems) -> m.Site:
    site = m.Site()
    if data is None:
        return site
    if not isinstance(data, LMap):
        problems.error(Location(rel, getattr(data, "line", 1)), "site.yaml should be a mapping of keys and values")
        return site
    f = Fields(data, rel, problems, "site.yaml", SITE_KEYS)
    languages = [(str(x), line) for x, line in f.strings("languages")]
    site.language = f.text("language", default=languages[0][0] if languages else site.language)
    for tag, line in [(site.language, data.value_line("language")), *languages]:
        if not re.match(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z", tag):
            f.error(line, f'language "{tag}" is not a language tag such as en-GB or cy')
    if languages:
        tags = [tag for tag, _ in languages]
        if tags[0] != site.language:
            f.error(
                data.value_line("language"),
                f'language "{site.language}" should be the first of languages ({", ".join(tags)}): '
                "the first language's pages keep the site's addresses",
            )
        for n, (tag, line) in enumerate(languages):
            if tag in tags[:n]:
                f.error(line, f'"{tag}" is listed twice in languages')
        site.languages = tuple(dict.fromkeys(tags)) if len(set(tags)) > 1 else ()
    global LANGUAGES
    LANGUAGES = site.published  # (texts in site.yaml and every file after it are checked against them)

    site.authority = f.text("authority", default=site.authority)
    site.title = f.text("title")  # (without one, the builder names the site in each language's words)
    site.base_url = f.text("base_url", default="/")
    if not (site.base_url.startswith(("https://", "http://", "/"))):
        f.error(data.value_line("base_url"), f'base_url "{site.base_url}" should start with https://')
    if not site.base_url.endswith("/"):
        site.base_url += "/"

    site.timezone = f.text("timezone", default=site.timezone)
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(site.timezone)
    except Exception:
        f.error(data.value_line("timezone"), f'timezone "{site.timezone}" is not known (e.g. Europe/London)')
    site.theme = f.text("theme", default="default")
    if not SLUG.match(site.theme) and not re.match(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z", site.theme):
        f.error(data.value_line("theme"), f'theme "{site.theme}" should be the name of a folder under themes/')
        site.theme = "default"
    site.licence = f.text("licence")
    site.description = f.text("description")
    site.region = f.enum("region", tuple(m.REGIONS), site.region)
    currency = f.text("currency")
    if currency:
        from babel.numbers import list_currencies

        if currency in list_currencies():
            site.currency = currency
        else:
            f.error(
                data.value_line("currency"),
                f'currency "{currency}" is not an ISO 4217 code such as GBP or EUR'
                f"{did_you_mean(currency.upper(), list_currencies())}",
            )
    days = data.get("call_in_days")
    if days is not None:
        if isinstance(days, Num) and days.as_int() is not None and 0 <= days.as_int() <= 60:  # type: ignore[operator]
            site.call_in_days = days.as_int()  # type: ignore[assignment]
        else:
            f.error(data.value_line("call_in_days"), '"call_in_days" should be a number of working days, such as 5')
    return site


def _top_list(data: Any, rel: str, problems: Problems, what: str) -> list[LMap]:
    if data is None:
        return []
    if not isinstance(data, LList):
        problems.error(
            Location(rel, getattr(data, "line", 1)), f'{rel} should be a list of {what}, each starting with "- "'
        )
        return []
    out = []
    for entry, line in zip(data, data.item_lines):
        if isinstance(entry, LMap):
            out.append(entry)
        else:
            problems.error(Location(rel, line), f"each entry of {rel} should be a mapping of keys and values")
    return out


def _unique(objs: list, what: str, problems: Problems) -> dict:
    out: dict = {}
    for obj in objs:
        if not obj.id:
            continue
        if obj.id in out:
            problems.error(obj.loc, f'duplicate {what} id "{obj.id}" (first at {out[obj.id].loc})')
            continue
        out[obj.id] = obj
    return out


def _bodies(data: Any, rel: str, problems: Problems) -> dict[str, m.Body]:
    bodies = []
    for entry in _top_list(data, rel, problems, "bodies"):
        f = Fields(entry, rel, problems, "body", BODY_KEYS)
        body = m.Body(
            id=f.slug("id", required=True),
            name=f.text("name", required=True),
            kind=f.text("kind", required=True) and f.enum("kind", m.BODY_KINDS, "other"),
            description=f.text("description"),
            reports_to_id=f.text("reports_to"),
            aliases=f.aliases(),
            loc=Location(rel, entry.key_line("id") if "id" in entry else entry.line),
        )
        body.members_ids = [(v, Location(rel, line)) for v, line in f.strings("members")]
        body.reports_to_loc = Location(rel, entry.value_line("reports_to"))
        bodies.append(body)
    return _unique(bodies, "body", problems)


def _people(data: Any, rel: str, problems: Problems) -> dict[str, m.Person]:
    people = []
    for entry in _top_list(data, rel, problems, "people"):
        f = Fields(entry, rel, problems, "person", PERSON_KEYS)
        people.append(
            m.Person(
                id=f.slug("id", required=True),
                name=f.text("name", required=True),
                role=f.enum("role", m.ROLES, "other"),
                party=f.text("party"),
                ward=f.text("ward"),
                aliases=f.aliases(),
                loc=Location(rel, entry.key_line("id") if "id" in entry else entry.line),
            )
        )
    return _unique(people, "person", problems)


def _issues(data: Any, rel: str, problems: Problems) -> dict[str, m.IssueInfo]:
    issues = []
    for entry in _top_list(data, rel, problems, "issues"):
        f = Fields(entry, rel, problems, "issue", ISSUE_KEYS)
        issues.append(
            m.IssueInfo(
                id=f.slug("id", required=True),
                title=f.text("title"),
                summary=f.text("summary"),
                aliases=f.aliases(),
                loc=Location(rel, entry.key_line("id") if "id" in entry else entry.line),
            )
        )
    return _unique(issues, "issue", problems)


# --- meetings ------------------------------------------------------------------

MEETING_KEYS = fields.MEETING.names
ITEM_KEYS = fields.ITEM.names
DECISION_KEYS = fields.DECISION.names
DECIDES_KEYS = fields.DECIDES.names
AMENDMENT_KEYS = fields.AMENDMENT.names
VOTE_KEYS = fields.VOTE.names
INTEREST_KEYS = fields.INTEREST.names
DOCUMENT_KEYS = fields.DOCUMENT.names
CALL_IN_KEYS = fields.CALL_IN.names
MONEY_KEYS = fields.MONEY.names
EXECUTIVE_KEYS = tuple(fields.EXECUTIVE)
DECISION_FILE_KEYS = fields.DECISION_FILE.names
PLAN_KEYS = fields.PLAN_ENTRY.names


class MeetingReader:
    """Reads one meeting file; person references are resolved later by the linker."""

    def __init__(self, content: Path, problems: Problems) -> None:
        self.content = content
        self.problems = problems

    def documents(self, f: Fields) -> list[m.Document]:
        out = []
        for entry in f.maps("documents"):
            d = Fields(entry, f.rel, self.problems, "document", DOCUMENT_KEYS)
            title = d.text("title", required=True)
            href = d.text("href", required=True)
            if not href:
                continue
            doc = self.document(title, href, Location(f.rel, entry.value_line("href")))
            if doc is not None:
                out.append(doc)
        return out

    def document(self, title: str, href: str, loc: Location) -> m.Document | None:
        if href.startswith(("https://", "http://")):
            ext = os.path.splitext(href.split("?")[0].split("#")[0])[1].lstrip(".").upper()
            return m.Document(title, href, True, ext if 1 <= len(ext) <= 5 else "", None, loc)
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href) or href.startswith("//"):
            self.problems.error(loc, f'href "{href}" should be an https:// address or a path under files/')
            return None
        rel = href.lstrip("./") if href.startswith("./") else href
        if not rel.startswith("files/") or ".." in Path(rel).parts or href.startswith("/"):
            self.problems.error(
                loc, f'href "{href}" should be a path under files/ in the content folder (e.g. files/2011/report.pdf)'
            )
            return None
        path = self.content / rel
        files_root = (self.content / "files").resolve()
        try:
            real = path.resolve()
        except OSError:
            real = path
        if not real.is_relative_to(files_root):
            self.problems.error(loc, f'href "{href}" leads outside the files/ folder; it is not published')
            return None
        if not path.is_file():
            hint = ""
            if path.parent.is_dir():
                hint = did_you_mean(path.name, [p.name for p in path.parent.iterdir()])
            self.problems.error(loc, f'href "{href}": there is no such file under the content folder{hint}')
            return None
        ext = path.suffix.lstrip(".").upper()
        return m.Document(title, rel, False, ext, path.stat().st_size, loc)

    def interests(self, f: Fields) -> list[m.Interest]:
        """Declarations of interest (an item's, or a decision file's)."""
        out = []
        for e in f.maps("interests"):
            g = Fields(e, f.rel, self.problems, "interest", INTEREST_KEYS)
            person = g.text("person", required=True)
            text = g.text("interest")
            if person:
                out.append(m.Interest(person, text, Location(f.rel, e.value_line("person"))))
        return out

    def people(self, f: Fields, key: str) -> list[str]:
        return [v for v, _ in f.strings(key)]

    def person_refs(self, f: Fields, key: str) -> list[tuple[str, Location]]:
        return [(v, Location(f.rel, line)) for v, line in f.strings(key)]

    def fields(self, source: MeetingSource, what: str, keys: tuple[str, ...], body: str, is_: str) -> Fields | None:
        """A record file's mapping (a meeting's, a decision file's), or None when it is not one;
        in a .md file, BODY is the text after the front matter, and may not be given as a key."""
        data, rel = source.data, source.rel
        if not isinstance(data, LMap):
            self.problems.error(
                Location(rel, getattr(data, "line", 1)), f"a {what} should be a mapping of keys and values"
            )
            return None
        f = Fields(data, rel, self.problems, what, keys)
        if source.notes is not None and body in data:
            kind = what if what.endswith(" file") else f"{what} file"
            f.error(data.key_line(body), f'in a .md {kind} {is_} the text after the front matter; remove "{body}"')
        return f

    def read(self, source: MeetingSource, meeting_id: str) -> m.Meeting | None:
        f = self.fields(source, "meeting", MEETING_KEYS, "notes", "the notes are")
        if f is None:
            return None
        data, rel = f.data, f.rel
        body_id = f.text("body", required=True)
        date = f.date("date", required=True)
        meeting = m.Meeting(
            id=meeting_id,
            body_id=body_id,
            date=date or dt.date.min,
            start=f.time("start"),
            end=f.time("end"),
            location=f.text("location"),
            status=f.enum("status", m.STATUSES, ""),
            record=f.enum("record", m.RECORDS, ""),
            chair_id=f.text("chair"),
            notes=self.body_notes(f, source) if source.notes is not None else f.text("notes"),
            aliases=f.aliases(),
            source=rel,
            origin=f.origin(),
            loc=Location(rel, 1),
        )
        meeting.refs = {
            "body": Location(rel, data.value_line("body")),
            "chair": Location(rel, data.value_line("chair")),
            "present": self.person_refs(f, "present"),
            "apologies": self.person_refs(f, "apologies"),
            "in_attendance": self.person_refs(f, "in_attendance"),
            "notes_line": source.notes_line if source.notes is not None else data.value_line("notes"),
            "start": Location(rel, data.value_line("start")),
            "end": Location(rel, data.value_line("end")),
        }
        meeting.present_ids = [v for v, _ in meeting.refs["present"]]
        meeting.apologies_ids = [v for v, _ in meeting.refs["apologies"]]
        meeting.in_attendance_ids = [v for v, _ in meeting.refs["in_attendance"]]
        meeting.documents = self.documents(f)
        items: dict[str, m.Item] = {}
        for order, entry in enumerate(f.maps("items")):
            item = self.item(entry, rel)
            if item is None:
                continue
            if item.id in items:
                self.problems.error(
                    item.loc, f'duplicate item id "{item.id}" in this meeting (first at line {items[item.id].loc.line})'
                )
                continue
            item.order = order
            item.meeting = meeting
            items[item.id] = item
        meeting.items = list(items.values())
        named = DATE.match(meeting_id[:10])
        if date is not None and named and meeting_id[:10] != date.isoformat():
            self.problems.warn(
                Location(rel, data.value_line("date")),
                f"the file name says {meeting_id[:10]} but the date is {date.isoformat()}; "
                "rename the file (keep the old name in aliases:) or correct the date",
            )
        has_record = any(i.minutes or i.decisions for i in meeting.items)
        if not meeting.status:
            meeting.status = "held"
        if not meeting.record:
            meeting.record = "draft" if has_record else "agenda"
        return meeting if date is not None else None

    @staticmethod
    def body_notes(f: Fields, source: MeetingSource) -> str:
        """A .md file's notes (the text after its front matter): the first language's."""
        notes = without_comments(source.notes)  # type: ignore[arg-type]
        return f.first_language(notes, source.notes_line) if LANGUAGES[1:] and notes.strip() else notes

    def item(self, entry: LMap, rel: str) -> m.Item | None:
        f = Fields(entry, rel, self.problems, "item", ITEM_KEYS)
        item = m.Item(
            id=f.slug("id", required=True, what="item id"),
            title=f.text("title", required=True),
            number=f.text("number"),
            report=f.text("report"),
            issue_id=f.slug("issue", what="issue id"),
            minutes=f.text("minutes"),
            aliases=f.aliases(moved=True),
            origin=f.origin(),
            inferred=f.flag("inferred"),
            loc=Location(rel, entry.key_line("id") if "id" in entry else entry.line),
        )
        item.lines = {
            "minutes": entry.value_line("minutes"),
            "issue": entry.value_line("issue"),
        }
        item.exempt, item.exempt_reason = f.exempt()
        item.interests = self.interests(f)
        for e in f.maps("amendments"):
            g = Fields(e, rel, self.problems, "amendment", AMENDMENT_KEYS)
            amendment = m.Amendment(
                id=g.text("id"),
                text=g.text("text"),
                result=g.enum("result", m.RESULTS, ""),
                loc=Location(rel, e.key_line("id") if "id" in e else e.line),
            )
            for key in ("moved_by", "seconded_by"):
                value = g.text(key)
                if value:
                    setattr(amendment, key + "_ref", (value, Location(rel, e.value_line(key))))
            item.amendments.append(amendment)
        for e in f.maps("votes"):
            item.votes.append(self.vote(e, rel))
        seen: dict[str, m.Decision] = {}
        for e in f.maps("decisions"):
            decision = self.decision(e, rel)
            if decision is None:
                continue
            if decision.id in seen:
                self.problems.error(
                    decision.loc,
                    f'duplicate decision id "{decision.id}" in this item (first at line {seen[decision.id].loc.line})',
                )
                continue
            decision.item = item
            seen[decision.id] = decision
        item.decisions = list(seen.values())
        if item.exempt:  # a note, wording or sums of an exempt item's decision would show on what it settles
            for decision in item.decisions:
                decision.money = []  # (nor its own, nor a recommendation's that a public decision adopts)
                for step in decision.decides:
                    step.note, step.text, step.money = "", "", []
        item.documents = self.documents(f)
        for value, line in f.strings("considers"):
            item.considers_refs.append((value, Location(rel, line)))
        return item if item.id else None

    def money(self, f: Fields) -> list[m.Money]:
        """`money:` entries: each an amount (a number, not negative), a kind, and what it is for."""
        if "money" not in f.data:
            return []
        out = []
        for e in f.maps("money"):
            g = Fields(e, f.rel, self.problems, "money entry", MONEY_KEYS)
            kind = g.text("kind", required=True) and g.enum("kind", m.MONEY_KINDS, "")
            amount = e.get("amount")
            line = e.value_line("amount")
            value: Decimal | None = None
            if amount is None:
                g.missing("amount")
            elif isinstance(amount, Num) and re.fullmatch(r"\d+(\.\d+)?", amount):
                value = Decimal(str(amount))
            elif isinstance(amount, Num) and amount.startswith("-"):
                g.error(line, f"amount {amount} is negative: record a saving or income as a positive sum of that kind")
            else:
                typed = str(amount)
                plain = re.sub(r"[£$€,\s]", "", typed)
                hint = f" (write {plain})" if re.fullmatch(r"\d+(\.\d+)?", plain) else ""
                g.error(line, f'amount "{typed}" should be a number, without a currency sign or commas{hint}')
            if value is not None and kind:
                out.append(m.Money(value, kind, g.text("what"), Location(f.rel, line)))
        return out

    def executive(self, g: Fields, decision: m.Decision) -> None:
        """The keys any decision may carry for the executive's rules: key, plan, published,
        urgency, call_in."""
        e = g.data
        if not any(key in e for key in EXECUTIVE_KEYS):
            return  # (most decisions: nothing to read)
        decision.key = g.flag("key")
        decision.plan_id = g.slug("plan", what="forward plan id")
        decision.published = g.date("published")
        decision.urgency = g.text("urgency")
        for key in ("plan", "published", "urgency"):
            if key in e:
                decision.lines[key] = e.value_line(key)
        if "key" in e:
            decision.lines["key"] = e.key_line("key")
        if "call_in" not in e:
            return
        value = e.get("call_in")
        if not isinstance(value, LMap):
            g.error(e.value_line("call_in"), '"call_in" should be a mapping: called_in, by, considered_at, outcome')
            return
        c = Fields(value, g.rel, self.problems, "call_in", CALL_IN_KEYS)
        call_in = m.CallIn(
            called_in=c.date("called_in", required=True),
            by_refs=self.person_refs(c, "by"),
            considered_at_id=c.slug("considered_at", what="meeting id"),
            outcome=c.enum("outcome", m.CALL_IN_OUTCOMES, ""),
            loc=Location(g.rel, e.key_line("call_in")),
            lines={"considered_at": value.value_line("considered_at"), "called_in": value.value_line("called_in")},
        )
        decision.call_in = call_in
        if decision.urgency:
            g.error(
                e.key_line("call_in"),
                "a decision taken under urgency is not subject to call-in: remove call_in, or urgency",
            )
        elif decision.published is None:
            g.error(e.key_line("call_in"), 'a decision can be called in only after its notice: add "published"')
        elif call_in.called_in is not None and call_in.called_in < decision.published:
            c.error(
                value.value_line("called_in"),
                f"called_in {call_in.called_in.isoformat()} is before the decision notice was published "
                f"({decision.published.isoformat()})",
            )

    def decision_file(self, source: MeetingSource, decision_id: str) -> m.Meeting | None:
        """A decision made by one person (a file under decisions/): a record of its own, held
        as a meeting of one item with one decision (its maker_id set: see model.Meeting.who)."""
        f = self.fields(source, "decision file", DECISION_FILE_KEYS, "text", "the decision is")
        if f is None:
            return None
        data, rel = f.data, f.rel
        date = f.date("date", required=True)
        maker = f.slug("decision_maker", required=True, what="person or body id")
        record = m.Meeting(
            id=decision_id,
            body_id="",
            date=date or dt.date.min,
            status="held",
            record="approved",
            maker_id=maker or "?",
            aliases=f.aliases(),
            source=rel,
            origin=f.origin(),
            loc=Location(rel, 1),
        )
        record.refs = {
            "maker": Location(rel, data.value_line("decision_maker")),
            "body": Location(rel, 1),
            "chair": Location(rel, 1),
            "present": [],
            "apologies": [],
            "in_attendance": [],
            "notes_line": 0,
            "end": Location(rel, 1),
        }
        record.documents = []
        item = m.Item(
            id="decision",
            title=f.text("title", required=True),
            issue_id=f.slug("issue", what="issue id"),
            loc=Location(rel, 1),
        )
        item.lines = {"minutes": 0, "issue": data.value_line("issue")}
        item.exempt, item.exempt_reason = f.exempt()
        item.interests = self.interests(f)
        if source.notes is not None:
            text = without_comments(source.notes)
            text = f.first_language(text, source.notes_line) if LANGUAGES[1:] and text.strip() else text
            text_line = source.notes_line
        else:
            text, text_line = f.text("text", required=True), data.value_line("text")
        decision = m.Decision(id="1", text=text, loc=Location(rel, 1))
        decision.lines = {"text": text_line}
        decision.reasons = f.text("reasons")
        decision.alternatives = f.text("alternatives")
        decision.lines["reasons"] = data.value_line("reasons")
        decision.lines["alternatives"] = data.value_line("alternatives")
        self.executive(f, decision)
        decision.money, decision.money_given = self.money(f), "money" in data
        if item.exempt:
            decision.money = []
        decision.item = item
        item.decisions = [decision]
        item.documents = self.documents(f)
        item.meeting = record
        record.items = [item]
        from .urls import RESERVED_DECISION_IDS

        if decision_id in RESERVED_DECISION_IDS:
            self.problems.error(
                Location(rel, 1),
                f'"{decision_id}" is the address of a page of its own (/decisions/{decision_id}/): '
                "rename the decision file",
            )
            return None
        return record if date is not None and maker else None

    def vote(self, e: LMap, rel: str) -> m.Vote:
        g = Fields(e, rel, self.problems, "vote", VOTE_KEYS)
        vote = m.Vote(on=g.text("on"), loc=Location(rel, e.key_line("on") if "on" in e else e.line))
        for key in ("for", "against", "abstained"):
            value = e.get(key)
            if value is None:
                continue
            if isinstance(value, Num) and value.as_int() is not None and value.as_int() >= 0:  # type: ignore[operator]
                setattr(vote, f"{key}_count", value.as_int())
            elif isinstance(value, LList):
                vote.people_refs[key] = g.strings(key)
            else:
                g.error(e.value_line(key), f'"{key}" should be a number of votes or a list of person ids')
        return vote

    def decision(self, e: LMap, rel: str) -> m.Decision | None:
        g = Fields(e, rel, self.problems, "decision", DECISION_KEYS)
        did = g.text("id", required=True)
        if did and not DECISION_ID.match(did):
            g.error(e.value_line("id"), f'decision id "{did}" should be letters and digits only (e.g. "1", "2a")')
            did = ""
        to_id = g.text("to")
        dtype = g.enum("type", m.DECISION_TYPES, "recommendation" if to_id and "type" not in e else "resolution")
        if dtype == "recommendation" and not to_id:
            g.missing("to")
        if dtype == "resolution" and to_id:
            g.error(e.key_line("to"), '"to" is only for recommendations; add "type: recommendation"')
        decision = m.Decision(
            id=did,
            text=g.text("text", required=True),
            type=dtype,
            to_id=to_id,
            at_id=g.text("at"),
            loc=Location(rel, e.key_line("id") if "id" in e else e.line),
        )
        decision.lines = {"to": e.value_line("to"), "at": e.value_line("at"), "text": e.value_line("text")}
        decision.origin = g.origin()
        decision.supersedes_ref = g.text("supersedes")
        if decision.supersedes_ref:
            decision.lines["supersedes"] = e.value_line("supersedes")
            if dtype != "recommendation":
                g.error(
                    e.key_line("supersedes"),
                    '"supersedes" is for a recommendation that re-makes one referred back; '
                    'this decision is a resolution (add "type: recommendation" and "to:")',
                )
        self.executive(g, decision)
        decision.money, decision.money_given = self.money(g), "money" in e
        for d in g.maps("decides"):
            h = Fields(d, rel, self.problems, "decides entry", DECIDES_KEYS)
            ref = h.text("ref", required=True)
            outcome = h.text("outcome", required=True) and h.enum("outcome", m.OUTCOMES, "")
            if ref and outcome:
                decision.decides.append(
                    m.Decides(
                        ref=ref,
                        outcome=outcome,
                        note=h.text("note"),
                        text=h.text("text"),
                        money=self.money(h),
                        loc=Location(rel, d.value_line("ref")),
                    )
                )
        return decision if did else None


# --- the whole content folder --------------------------------------------------


#: the folders of records, each file one record whose id is its stem: meetings, and decisions made by one person
RECORD_FOLDERS = ("meetings", "decisions")


def _links_out(path: Path, content: Path) -> bool:
    """Whether PATH is a symbolic link that leads outside CONTENT."""
    return path.is_symlink() and not path.resolve().is_relative_to(content.resolve())


#: what the content folder's top level may hold besides hidden files (see stray)
CONTENT_FOLDERS = (*RECORD_FOLDERS, "files", "themes")
CONTENT_FILES = ("site", "bodies", "people", "issues", "forward-plan")  # each .yaml or .yml


def stray(content: Path) -> list[Problem]:
    """Warnings of what looks meant to be read but is not, so that a meeting never goes
    missing in silence: a folder at the top of CONTENT named like one that is read
    (meeting/), or that holds meeting files; a meeting file (DATE-...) beside site.yaml.
    (Those of meetings/ and decisions/, a file whose kind is not read or a linked folder,
    meeting_files finds as it walks them: see _stray_in.)"""
    out = []
    try:
        top = sorted(os.scandir(content), key=lambda e: e.name)
    except OSError:
        return out
    for entry in top:
        name = entry.name
        if name.startswith((".", "_")) or name in CONTENT_FOLDERS:
            continue
        stem, dot, suffix = name.rpartition(".")
        if entry.is_dir():
            hint = did_you_mean(name, CONTENT_FOLDERS)
            if hint or _holds_meetings(Path(entry.path)):
                out.append(
                    Problem(
                        Location(name),
                        f"{name}/ is not read{hint}: meeting files go under meetings/ (name it _{name}/ to keep it "
                        "unread without this warning)",
                        True,
                    )
                )
        elif dot and f".{suffix.lower()}" in MEETING_SUFFIXES and stem not in CONTENT_FILES:
            if DATE.match(stem[:10]):
                out.append(Problem(Location(name), f"{name} is not read: meeting files go under meetings/", True))
            elif hint := did_you_mean(stem, CONTENT_FILES):
                out.append(Problem(Location(name), f"{name} is not read{hint}", True))
    return out


def _stray_in(content: Path, folder: str, dirpath: str, dirnames: list[str], filenames: list[str]) -> list[Problem]:
    """stray's warnings of one folder of meetings/ or decisions/ (FOLDER), as meeting_files
    walks it: a file whose kind is not read, a folder that is a symbolic link."""
    out = []
    here = Path(dirpath)
    for name in sorted(dirnames):
        if not name.startswith((".", "_")) and (here / name).is_symlink():
            rel = rel_path(here / name, content)
            out.append(
                Problem(
                    Location(rel),
                    f"{rel}/ is a symbolic link to a folder, whose files are not read; put the folder itself here",
                    True,
                )
            )
    for name in sorted(filenames):
        if _meeting_name(name) or name.startswith((".", "_")) or scratch(name) or name.lower() in _SYSTEM_FILES:
            continue
        rel = rel_path(here / name, content)
        out.append(
            Problem(
                Location(rel),
                f"{rel} is not read: only .md, .yaml and .yml files are {folder} (name it .md or .yaml, "
                "or put documents under files/)",
                True,
            )
        )
    return out


# files that operating systems and office software leave in any folder (never a clerk's)
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"})


def _holds_meetings(folder: Path, most: int = 2000) -> bool:
    """Whether FOLDER holds (at any depth; of its first MOST entries) a file named as a meeting is."""
    seen = 0
    for _, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if _meeting_name(name) and DATE.match(name[:10]):
                return True
        seen += len(filenames) + len(dirnames)
        if seen > most:
            return False
    return False


def linked_out(content: Path) -> list[str]:
    """The folders of RECORD_FOLDERS that are symbolic links to a folder outside CONTENT:
    their files are not read (see read_meeting_file), and load reports them."""
    return [folder for folder in RECORD_FOLDERS if _links_out(content / folder, content)]


def meeting_files(content: Path, strays: list[Problem] | None = None) -> list[Path]:
    """The files of meetings/ and of decisions/ (decisions made by one person), which share
    one id space (not those of a folder that links outside the content folder: linked_out).
    STRAYS: given the warnings of what in them is not read (see stray), from the same walk."""
    out = []
    outside = linked_out(content)
    for folder in RECORD_FOLDERS:
        root = content / folder
        if not root.is_dir() or folder in outside:
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            if strays is not None:
                strays += _stray_in(content, folder, dirpath, dirnames, filenames)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            out += [Path(dirpath) / name for name in filenames if _meeting_name(name)]
    return sorted(out, key=lambda p: rel_path(p, content))


def _meeting_name(name: str) -> bool:
    return not name.startswith((".", "_")) and not scratch(name) and name.lower().endswith(MEETING_SUFFIXES)


def is_meeting_file(rel: str) -> bool:
    """Whether REL (relative to the content folder) is a file meeting_files() lists."""
    parts = rel.split("/")
    return (
        len(parts) >= 2
        and parts[0] in RECORD_FOLDERS
        and not any(d.startswith((".", "_")) for d in parts[1:-1])
        and _meeting_name(parts[-1])
    )


def rel_path(path: Path, content: Path) -> str:
    """PATH relative to CONTENT, with forward slashes (a string operation: paths come from os.walk)."""
    whole, root = str(path), str(content)
    if whole.startswith(root + os.sep):
        return whole[len(root) + 1 :].replace(os.sep, "/")
    return path.relative_to(content).as_posix()


@dataclass(slots=True)
class Parsed:
    """One meeting file as last read: its (mtime_ns, size), its meeting, its own problems,
    and a digest of the very bytes read ("" when not known)."""

    key: tuple[int, int, tuple[str, ...]]  # (and the site's languages, which the reader checks texts against)
    meeting: m.Meeting | None
    problems: list
    digest: str = ""

    def source(self) -> tuple:
        """What the file was when read, for the build state (State.sources): its bytes'
        digest and size, so that the same file saved again, or checked out afresh, is
        the same; its key when the digest is not known."""
        return (self.digest, self.key[1], self.key[2]) if self.digest else self.key


class ParseCache:
    """Parsed meeting files, kept between builds and re-read only when a file changes."""

    def __init__(self) -> None:
        self.entries: dict[str, Parsed] = {}  # by path relative to the content folder
        self.fresh: set[str] = set()  # the files read (not found here) since this was made
        #: the meetings, by file, known never to have been linked since they were read (those
        #: of a build state's ParsedStore, see unlinked): get gives them without reset()
        self.unlinked: dict[str, m.Meeting] = {}

    @staticmethod
    def key(path: Path) -> tuple[int, int, tuple[str, ...]]:
        """PATH's time and size, and the languages read (0, 0 for a file to read every time:
        one that cannot be looked at, or a symbolic link, which may lead elsewhere since)."""
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                return (0, 0, LANGUAGES)
            return (st.st_mtime_ns, st.st_size, LANGUAGES)
        except OSError:
            return (0, 0, LANGUAGES)

    @staticmethod
    def digest(path: Path) -> str:
        """A digest of PATH's bytes ("" when it cannot be read)."""
        try:
            return digest_of(path.read_bytes())
        except OSError:
            return ""

    def stale(self, paths: list[Path], content: Path) -> list[tuple[Path, tuple]]:
        """Those of PATHS that get() would read, each with its key as it is now (taken
        before it is read). A file whose time alone changed (saved again as it was, or
        checked out afresh, as on CI) is not read again when its bytes are those last
        read (their digest, taken from the very bytes parsed): its entry takes the new key."""
        entries = self.entries
        out = []
        for path in paths:
            entry = entries.get(rel_path(path, content))
            key = self.key(path)
            if entry is not None and entry.key == key and key[:2] != (0, 0):
                continue
            if entry is not None and entry.digest and entry.key[1:] == key[1:] and key[:2] != (0, 0):
                if entry.digest == self.digest(path):
                    entry.key = key  # (in memory: the state keeps the key as read, see build.load's ON_READ)
                    continue
            out.append((path, key))
        return out

    def put(
        self, path: Path, content: Path, key: tuple, meeting: m.Meeting | None, problems: list, digest: str = ""
    ) -> None:
        """Keep what reading PATH gave (read elsewhere: see build.read_on_two), KEY taken
        before it was read (a file saved meanwhile is then read again next time), DIGEST
        of the very bytes read."""
        rel = rel_path(path, content)
        self.entries[rel] = Parsed(key, meeting, problems, digest)
        self.fresh.add(rel)
        self.unlinked.pop(rel, None)

    def get(self, path: Path, content: Path, problems: Problems) -> m.Meeting | None:
        rel = rel_path(path, content)
        key = self.key(path)
        entry = self.entries.get(rel)
        if entry is not None and entry.key == key and key[:2] != (0, 0):
            problems.items.extend(entry.problems)
            # (a meeting handed out may have been linked: it is reset, unless it is the
            # very one known unlinked, as read; 0.3 s at 10,000 meetings)
            if entry.meeting is not None and self.unlinked.pop(rel, None) is not entry.meeting:
                entry.meeting.reset()
            return entry.meeting
        local = Problems()
        meeting, digest = read_digested(path, content, local)
        problems.items.extend(local.items)
        self.entries[rel] = Parsed(key, meeting, local.items, digest)
        self.fresh.add(rel)
        self.unlinked.pop(rel, None)
        return meeting

    def known_unlinked(self, entries: dict[str, Parsed]) -> None:
        """Take ENTRIES, whose meetings were never linked since they were read (a
        build state's, see state.ParsedStore): get gives them without resetting them."""
        self.entries.update(entries)
        self.unlinked.update((rel, e.meeting) for rel, e in entries.items() if e.meeting is not None)


def _kind_of_file(rel: str) -> str:
    """What the record file REL is, as a clerk would name it."""
    return "decision file" if rel.split("/", 1)[0] == RECORD_FOLDERS[1] else "meeting file"


def read_digested(path: Path, content: Path, problems: Problems) -> tuple[m.Meeting | None, str]:
    """read_meeting_file, with the digest of the very bytes read ("" when none were)."""
    digest: list[str] = []
    meeting = read_meeting_file(path, content, problems, digest)
    return meeting, digest[0] if digest else ""


def read_meeting_file(
    path: Path, content: Path, problems: Problems, digest: list[str] | None = None
) -> m.Meeting | None:
    """A meeting file read and validated. DIGEST: given a digest of the very bytes read."""
    rel = rel_path(path, content)
    stem = path.name.rsplit(".", 1)[0]
    if not SLUG.match(stem):
        problems.error(
            Location(rel, 1),
            f'the file name "{stem}" is not a valid meeting id: {bad_slug(stem, "id").split(": ", 1)[1]}',
        )
        return None
    if _links_out(path, content):
        problems.error(
            Location(rel, 1),
            "this file is a symbolic link to a file outside the content folder, which is not read "
            f"(it could publish any file on this computer); put the {_kind_of_file(rel)} itself here",
        )
        return None
    before = len(problems.errors)
    source = read_meeting(path, rel, problems, digest)
    if source is None:
        return None
    if source.data is None:
        if len(problems.errors) == before:  # (nothing said yet of why)
            problems.error(
                Location(rel, 1),
                "the file holds no meeting (only comments, or null); write the meeting, or delete the file",
            )
        return None
    try:
        if rel.split("/", 1)[0] == RECORD_FOLDERS[1]:  # a decision made by one person
            meeting = MeetingReader(content, problems).decision_file(source, stem)
        else:
            meeting = MeetingReader(content, problems).read(source, stem)
        if meeting is not None:  # (what the linker checks of its prose, kept with it: see Linker.check_prose)
            meeting.linking_prose = linking_prose(meeting)
        return meeting
    finally:
        report_untranslated(rel, problems)


def load_meeting(path: Path, content: Path, problems: Problems, cache: ParseCache | None = None) -> m.Meeting | None:
    if cache is not None:
        return cache.get(path, content, problems)
    return read_meeting_file(path, content, problems)


def _theme_there(content: Path, site: m.Site, data: Any, problems: Problems) -> None:
    """A theme named in site.yaml that is in neither themes/ folder (beside the content folder,
    or in it) is warned of: the site is built with the default theme, unasked."""
    if site.theme == "default":
        return
    roots = [content.parent / "themes", content / "themes"]
    if any((root / site.theme).is_dir() for root in roots):
        return
    names = sorted({p.name for root in roots if root.is_dir() for p in root.iterdir() if p.is_dir()})
    problems.warn(
        Location("site.yaml", data.value_line("theme") if isinstance(data, LMap) else 1),
        f'theme "{site.theme}": there is no folder themes/{site.theme} beside the content folder, nor in it'
        f"{did_you_mean(site.theme, names)}; the default theme is used",
    )


def _words_for(content: Path, site: m.Site, source: tuple[Any, str], problems: Problems) -> None:
    """An error unless sitegen, or the site's theme, has words in the site's language."""
    from . import i18n
    from .render import theme_folders

    folders = theme_folders(content, site.theme)
    data, rel = source
    for language in site.published:
        if i18n.available(language, folders):
            continue
        key = "languages" if site.languages and language != site.language else "language"
        line = data.value_line(key) if isinstance(data, LMap) else 1
        problems.error(
            Location(rel, line),
            f'sitegen has no words in the language "{language}" (it has {", ".join(i18n.languages(folders))}):'
            f" use one of those, or add a catalogue of its words, themes/THEME/locale/{language}.po (see the README)",
        )


def read_forward_plan(content: Path, problems: Problems) -> dict[str, m.PlanEntry]:
    """content/forward-plan.yaml (optional): the forward plan's entries, in the file's order."""
    for rel in ("forward-plan.yaml", "forward-plan.yml"):
        path = content / rel
        if path.is_file():
            break
    else:
        return {}
    data = read_yaml(path, rel, problems)
    reader = MeetingReader(content, problems)
    entries = []
    for entry in _top_list(data, rel, problems, "forward plan entries"):
        f = Fields(entry, rel, problems, "forward plan entry", PLAN_KEYS)
        plan = m.PlanEntry(
            id=f.slug("id", required=True, what="forward plan id"),
            title=f.text("title", required=True),
            decision_maker_id=f.slug("decision_maker", required=True, what="person or body id"),
            first_published=f.date("first_published", required=True),
            key=f.flag("key"),
            wards=[v for v, _ in f.strings("wards")],
            summary=f.text("summary"),
            consultation=f.text("consultation"),
            withdrawn=f.date("withdrawn"),
            loc=Location(rel, entry.key_line("id") if "id" in entry else entry.line),
        )
        plan.lines = {
            key: entry.value_line(key)
            for key in ("decision_maker", "expected", "first_published", "summary", "consultation")
        }
        expected = f.text("expected", required=True)
        month = re.match(r"(\d{4})-(\d{2})\Z", expected)
        if month:
            year, mon = int(month.group(1)), int(month.group(2))
            if 1 <= mon <= 12:
                plan.expected, plan.expected_month = dt.date(year, mon, 1), True
            else:
                f.error(entry.value_line("expected"), f'expected "{expected}" is not a real month')
        elif expected:
            if DATE.match(expected):
                plan.expected = parse_date(expected, rel, entry.value_line("expected"), problems, "expected")
            else:
                f.error(
                    entry.value_line("expected"),
                    f'expected "{expected}" should be a month (YYYY-MM) or a day (YYYY-MM-DD)',
                )
        plan.exempt, plan.exempt_reason = f.exempt()
        plan.documents = reader.documents(f)
        if plan.withdrawn is not None and plan.first_published is not None and plan.withdrawn < plan.first_published:
            f.error(entry.value_line("withdrawn"), "withdrawn is before the entry was first published")
        entries.append(plan)
    report_untranslated(rel, problems)
    return _unique(entries, "forward plan", problems)


def read_site_files(
    content: Path, problems: Problems
) -> tuple[m.Site, dict[str, m.Body], dict[str, m.Person], bool, dict[str, m.IssueInfo]]:
    def optional(name: str) -> tuple[Any, str] | None:
        for suffix in (".yaml", ".yml"):
            path = content / (name + suffix)
            if path.is_file():
                return read_yaml(path, name + suffix, problems), name + suffix
        return None

    global LANGUAGES
    LANGUAGES = ()
    UNTRANSLATED.clear()
    site_src = optional("site")
    if site_src is None:
        problems.error(Location("site.yaml", 0), "there is no site.yaml in the content folder; see the content model")
        site = m.Site()
    else:
        site = _site(site_src[0], site_src[1], problems)
        _theme_there(content, site, site_src[0], problems)
        _words_for(content, site, site_src, problems)
    bodies_src = optional("bodies")
    if bodies_src is None:
        problems.error(
            Location("bodies.yaml", 0), "there is no bodies.yaml in the content folder; list the bodies there"
        )
        bodies: dict[str, m.Body] = {}
    else:
        bodies = _bodies(bodies_src[0], bodies_src[1], problems)
    people_src = optional("people")
    people = _people(people_src[0], people_src[1], problems) if people_src else {}
    issues_src = optional("issues")
    issues = _issues(issues_src[0], issues_src[1], problems) if issues_src else {}
    for rel in sorted(UNTRANSLATED):
        report_untranslated(rel, problems)
    return site, bodies, people, people_src is not None, issues
