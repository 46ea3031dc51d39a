"""sitegen's own words, in the site's language: gettext catalogues read with Babel.

Every word sitegen puts on a page, in a feed, a calendar or a data description is a
message of the catalogues, and dates, times and numbers are formatted by Babel from
CLDR's data for the language. The shipped catalogues are ``sitegen/locale/LANG.po``
(``sitegen.pot`` lists the messages; ``python -m sitegen.i18n`` extracts it from the
code and the default theme and brings every ``.po`` up to date). A theme may bring
``locale/LANG.po`` of its own: its translations win over the shipped ones, and a
language sitegen does not ship is then available. The ``.po`` files are compiled as
they are read, so there is no compiled copy to keep in step.

The words in use are those of the build at work (``use``): the templates' ``_()``,
``ngettext()`` and ``{% trans %}``, and the Python code's ``_``, ``ngettext`` and the
formatting functions below, all ask ``current()``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import babel
import babel.dates
import babel.numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

LOCALE = Path(__file__).resolve().parent / "locale"
TEMPLATE = LOCALE / "sitegen.pot"
SOURCE_LANGUAGE = "en"
# English is written as British English: `en` is formatted as `en-GB` (6.30pm, 5 October 2023)
FORMAT_LOCALES = {"en": "en_GB"}
KEYWORDS = {"_": None, "N_": None, "NP_": ((1, "c"), 2), "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def N_(message: str) -> str:
    """Marks MESSAGE for the catalogues where it is written; it is translated where shown."""
    return message


def NP_(context: str, message: str) -> str:
    """Marks MESSAGE, in CONTEXT, for the catalogues (as N_)."""
    return message


@dataclass(frozen=True)
class Words:
    """One language's words: its translations and its locale for dates and numbers."""

    language: str  # as site.yaml gives it (BCP 47)
    locale: babel.Locale
    translations: Translations
    digest: str  # of the language and every catalogue read: what the pages' words depend on
    said: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # gettext's answers, kept

    def gettext(self, message: str) -> str:
        text = self.said.get(message)
        if text is None:
            text = self.said[message] = self.translations.gettext(message)
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)


def _candidates(language: str) -> list[str]:
    """Catalogue names for LANGUAGE, most specific first: en-GB, en_GB, en."""
    parts = language.replace("_", "-").split("-")
    names = []
    for n in range(len(parts), 0, -1):
        tag = "-".join(parts[:n])
        names += [tag, tag.replace("-", "_")] if n > 1 else [tag]
    return names


def catalogue_files(language: str, folders: list[Path]) -> list[Path]:
    """The .po files for LANGUAGE, the least specific and the shipped ones first: each
    later one's translations win (a theme's over sitegen's, en-GB's over en's)."""
    found = []
    for name in reversed(_candidates(language)):
        for folder in [LOCALE, *(f / "locale" for f in reversed(folders))]:
            path = folder / f"{name}.po"
            if path.is_file():
                found.append(path)
    return found


def available(language: str, folders: list[Path]) -> bool:
    """Whether sitegen (or the theme) has words in LANGUAGE."""
    return bool(catalogue_files(language, folders))


def languages(folders: list[Path] = ()) -> list[str]:  # type: ignore[assignment]
    """Every language with a catalogue, shipped or in a theme's folders."""
    names = {p.stem for folder in [LOCALE, *(f / "locale" for f in folders)] for p in folder.glob("*.po")}
    return sorted(names)


def read_catalogue(path: Path, language: str | None = None) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=language or path.stem, domain="sitegen")


def _compiled(catalog: Catalog) -> Translations:
    catalog.fuzzy = False  # (pybabel init marks the header fuzzy, and write_mo would drop it: its plural forms)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="sitegen")


_LOADED: dict[tuple[str, tuple[str, ...]], Words] = {}


