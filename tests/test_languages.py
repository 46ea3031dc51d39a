"""sitegen's own words in the site's language: complete catalogues, Welsh pages with no
English of sitegen's left on them, dates and numbers by CLDR, themes' catalogues."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from sitegen import i18n

WELSH = ROOT / "examples" / "cyngor-cymuned" / "content"
WORD = re.compile(r"[^\W\d_]+")
FILE_NAME = re.compile(r"\b[\w-]+\.(?:json|csv|atom|ics)\b")
MARKUP = re.compile(r"%\(\w+\)s|\[[A-Z_]+\]|<[^>]*>|\{\{[^}]*\}\}")


def messages(language: str) -> list:
    return [m for m in i18n.read_catalogue(i18n.LOCALE / f"{language}.po") if m.id]


def words_of(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(MARKUP.sub(" ", text))}


def translations(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def test_the_catalogues_are_complete_and_up_to_date():
    """Every message of the code and the default theme is in sitegen.pot, and every shipped
    language translates each one (every plural form), with the same placeholders; the
    files are what ``python -m sitegen.i18n`` writes."""
    template = i18n.extract()
    assert i18n.TEMPLATE.read_bytes() == i18n.po_text(template), "run: python -m sitegen.i18n"
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in template if m.id}
    assert len(ids) > 300
    shipped = sorted(p.stem for p in i18n.LOCALE.glob("*.po"))
    assert shipped == ["cy", "en"]
    for language in shipped:
        path = i18n.LOCALE / f"{language}.po"
        assert path.read_bytes() == i18n.po_text(i18n.updated(language, template)), language
        catalog = i18n.read_catalogue(path)
        assert not list(catalog.check()), [(m.id, errors) for m, errors in catalog.check()]
        for message in messages(language):
            assert all(translations(message)) and not message.fuzzy, (language, message.id)
            for form in translations(message):
                source = message.id if isinstance(message.id, str) else message.id[-1]
                assert sorted(MARKUP.findall(form)) == sorted(set(MARKUP.findall(source))) or sorted(
                    set(MARKUP.findall(form))
                ) == sorted(set(MARKUP.findall(source))), (language, message.id, form)
        assert {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages(language)} == ids
    assert i18n.read_catalogue(i18n.LOCALE / "cy.po").num_plurals == 6


class Text(HTMLParser):
    """A page's visible text and the words of its attributes that are read or shown."""

    SHOWN = ("title", "aria-label", "placeholder", "alt", "data-label", "data-all", "data-some", "data-translations")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name == "data-translations" and value:  # (Pagefind's words: the values are shown)
                self.parts.extend(json.loads(value).values())
            elif name in self.SHOWN and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def catalogue_words(language: str) -> set[str]:
    """Every word of sitegen's LANGUAGE catalogue, with the language's month and day names."""
    import babel

    found = set()
    for message in messages(language):
        for form in translations(message):
            found |= words_of(form)
    names = babel.Locale.parse("en_GB" if language == "en" else language)
    return found | {
        w.lower() for w in [*names.months["format"]["wide"].values(), *names.days["format"]["wide"].values()]
    }


def english_of_sitegen(content: Path, of: str = "en", page_language: str = "cy") -> set[str]:
    """Words that are sitegen's in the language OF and not in PAGE_LANGUAGE: in its catalogue
    (or month and day names), in no translation of the other, nowhere in the content."""
    return catalogue_words(of) - catalogue_words(page_language) - supplied_words(content)


def supplied_words(content: Path) -> set[str]:
    """The words of every text the content's files supply (values, not keys)."""
    import yaml

    def values(node: object) -> list[str]:
        if isinstance(node, dict):
            return [v for x in node.values() for v in values(x)]
        if isinstance(node, list):
            return [v for x in node for v in values(x)]
        return [str(node)] if node is not None else []

    supplied = set()
    for path in content.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".md"):
            text = path.read_text(encoding="utf-8")
            body = ""
            if path.suffix == ".md":
                _, front, body = text.split("---\n", 2)
                text = front
            for value in [*values(yaml.safe_load(text)), body]:
                supplied |= words_of(value)
    return supplied


