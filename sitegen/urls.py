"""The only place that knows an object's address and its output path."""

from __future__ import annotations

from . import model as m


def path_of(obj: object) -> str:
    """The address of a page, relative to the site root, ending in '/' (or a file name)."""
    if isinstance(obj, m.Meeting):
        return f"meetings/{obj.id}/"
    if isinstance(obj, m.Item):
        return f"meetings/{obj.meeting.id}/{obj.id}/"  # type: ignore[union-attr]
    if isinstance(obj, m.Decision):
        return f"{path_of(obj.item)}#decision-{obj.id}"
    if isinstance(obj, m.Amendment):
        return f"{path_of(obj.item)}#amendment-{obj.id or 'x'}"
    if isinstance(obj, m.Body):
        return f"bodies/{obj.id}/"
    if isinstance(obj, m.Issue):
        return f"issues/{obj.id}/"
    if isinstance(obj, m.Person):
        return f"people/{obj.id}/" if obj.known else ""
    if isinstance(obj, m.Document):
        return obj.href
    if isinstance(obj, int):
        return f"meetings/{obj}/"
    if isinstance(obj, str):
        return NAMED[obj]
    raise TypeError(f"no address for {obj!r}")


NAMED = {
    "home": "",
    "meetings": "meetings/",
    "bodies": "bodies/",
    "issues": "issues/",
    "people": "people/",
    "decisions": "decisions/",
    "awaiting": "decisions/awaiting/",
    "search": "search/",
    "data": "data/",
    "404": "404.html",
    "style": "static/style.css",
}


def output_file(path: str) -> str:
    """Where a page with this address is written, relative to the output folder."""
    path = path.split("#", 1)[0]
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


class Urls:
    """Addresses as the pages link them: root-relative, under base_url's path."""

    def __init__(self, base_path: str = "/") -> None:
        self.base = base_path if base_path.endswith("/") else base_path + "/"
        self.named = {name: self.base + path for name, path in NAMED.items()}  # every page links several

    def file(self, path: str) -> str:
        """The address of a generated file (a feed, a calendar) by its path under the site root."""
        return self.base + path

    def __call__(self, obj: object) -> str:
        if obj.__class__ is str:
            return self.named[obj]  # type: ignore[index]
        if isinstance(obj, m.Document) and obj.external:
            return obj.href
        return self.base + path_of(obj)
