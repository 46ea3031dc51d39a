"""The only place that knows an object's address and its output path."""

from __future__ import annotations

from . import model as m

# The address of each kind of page, by its ids: the one place that spells them.
PATTERNS = {
    "meeting": "meetings/{0}/",
    "item": "meetings/{0}/{1}/",
    "meetings-year": "meetings/{0}/",
    "decisions-year": "decisions/{0}/",
    "body": "bodies/{0}/",
    "person": "people/{0}/",
    "issue": "issues/{0}/",
    "body-feed": "feeds/bodies/{0}/{1}.atom",  # {1}: "meetings" or "decisions"
    "body-calendar": "calendar/bodies/{0}.ics",
    "meeting-calendar": "calendar/meetings/{0}.ics",  # an upcoming meeting's own
    "decision": "decisions/{0}/",  # a decision made by one person (a decision file)
    "issue-feed": "issues/{0}/feed.atom",  # following a matter
    "issue-calendar": "issues/{0}/calendar.ics",  # its scheduled considerations
    "person-feed": "people/{0}/feed.atom",
    "plan-entry": "forward-plan/{0}/",
}


def path_for(kind: str, *ids: object) -> str:
    """The address of the page of KIND with these IDS (an old id, for a redirect, say)."""
    return PATTERNS[kind].format(*ids)


def path_of(obj: object) -> str:
    """The address of a page, relative to the site root, ending in '/' (or a file name)."""
    if isinstance(obj, m.Meeting):
        return path_for("decision" if obj.maker_id else "meeting", obj.id)
    if isinstance(obj, m.Item):
        if obj.meeting.maker_id:  # type: ignore[union-attr]
            return path_for("decision", obj.meeting.id)  # type: ignore[union-attr]
        return path_for("item", obj.meeting.id, obj.id)  # type: ignore[union-attr]
    if isinstance(obj, m.Decision):  # (an exempt item's page shows no decisions: its title and reason)
        if obj.item.exempt or obj.item.meeting.maker_id:  # type: ignore[union-attr]
            return path_of(obj.item)
        return f"{path_of(obj.item)}#decision-{obj.id}"
    if isinstance(obj, m.Amendment):
        return f"{path_of(obj.item)}#amendment-{obj.id or 'x'}"
    if isinstance(obj, m.Body):
        return path_for("body", obj.id)
    if isinstance(obj, m.Issue):
        return path_for("issue", obj.id)
    if isinstance(obj, m.Person):
        return path_for("person", obj.id) if obj.known else ""
    if isinstance(obj, m.Document):
        return obj.href
    if isinstance(obj, int):
        return path_for("meetings-year", obj)
    if isinstance(obj, str):
        return NAMED[obj]
    if isinstance(obj, m.PlanEntry):
        return path_for("plan-entry", obj.id)
    raise TypeError(f"no address for {obj!r}")


def asset_path(name: str, digest: str = "") -> str:
    """Where a theme's static file NAME is published; with DIGEST (CSS and JavaScript, to be
    cached for ever) in its name: static/style.3f2a9c1e0b.css."""
    if not digest:
        return f"static/{name}"
    stem, dot, suffix = name.rpartition(".")
    return f"static/{stem}.{digest}.{suffix}"


def body_feed(body: m.Body, kind: str) -> str:
    """A body's Atom feed of its "meetings" or its "decisions"."""
    return path_for("body-feed", body.id, kind)


def follow_feed(subject: m.Issue | m.Person) -> str:
    """An issue's or a person's own Atom feed."""
    return path_for("issue-feed" if isinstance(subject, m.Issue) else "person-feed", subject.id)


def body_calendar(body: m.Body) -> str:
    return path_for("body-calendar", body.id)


def meeting_calendar(meeting: m.Meeting) -> str:
    """An upcoming meeting's own iCalendar file (see model.is_upcoming)."""
    return path_for("meeting-calendar", meeting.id)