def english_left(output: Path, content: Path, of: str = "en", page_language: str = "cy") -> dict[str, set[str]]:
    """Per file of OUTPUT in PAGE_LANGUAGE (the first language's: not under another's
    /LANG/): sitegen's words in the language OF in what a reader sees or hears (pages), or
    reads in a feed, a calendar or the open data."""
    suspect = english_of_sitegen(content, of, page_language)
    found = {}
    prefixes = ("en/", "cy/")
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if page_language == "cy" and rel.startswith(prefixes):
            continue
        if page_language != "cy" and not rel.startswith(f"{page_language}/"):
            continue
        if path.suffix == ".html":
            parser = Text()
            parser.feed(path.read_text(encoding="utf-8"))
            text = " ".join(parser.parts)
        elif path.suffix == ".atom":
            root = ET.fromstring(path.read_bytes())
            text = " ".join(e.text or "" for e in root.iter() if e.tag.endswith(("title", "content", "rights")))
            text = re.sub(r"<[^>]+>", " ", text)
        elif path.suffix == ".ics":
            lines = path.read_text(encoding="utf-8").replace("\r\n ", "").splitlines()
            text = " ".join(
                x.split(":", 1)[1] for x in lines if x.startswith(("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"))
            )
            text = re.sub(r"https?://\S+", " ", text)
        elif path.name == "record.json":
            data = json.loads(path.read_text(encoding="utf-8"))
            text = " ".join(
                d.get("status_text") or "" for e in data["events"] for i in e["agenda"] for d in i.get("decisions", [])
            )
        else:
            continue
        text = FILE_NAME.sub(" ", re.sub(r"https?://\S+", " ", text))  # (addresses and names of files)
        left = words_of(text) & suspect
        if left:
            found[rel] = left
    return found


@pytest.fixture(scope="module")
def welsh_output(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from sitegen.cli import main

    out = tmp_path_factory.mktemp("cy") / "output"
    assert main(["build", "--strict", "--content", str(WELSH), "--output", str(out), "--no-cache", "--no-search"]) == 0
    return out


def test_no_page_not_found_has_a_canonical_address(welsh_output: Path):
    pages = sorted(welsh_output.rglob("404.html"))
    assert len(pages) == 2  # (one in each language)
    for path in pages:
        assert 'rel="canonical"' not in path.read_text(encoding="utf-8"), path
    assert 'rel="canonical"' in (welsh_output / "index.html").read_text(encoding="utf-8")


def test_a_welsh_site_has_none_of_sitegens_english(welsh_output: Path):
    """Every page, feed, calendar and status in the open data of the Welsh example: no word
    of sitegen's English catalogue that is not also Welsh or the content's own."""
    pages = list(welsh_output.rglob("*.html"))
    assert len(pages) > 30
    assert english_left(welsh_output, WELSH) == {}
    assert '<html lang="cy">' in (welsh_output / "index.html").read_text(encoding="utf-8")


def test_the_check_finds_english_that_a_catalogue_leaves(tmp_path: Path, welsh_output: Path):
    """The check above can fail: a theme's catalogue that puts English back ("Attendance",
    "Upcoming meetings") is caught on the pages that show it."""
    import shutil

    from sitegen.cli import main

    content = tmp_path / "content"
    shutil.copytree(WELSH, content)
    theme = tmp_path / "themes" / "mine" / "locale"
    theme.mkdir(parents=True)
    (theme / "cy.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: cy\\n"\n\n'
        'msgid "Attendance"\nmsgstr "Attendance"\n\nmsgid "Upcoming meetings"\nmsgstr "Upcoming meetings"\n',
        encoding="utf-8",
    )
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "theme: mine\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-cache", "--no-search"]) == 0
    found = english_left(out, WELSH)
    assert "upcoming" in found["index.html"]
    assert "attendance" in found["meetings/2026-05-12-cyngor/index.html"]