def load(language: str, folders: list[Path]) -> Words:
    """The words of LANGUAGE, from sitegen's catalogues and the theme FOLDERS'
    (a theme's first). LookupError when there is no catalogue for it."""
    files = catalogue_files(language, folders)
    if not files:
        raise LookupError(language)
    texts = [p.read_bytes() for p in files]
    key = (language, tuple(hashlib.sha1(t).hexdigest() for t in texts))
    words = _LOADED.get(key)
    if words is None:
        translations = None
        for path in files:
            compiled = _compiled(read_catalogue(path, _candidates(language)[-1]))
            if translations is None:
                translations = compiled
            else:
                translations.merge(compiled)  # (a later catalogue's messages win)
        assert translations is not None
        tag = FORMAT_LOCALES.get(language, language)
        try:
            locale = babel.Locale.parse(tag.replace("-", "_"))
        except (babel.UnknownLocaleError, ValueError):
            locale = babel.Locale.parse(_candidates(language)[-1])
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
        words = _LOADED[key] = Words(language, locale, translations, digest)
    return words


_CURRENT: contextvars.ContextVar[Words | None] = contextvars.ContextVar("sitegen_words", default=None)


def current() -> Words:
    """The words of the build at work (English when none is: a library caller's)."""
    words = _CURRENT.get()
    if words is None:
        words = load(SOURCE_LANGUAGE, [])
        _CURRENT.set(words)
    return words


ON_CHANGE: list = []  # what to call when other words come into use (caches of translations)


def activate(words: Words) -> None:
    """Make WORDS the ones in use, from now on in this context (and in forked workers)."""
    if _CURRENT.get() is not words:
        _CURRENT.set(words)
        for changed in ON_CHANGE:
            changed()