NAMED = {
    "home": "",
    "meetings": "meetings/",
    "bodies": "bodies/",
    "issues": "issues/",
    "people": "people/",
    "decisions": "decisions/",
    "awaiting": "decisions/awaiting/",
    "call-in": "decisions/call-in/",
    "money": "decisions/money/",
    "forward-plan": "forward-plan/",
    "search": "search/",
    "data": "data/",
    "declarations": "declarations/",
    "how": "how-decisions-are-made/",
    "404": "404.html",
    "style": "static/style.css",
    # generated files
    "meetings-feed": "feeds/meetings.atom",
    "decisions-feed": "feeds/decisions.atom",
    "forward-plan-feed": "feeds/forward-plan.atom",
    "awaiting-feed": "decisions/awaiting/feed.atom",
    "forward-plan-calendar": "calendar/forward-plan.ics",
    "calendar": "calendar/meetings.ics",
    "record": "data/record.json",
    "record-schema": "data/schema.json",
    "decisions-csv": "data/decisions.csv",
    "declarations-csv": "data/declarations.csv",
    "money-csv": "data/money.csv",
    "search-index": "pagefind/",
    "search-ui-css": "pagefind/pagefind-ui.css",
    "search-ui-js": "pagefind/pagefind-ui.js",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "redirects": "_redirects",
}


#: the ids a decision file may not have: the pages of their own under /decisions/ (call-in, awaiting)
RESERVED_DECISION_IDS = frozenset(
    path.split("/")[1] for path in NAMED.values() if path.startswith("decisions/") and path.count("/") == 2
)


def webcal(address: str, base_url: str) -> str:
    """The webcal:// address of a calendar (ADDRESS, root-relative) on the site at BASE_URL,
    which calendar programs subscribe to rather than import once; "" without a host."""
    if "://" not in base_url:
        return ""
    host = base_url.split("://", 1)[1].split("/", 1)[0]
    return f"webcal://{host}{address}"


def output_file(path: str) -> str:
    """Where a page with this address is written, relative to the output folder."""
    path = path.split("#", 1)[0]
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


# files of the whole site, whatever the language of the page that links them: the open
# data is one record, the search bundle holds every language's index, and so on
SHARED = frozenset(
    {
        "record",
        "record-schema",
        "decisions-csv",
        "declarations-csv",
        "money-csv",
        "search-index",
        "search-ui-css",
        "search-ui-js",
        "sitemap",
        "robots",
        "redirects",
        "style",
    }
)


def language_prefix(languages: tuple[str, ...], language: str) -> str:
    """Where LANGUAGE's pages are, under the site's root: the first language's at the root
    (its addresses never change when a language is added), every other one's under /LANG/."""
    return "" if not languages or language == languages[0] or language not in languages else f"{language}/"


class Urls:
    """Addresses as the pages link them: root-relative, under base_url's path, and on a
    site in several languages, under the prefix of the language being written (speak)."""

    def __init__(self, base_path: str = "/", languages: tuple[str, ...] = ()) -> None:
        self.root = base_path if base_path.endswith("/") else base_path + "/"
        self.languages = languages
        self.language = ""
        self.speak(languages[0] if languages else "")

    def speak(self, language: str) -> None:
        """From now on, give the addresses of LANGUAGE's pages and files."""
        if language == self.language and hasattr(self, "named"):
            return
        self.language = language
        self.base = self.root + language_prefix(self.languages, language)
        self.named = {name: (self.root if name in SHARED else self.base) + path for name, path in NAMED.items()}

    def in_language(self, path: str, language: str) -> str:
        """The address of the page at PATH (relative to a language's root) in LANGUAGE."""
        return self.root + language_prefix(self.languages, language) + path

    def file(self, path: str) -> str:
        """The address of a generated file (a feed, a calendar) by its path under the site root."""
        return self.base + path

    def feed(self, body: m.Body, kind: str) -> str:
        """The address of a body's feed of its "meetings" or "decisions" (a template filter)."""
        return self.base + body_feed(body, kind)

    def calendar(self, subject: m.Body | m.Meeting | m.Issue) -> str:
        """The address of a body's calendar, an issue's, or an upcoming meeting's (a template filter)."""
        if isinstance(subject, m.Meeting):
            return self.base + meeting_calendar(subject)
        if isinstance(subject, m.Issue):
            return self.base + path_for("issue-calendar", subject.id)
        return self.base + body_calendar(subject)

    def follow(self, subject: m.Issue | m.Person) -> str:
        """The address of an issue's or a person's Atom feed (a template filter)."""
        return self.base + follow_feed(subject)

    def register(self, year: int) -> str:
        """The address of a year's decisions register (a template filter)."""
        return self.base + path_for("decisions-year", year)

    def __call__(self, obj: object) -> str:
        if obj.__class__ is str:
            return self.named[obj]  # type: ignore[index]
        if isinstance(obj, m.Document):
            return obj.href if obj.external else self.root + path_of(obj)  # (files/: one copy for every language)
        return self.base + path_of(obj)