def test_dates_times_numbers_and_sizes_follow_the_language(welsh_output: Path):
    meeting = (welsh_output / "meetings/2026-05-12-cyngor/index.html").read_text(encoding="utf-8")
    assert "Dydd Mawrth 12 Mai 2026" in meeting
    assert "7yh i 8.45yh" in meeting
    # after a preposition, the weekday takes its soft mutation ("ar ddydd Llun", not "ar Dydd Llun")
    pages = [path.read_text(encoding="utf-8") for path in welsh_output.rglob("*.html")]
    assert any("Diweddarwyd ddiwethaf ar ddydd " in text for text in pages)
    assert not any(f"{word} Dydd " in text for text in pages for word in ("ar", "tan", "o", "i"))
    assert "Ymddiheuriadau" in meeting and "Yn bresennol" in meeting
    register = (welsh_output / "decisions/index.html").read_text(encoding="utf-8")
    assert "Cymeradwywyd gyda diwygiadau" in register
    feed = (welsh_output / "feeds/decisions.atom").read_text(encoding="utf-8")
    assert "<title>Pob penderfyniad" in feed or "Penderfyniadau" in feed


def test_english_dates_and_times_are_british(example_output: Path):
    meeting = (example_output / "meetings/2011-11-16-cabinet/index.html").read_text(encoding="utf-8")
    assert "Wednesday 16 November 2011" in meeting and "6.30pm to 8.10pm" in meeting
    updated = re.compile(r"Last updated on (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d+ [A-Z]\w+ \d{4}\.")
    assert any(updated.search(path.read_text(encoding="utf-8")) for path in example_output.rglob("*.html"))


def test_a_theme_can_override_words_and_bring_a_language(site, cli, tmp_path: Path):
    content = site({"meetings/2026-01-14-council.yaml": "body: council\ndate: 2026-01-14\nstatus: held\n"})
    locale = tmp_path / "themes" / "civic" / "locale"
    locale.mkdir(parents=True)
    (locale / "en.po").write_text('msgid "Upcoming meetings"\nmsgstr "Coming up"\n', encoding="utf-8")
    (locale / "fr.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "Meetings"\nmsgstr "Réunions"\n\nmsgctxt "date format"\nmsgid "EEEE d MMMM y"\nmsgstr "EEEE d MMMM y"\n',
        encoding="utf-8",
    )
    site_yaml = content / "site.yaml"
    original = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(re.sub(r"(?m)^language:.*\n", "", original) + "theme: civic\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--no-cache").code == 0
    assert '<h2 id="upcoming-h">Coming up</h2>' in (out / "index.html").read_text(encoding="utf-8")
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "language: fr\n", encoding="utf-8")
    assert cli("build", "--content", content, "--output", out, "--no-search", "--no-cache").code == 0
    page = (out / "meetings/index.html").read_text(encoding="utf-8")
    assert "<h1>Réunions</h1>" in page and '<html lang="fr">' in page
    assert "mercredi 14 janvier 2026" in (out / "meetings/2026-01-14-council/index.html").read_text(encoding="utf-8")


def test_a_language_with_no_words_is_an_error_at_its_line(site, cli, tmp_path: Path):
    content = site({})
    site_yaml = content / "site.yaml"
    lines = [x for x in site_yaml.read_text(encoding="utf-8").splitlines() if not x.startswith("language:")]
    site_yaml.write_text("\n".join([*lines, "language: xh"]) + "\n", encoding="utf-8")
    result = cli("build", "--content", content, "--output", tmp_path / "out", "--no-search")
    assert result.code == 1 and not (tmp_path / "out").exists()
    line = len(lines) + 1
    assert f'site.yaml:{line}: sitegen has no words in the language "xh"' in result.err, result.err
    assert "themes/THEME/locale/xh.po" in result.err


