"""The Jinja environment: the theme's search path, filters, StrictUndefined."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from . import present
from .markdown import Markdown
from .urls import Urls

PACKAGE_THEMES = Path(__file__).resolve().parent / "themes"


def builtin_theme() -> Path:
    """The default theme: beside the package in a checkout, inside it when installed."""
    for candidate in (Path(__file__).resolve().parent.parent / "themes" / "default", PACKAGE_THEMES / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("the default theme is missing from the sitegen installation")


def theme_folders(content: Path, name: str) -> list[Path]:
    """The theme search path: the named theme (beside the content folder), then the default."""
    folders = []
    if name != "default":
        for root in (content.parent / "themes", content / "themes"):
            if (root / name).is_dir():
                folders.append(root / name)
                break
    local_default = content.parent / "themes" / "default"
    if (local_default / "templates").is_dir():
        folders.append(local_default)
    default = builtin_theme()
    if default not in folders:
        folders.append(default)
    return folders


class Environment(jinja2.Environment):
    """Templates share the environment's globals (a dict) instead of each having a
    ChainMap over them: Jinja reads a template's globals on every render, include and
    import, and a ChainMap makes that several times slower. sitegen gives templates no
    globals of their own, so the overlay was always empty."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        if not d:
            return self.globals
        return super().make_globals(d)


def environment(folders: list[Path], urls: Urls, markdown: Markdown) -> jinja2.Environment:
    env = Environment(
        loader=jinja2.FileSystemLoader([str(f / "templates") for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        url=urls,
        file_url=urls.file,
        md=markdown.render,
        md_inline=markdown.inline,
        long_date=present.long_date,
        short_date=present.short_date,
        clock=present.clock,
        status_words=present.status_words,
        status_class=present.status_class,
        step_words=present.step_words,
        file_size=present.file_size,
        time_range=present.time_range,
    )
    env.globals.update(
        OUTCOME_WORDS=present.OUTCOME_WORDS,
        STATUS_WORDS=present.STATUS_WORDS,
        RECORD_WORDS=present.RECORD_WORDS,
        RECORD_NOTES=present.RECORD_NOTES,
        KIND_WORDS=present.KIND_WORDS,
        RESULT_WORDS=present.RESULT_WORDS,
    )
    return env