def _(message: str, **params: object) -> str:
    """MESSAGE in the current language, with its %(name)s placeholders filled from PARAMS."""
    text = (_CURRENT.get() or current()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """The form of a message for the number N (%(num)s is N, formatted for the language)."""
    text = current().ngettext(singular, plural, n)
    return text % {"num": number(n), **params}


def language_name(language: str) -> str:
    """LANGUAGE's name for itself: Cymraeg, English (for a switch between languages)."""
    try:
        locale = babel.Locale.parse(language.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        return language
    name = locale.language_name or language
    return name[:1].upper() + name[1:]


# --- dates, times, numbers: CLDR's data through Babel --------------------------------


_DATES: dict[tuple[str, str, dt.date], str] = {}  # Babel's formatting, kept: a site shows each date many times


def _date(day: dt.date, pattern: str) -> str:
    words = current()
    key = (words.digest, pattern, day)
    text = _DATES.get(key)
    if text is None:
        text = _DATES[key] = babel.dates.format_date(day, words.pgettext("date format", pattern), locale=words.locale)
    return text


LONG_DATE = NP_("date format", "EEEE d MMMM y")  # (patterns of CLDR's: each language's catalogue may give its own)
SHORT_DATE = NP_("date format", "d MMMM y")
MONTH_YEAR = NP_("date format", "MMMM y")


def long_date(day: dt.date) -> str:
    """Wednesday 16 November 2011; Dydd Mercher 16 Tachwedd 2011."""
    return _date(day, LONG_DATE)


#: the weekdays, each as a sentence gives it after a preposition ("on %(date)s"): a catalogue
#: that translates them gives the weekday a form of its own there (see on_date)
AFTER_PREPOSITION = (
    NP_("weekday after a preposition", "Monday"),
    NP_("weekday after a preposition", "Tuesday"),
    NP_("weekday after a preposition", "Wednesday"),
    NP_("weekday after a preposition", "Thursday"),
    NP_("weekday after a preposition", "Friday"),
    NP_("weekday after a preposition", "Saturday"),
    NP_("weekday after a preposition", "Sunday"),
)


def on_date(day: dt.date) -> str:
    """DAY's long date as a sentence gives it after a preposition ("on %(date)s", "until
    %(date)s"): long_date, unless the language's catalogue gives the weekday a form of its
    own there, which the short date follows (Welsh mutates it: "ar ddydd Llun 7 Rhagfyr
    2026", not "ar Dydd Llun"). Such a catalogue's long dates after a preposition are then
    that weekday and its short date, whatever long date pattern it gives."""
    name = AFTER_PREPOSITION[day.weekday()]
    form = current().pgettext("weekday after a preposition", name)
    return long_date(day) if form == name else f"{form} {short_date(day)}"


def short_date(day: dt.date) -> str:
    """16 November 2011; 16 Tachwedd 2011."""
    return _date(day, SHORT_DATE)


def month_year(day: dt.date) -> str:
    """November 2011; Tachwedd 2011 (a forward plan's expected month)."""
    return _date(day, MONTH_YEAR)


def number(n: float) -> str:
    """1,234 (or as the language groups digits)."""
    return babel.numbers.format_decimal(n, locale=current().locale)


def decimal(n: float, places: int = 1) -> str:
    """A number with PLACES decimals: 1.2 MB."""
    return babel.numbers.format_decimal(n, format="#,##0." + "0" * places, locale=current().locale)


# --- the catalogues: extracting the messages and bringing each .po up to date ------------

HEADER_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # (fixed: the files' bytes depend only on the messages)


def extract() -> Catalog:
    """Every message of sitegen's code and the default theme's templates."""
    from babel.messages.extract import extract_from_dir

    from .render import builtin_theme

    catalog = Catalog(
        project="sitegen", domain="sitegen", creation_date=HEADER_DATE, revision_date=HEADER_DATE, fuzzy=False
    )
    sources = [
        (Path(__file__).resolve().parent, [("*.py", "python")], {}),
        (
            builtin_theme() / "templates",
            [("**.html", "jinja2")],
            {"**.html": {"trim_blocks": "true", "lstrip_blocks": "true", "extensions": "jinja2.ext.i18n"}},
        ),
    ]
    for folder, method_map, options in sources:
        for filename, _line, message, comments, context in extract_from_dir(
            folder, method_map, options_map=options, keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            where = f"{folder.name}/{filename}"
            catalog.add(message, None, [(where, None)], auto_comments=comments, context=context)
    return catalog


def po_text(catalog: Catalog) -> bytes:
    """A catalogue as a .po file, whose bytes depend only on its messages (not on Babel's version)."""
    catalog.fuzzy = False  # (a fuzzy header is left out of the compiled catalogue, and its plural forms with it)
    name = "the messages" if catalog.locale is None else f"the {catalog.locale.english_name} translations"
    catalog.header_comment = (
        f"# sitegen's own words: {name}.\n"
        "# python -m sitegen.i18n brings this file up to date with the code and the default theme."
    )
    catalog.msgid_bugs_address = ""
    out = io.BytesIO()
    write_po(out, catalog, width=0, include_lineno=False, sort_output=True)
    lines = out.getvalue().split(b"\n")
    return b"\n".join(line for line in lines if not line.startswith(b'"Generated-By:'))


def updated(language: str, template: Catalog) -> Catalog:
    """The shipped catalogue of LANGUAGE with TEMPLATE's messages: new ones empty (English
    filled with the message itself), old ones dropped."""
    path = LOCALE / f"{language}.po"
    catalog = read_catalogue(path) if path.is_file() else Catalog(locale=language, domain="sitegen")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = HEADER_DATE
    catalog.project, catalog.version = "sitegen", ""
    catalog.last_translator = catalog.language_team = "sitegen"
    if language == SOURCE_LANGUAGE:  # the messages are English: the English is the message itself
        for message in catalog:
            if isinstance(message.id, tuple | list):
                if not all(message.string):
                    message.string = (message.id[0], *[message.id[1]] * (catalog.num_plurals - 1))
            elif message.id and not message.string:
                message.string = message.id
    return catalog


def main() -> int:
    LOCALE.mkdir(exist_ok=True)
    template = extract()
    outputs = {TEMPLATE: po_text(template)}
    for path in sorted(LOCALE.glob("*.po")):
        outputs[path] = po_text(updated(path.stem, template))
    if not (LOCALE / f"{SOURCE_LANGUAGE}.po").exists():
        outputs[LOCALE / f"{SOURCE_LANGUAGE}.po"] = po_text(updated(SOURCE_LANGUAGE, template))
    for path, text in outputs.items():
        if not path.exists() or path.read_bytes() != text:
            path.write_bytes(text)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