def test_the_english_example_built_in_welsh_has_none_of_sitegens_english(tmp_path: Path):
    """Every kind of page and phrase the larger example has (amendments, votes, redirects,
    overdue, superseded and referred-back recommendations), built with language: cy."""
    import shutil

    from conftest import EXAMPLE

    from sitegen.cli import main

    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    site = content / "site.yaml"
    site.write_text(re.sub(r"(?m)^language:.*$", "language: cy", site.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-cache", "--no-search"]) == 0
    assert english_left(out, content) == {}
    moved = (out / "bodies/scrutiny-committee/index.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in moved and "Mae'r dudalen hon wedi symud" in moved


def test_a_bilingual_sites_english_pages_have_none_of_sitegens_welsh(welsh_output: Path):
    """The example is bilingual (languages: [cy, en]): its English pages, under /en/, speak
    English in sitegen's words, as its Welsh pages speak Welsh."""
    english_pages = list((welsh_output / "en").rglob("*.html"))
    assert len(english_pages) == len(
        [p for p in welsh_output.rglob("*.html") if "/en/" not in f"/{p.relative_to(welsh_output)}"]
    )
    assert english_left(welsh_output, WELSH, of="cy", page_language="en") == {}
    page = (welsh_output / "en/meetings/2026-05-12-cyngor/index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Tuesday 12 May 2026" in page and "7pm to 8.45pm" in page


def test_every_page_links_its_counterparts_and_the_sitemap_lists_them(welsh_output: Path):
    """The first language keeps the site's addresses, the other is under /en/; each page
    has a visible link to the same page in the other language, hreflang alternates to
    both, and the sitemap lists both with their alternates."""
    origin = "https://cyfarfodydd.llanfair-isaf.example.org"
    for rel in ["index.html", "meetings/2026-05-12-cyngor/grantiau/index.html", "decisions/awaiting/index.html"]:
        own = rel.removesuffix("index.html")
        welsh = (welsh_output / rel).read_text(encoding="utf-8")
        english = (welsh_output / "en" / rel).read_text(encoding="utf-8")
        assert f'<a href="/en/{own}" hreflang="en" lang="en">English</a>' in welsh
        assert f'<a href="/{own}" hreflang="cy" lang="cy">Cymraeg</a>' in english
        for page in (welsh, english):
            assert f'<link rel="alternate" hreflang="cy" href="{origin}/{own}">' in page
            assert f'<link rel="alternate" hreflang="en" href="{origin}/en/{own}">' in page
    sitemap = (welsh_output / "sitemap.xml").read_text(encoding="utf-8")
    root = ET.fromstring(sitemap)
    entries = root.findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
    locs = {e.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for e in entries}
    assert f"{origin}/meetings/2026-05-12-cyngor/" in locs and f"{origin}/en/meetings/2026-05-12-cyngor/" in locs
    for entry in entries:
        links = entry.findall("{http://www.w3.org/1999/xhtml}link")
        assert {x.get("hreflang") for x in links} == {"cy", "en"}


def test_texts_show_in_the_pages_language_or_marked_with_their_own(tmp_path: Path):
    """A text given only in Welsh shows on the English page in Welsh, with lang="cy" on its
    element; texts given in both show each in its own page's language."""
    import shutil

    from sitegen.cli import main

    content = tmp_path / "content"
    shutil.copytree(WELSH, content)
    meeting = content / "meetings/2026/2026-05-12-cyngor.md"
    text = meeting.read_text(encoding="utf-8")
    text = text.replace("      en: Grants to local organisations\n", "", 1)
    text = text.replace("          en: To give priority to organisations working with young people.\n", "", 1)
    meeting.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-cache", "--no-search"]) == 0
    english = (out / "en/meetings/2026-05-12-cyngor/grantiau/index.html").read_text(encoding="utf-8")
    assert '<h1><span class="number">4.</span> <span lang="cy">Grantiau i fudiadau lleol</span></h1>' in english
    assert '<div lang="cy"><p>Rhoi blaenoriaeth i fudiadau' in english
    assert "Resolved to award grants worth £3,000" in english  # (given in English)
    welsh = (out / "meetings/2026-05-12-cyngor/grantiau/index.html").read_text(encoding="utf-8")
    assert '<h1><span class="number">4.</span> Grantiau i fudiadau lleol</h1>' in welsh
    assert "Penderfynwyd rhoi grantiau" in welsh and "Resolved to award" not in welsh


def test_feeds_and_calendars_per_language_and_one_record_of_open_data(welsh_output: Path):
    import csv
    import io

    welsh = (welsh_output / "feeds/decisions.atom").read_text(encoding="utf-8")
    english = (welsh_output / "en/feeds/decisions.atom").read_text(encoding="utf-8")
    assert 'xml:lang="cy"' in welsh and 'xml:lang="en"' in english
    assert "Penderfynwyd rhoi grantiau" in welsh and "Resolved to award grants" in english
    assert (welsh_output / "en/calendar/meetings.ics").is_file() and (welsh_output / "calendar/meetings.ics").is_file()
    assert "LOCATION:Llanfair Isaf Village Hall" in (welsh_output / "en/calendar/meetings.ics").read_text(
        encoding="utf-8"
    )
    assert not (welsh_output / "en/data/record.json").exists()
    data = json.loads((welsh_output / "data/record.json").read_text(encoding="utf-8"))
    assert data["meta"]["languages"] == ["cy", "en"]
    item = data["events"][0]["agenda"][0]
    assert item["title"] == {
        "cy": "Cynnal a chadw llwybrau cyhoeddus",
        "en": "Maintenance of public footpaths",
    } or isinstance(item["title"], dict)
    import jsonschema

    jsonschema.validate(data, json.loads((i18n.LOCALE.parent / "schemas/record.schema.json").read_text()))
    rows = list(csv.DictReader(io.StringIO((welsh_output / "data/decisions.csv").read_text(encoding="utf-8"))))
    assert {"item_title_cy", "item_title_en", "text_cy", "text_en"} <= set(rows[0])
    grants = next(r for r in rows if r["item"] == "grantiau")
    assert grants["item_title_en"] == "Grants to local organisations"


def test_check_warns_once_per_file_of_untranslated_texts_and_strict_fails(tmp_path: Path, cli):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(WELSH, content)
    assert cli("check", "--strict", "--content", content).code == 0
    meeting = content / "meetings/2026/2026-05-12-cyngor.md"
    text = meeting.read_text(encoding="utf-8")
    text = text.replace("      en: Apologies for absence\n", "", 1).replace("      en: Report of the Clerk\n", "", 1)
    meeting.write_text(text, encoding="utf-8")
    result = cli("check", "--content", content)
    lines = [x for x in result.err.splitlines() if "lacks" in x or "lack " in x]
    assert lines == [
        "meetings/2026/2026-05-12-cyngor.md:19: warning: 2 texts lack a translation into en (the first is here); "
        "the page shows the text in the language it has, marked with that language"
    ], result.err
    assert cli("check", "--strict", "--content", content).code == 1
    # language keys as a clerk might type them: the one meant is suggested, and nothing said "empty"
    meeting.write_text(text.replace("      cy: Datganiadau", "      CY: Datganiadau", 1), encoding="utf-8")
    result = cli("check", "--content", content)
    assert '"title" is given in "CY", a language the site does not publish (cy, en); write it as "cy"' in result.err
    assert '"title" is empty' not in result.err, result.err
    # one lacks Welsh, the others English: "into cy or en", not as if each lacked both
    meeting.write_text(text.replace("      cy: Datganiadau o fuddiant\n", "", 1), encoding="utf-8")
    result = cli("check", "--content", content)
    assert "3 texts lack a translation into cy or en (the first is here)" in result.err, result.err
    meeting.write_text(text, encoding="utf-8")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("  en: Open Government", "  fr: Open Government"))
    result = cli("check", "--content", content)
    assert (
        result.code == 1
        and 'site.yaml:15: "licence" is given in "fr", a language the site does not publish' in result.err
    )


def test_the_preview_of_a_bilingual_site_follows_edits_in_either_language(tmp_path: Path):
    """sitegen serve's engine on the bilingual example: an edit of the English text only,
    of the Welsh only, a new language for a text and one taken away, each followed in both
    languages' pages byte for byte as a clean build writes them, and with the state kept."""
    import shutil

    from test_cli import snapshot

    from sitegen.build import build
    from sitegen.incremental import Project

    content = tmp_path / "content"
    shutil.copytree(WELSH, content)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    meeting = content / "meetings/2026/2026-09-08-pwyllgor-cynllunio.md"
    edits = [
        ("were broken.", "were broken beyond repair."),  # English only
        ("wedi torri.", "wedi torri'n llwyr."),  # Welsh only
        ("      en: Maintenance of public footpaths\n", ""),  # a translation taken away
        (
            "      cy: Cynnal a chadw llwybrau cyhoeddus\n",
            "      cy: Cynnal a chadw llwybrau cyhoeddus\n      en: Footpaths\n",
        ),
    ]
    for n, (old, new) in enumerate(edits, 1):
        text = meeting.read_text(encoding="utf-8")
        assert old in text, old
        meeting.write_text(text.replace(old, new, 1), encoding="utf-8")
        result = project.build()
        assert result.ok, result.problems
        clean = tmp_path / f"clean-{n}"
        build(content, clean, base_path=None, search=False)
        assert snapshot(out) == snapshot(clean), f"after edit {n}"
    page = (out / "en/meetings/2026-09-08-pwyllgor-cynllunio/llwybrau/index.html").read_text(encoding="utf-8")
    assert "beyond repair" in page and "Footpaths" in page


def test_a_site_without_a_title_is_named_in_each_language(tmp_path: Path):
    import shutil

    from sitegen.cli import main

    content = tmp_path / "content"
    shutil.copytree(WELSH, content)
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    start = text.index("title:")
    site.write_text(text[:start] + text[text.index("base_url:") :], encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-cache", "--no-search"]) == 0
    assert "<h1>Cyfarfodydd a phenderfyniadau Cyngor Cymuned Llanfair Isaf" in (out / "index.html").read_text()
    assert "<h1>Llanfair Isaf Community Council (sample data) meetings and decisions</h1>" in (
        out / "en/index.html"
    ).read_text(encoding="utf-8")


def test_the_preview_follows_a_site_becoming_bilingual(tmp_path: Path):
    """A site in one language compiles its addresses into the templates; made bilingual in
    the preview (site.yaml edited), its pages in both languages are as a clean build's."""
    from conftest import copy_example
    from test_cli import snapshot

    from sitegen.build import build
    from sitegen.incremental import Project

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    assert not (out / "cy").exists()
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "languages: [en-GB, cy]\n", encoding="utf-8")
    assert project.build().ok
    build(content, tmp_path / "clean", base_path=None, search=False)
    assert snapshot(out) == snapshot(tmp_path / "clean")
    assert 'href="/cy/meetings/"' in (out / "cy/index.html").read_text(encoding="utf-8")


def test_the_preview_follows_a_themes_words(tmp_path: Path):
    """The templates are compiled with their words in them: a theme's catalogue edited
    during the preview is followed on every page, as a clean build shows it."""
    from conftest import copy_example
    from test_cli import snapshot

    from sitegen.build import build
    from sitegen.incremental import Project

    content = copy_example(tmp_path)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("theme: default", "theme: mine"), encoding="utf-8")
    locale = tmp_path / "themes" / "mine" / "locale"
    locale.mkdir(parents=True)
    catalogue = locale / "en.po"
    catalogue.write_text('msgid "Upcoming meetings"\nmsgstr "Coming up"\n', encoding="utf-8")
    out = tmp_path / "out"
    project = Project(content, out)
    assert project.build().ok
    assert "Coming up" in (out / "index.html").read_text(encoding="utf-8")
    catalogue.write_text('msgid "Upcoming meetings"\nmsgstr "Next meetings"\n', encoding="utf-8")
    assert project.build().ok
    build(content, tmp_path / "clean", base_path=None, search=False)
    assert snapshot(out) == snapshot(tmp_path / "clean")
    assert "Next meetings" in (out / "index.html").read_text(encoding="utf-8")


def test_preview_edits_of_a_bilingual_site_keep_each_languages_addresses(tmp_path, monkeypatch):
    """A preview that keeps its compiled templates after an edit gives their macros the new
    build's filters: a Welsh page rendered again after a full load and a relink links to
    the Welsh pages, as a clean build's does."""
    import sys

    from test_incremental import same_as_clean

    from sitegen.incremental import Project

    monkeypatch.setenv("SITEGEN_TODAY", "2026-12-06")
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(80, content)
    project = Project(content, tmp_path / "preview")
    assert project.build().ok
    site = content / "site.yaml"
    site.write_text(site.read_text().replace("language: en-GB", "languages: [en, cy]"))
    assert project.build().ok
    files = sorted((content / "meetings").rglob("*.md"))
    text = files[29].read_text()
    files[29].write_text(re.sub(r"(?m)^    title: (.*)$", r"    title: \1 renamed", text, count=1))
    assert project.build().ok
    same_as_clean(content, tmp_path / "preview", tmp_path, 1)
    files[79].unlink()
    assert project.build().ok
    same_as_clean(content, tmp_path / "preview", tmp_path, 2)
    assert 'href="/cy/people/"' in (tmp_path / "preview" / "cy" / "index.html").read_text()


def test_no_message_is_written_inside_an_f_string():
    """Babel's extractor sees a message inside an f-string only on Python 3.12 and later (PEP
    701), so the catalogues would differ by Python version: messages are plain calls."""
    import ast

    found = []
    for path in sorted((ROOT / "sitegen").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    name = getattr(getattr(inner, "func", None), "id", "")
                    if isinstance(inner, ast.Call) and name in i18n.KEYWORDS:
                        found.append(f"{path.name}:{inner.lineno}")
    assert not found, found


def test_a_welsh_forward_plan_says_when_as_a_sentence_does(cli, site, tmp_path: Path):
    plan = (
        "- id: kd-1\n  title: Depot\n  decision_maker: cabinet\n  expected: 2027-01-20\n  first_published: 2026-11-01\n"
        "- id: kd-2\n  title: Parking\n  decision_maker: cabinet\n  expected: 2026-10\n  first_published: 2026-09-01\n"
    )
    content = site({"site.yaml": "authority: T\nlanguage: cy\n", "forward-plan.yaml": plan})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", "2026-12-06").code == 0
    html = (out / "forward-plan/index.html").read_text(encoding="utf-8")
    assert "disgwylir ddydd Mercher 20 Ionawr 2027" in html and "disgwylir Dydd" not in html
    assert "ym mis Hydref 2026" in (out / "forward-plan/kd-2/index.html").read_text(encoding="utf-8")


def test_a_feed_marks_a_text_not_in_its_language(cli, site, tmp_path: Path):
    meeting = (
        "body: cabinet\ndate: 2026-11-10\nitems:\n  - id: a\n    number: 1\n    title:\n      en: English only title\n"
    )
    content = site({"site.yaml": "authority: T\nlanguages: [cy, en]\n", "meetings/m.yaml": meeting})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", "2026-12-06").code == 0
    welsh = (out / "feeds/meetings.atom").read_text(encoding="utf-8")
    assert '1. &lt;span lang="en"&gt;English only title&lt;/span&gt;' in welsh
    assert "1. English only title" in (out / "en/feeds/meetings.atom").read_text(encoding="utf-8")
