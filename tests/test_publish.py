"""Feeds, calendars, open data, sitemap, redirects, CSP and search on the built example site."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import jsonschema
import pytest
import yaml
from conftest import BODIES, ROOT, SITE, page, write_site

BASE = "https://meetings.example.org/"


def test_meetings_and_decisions_feeds_parse(example_output: Path):
    for rel in [
        "feeds/meetings.atom",
        "feeds/decisions.atom",
        "feeds/bodies/cabinet/meetings.atom",
        "feeds/bodies/council/decisions.atom",
    ]:
        feed = feedparser.parse((example_output / rel).read_bytes())
        assert not feed.bozo, (rel, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.entries, rel
        assert all(e.link.startswith(BASE) for e in feed.entries)
    meetings = feedparser.parse((example_output / "feeds/meetings.atom").read_bytes())
    ids = [e.id for e in meetings.entries]
    assert len(ids) == len(set(ids))
    cabinet = [e for e in meetings.entries if e.link == BASE + "meetings/2011-11-16-cabinet/"][0]
    assert cabinet.title == "Cabinet, Wednesday 16 November 2011: approved minutes"
    decisions = feedparser.parse((example_output / "feeds/bodies/cabinet/decisions.atom").read_bytes())
    rec = [
        e
        for e in decisions.entries
        if e.link == BASE + "meetings/2011-11-16-cabinet/strategic-commissioning/#decision-2"
    ][0]
    assert "Approved by Council on 7 December 2011" in rec.content[0].value


def test_feeds_are_linked_from_pages(example_output: Path):
    home = page(example_output, "/")
    assert '<link rel="alternate" type="application/atom+xml"' in home and "/feeds/decisions.atom" in home
    body = page(example_output, "/bodies/cabinet/")
    assert "/feeds/bodies/cabinet/meetings.atom" in body and "/calendar/bodies/cabinet.ics" in body
    assert "/calendar/meetings.ics" in page(example_output, "/meetings/")


def events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_calendar_times_uids_and_cancellations(example_output: Path):
    everything = events(example_output / "calendar/meetings.ics")
    july = everything["2012-07-11-planning@meetings.example.org"]
    start = july.decoded("dtstart")
    assert start.astimezone(dt.UTC).time() == dt.time(17, 30)  # 6.30pm BST
    november = everything["2011-11-16-cabinet@meetings.example.org"].decoded("dtstart")
    assert november.astimezone(dt.UTC).time() == dt.time(18, 30)  # 6.30pm GMT
    assert str(everything["2012-08-08-planning@meetings.example.org"]["status"]) == "CANCELLED"
    assert str(everything["2012-08-08-planning@meetings.example.org"]["summary"]).startswith("Cancelled: ")
    cabinet = everything["2011-11-16-cabinet@meetings.example.org"]
    assert str(cabinet["url"]) == BASE + "meetings/2011-11-16-cabinet/"
    assert "Council Chamber" in str(cabinet["location"])
    assert "VTIMEZONE" in (example_output / "calendar/meetings.ics").read_text()
    body = events(example_output / "calendar/bodies/cabinet.ics")
    assert body and all(uid.split("@")[0].endswith("cabinet") for uid in body)


def test_an_upcoming_meeting_has_a_calendar_file_of_its_own(example_output: Path, cli, tmp_path, monkeypatch):
    """A resident adds one meeting to a calendar from its page; a past meeting offers none."""
    upcoming = "2027-01-20-cabinet"
    html = page(example_output, f"/meetings/{upcoming}/")
    link = re.search(r'<a href="([^"]+)" download>Add this meeting to your calendar</a>', html)
    assert link and link.group(1) == f"/calendar/meetings/{upcoming}.ics"
    (only,) = events(example_output / link.group(1).lstrip("/")).values()
    assert str(only["uid"]) == f"{upcoming}@meetings.example.org"
    assert only.decoded("dtstart").date() == dt.date(2027, 1, 20)
    assert sorted(p.name for p in (example_output / "calendar/meetings").iterdir()) == [f"{upcoming}.ics"]
    assert "Add this meeting to your calendar" not in page(example_output, "/meetings/2011-11-16-cabinet/")
    # the day after, the meeting is past: neither the link nor the file
    from conftest import EXAMPLE

    later = tmp_path / "later"
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-21")
    assert cli("build", "--content", EXAMPLE, "--output", later, "--no-search", "--no-cache").code == 0
    assert not (later / "calendar/meetings").exists()
    assert "Add this meeting to your calendar" not in page(later, f"/meetings/{upcoming}/")


def test_calendars_are_exactly_what_icalendar_writes(cli, site, tmp_path):
    """Short lines are copied without icalendar's folding: each file must still be what
    icalendar writes for the calendar it reads back, at the 75-octet boundary too."""
    places = ["x" * 60, "x" * 63, "y" * 64, "Hall é" + "z" * 59, "Salle " + "é" * 40, "a\\,b" * 20]
    # long ASCII lines are folded by sitegen: put an escape (a backslash) or a caret
    # on each side of the fold points of the first and second pieces
    places += ["q" * k + ",r" * 5 + "s" * 80 for k in (61, 62, 63, 64)]
    places += ["t" * k + "^u" + "v" * 70 + ";w" for k in (62, 63, 64)]
    files = {
        f"meetings/2024-01-{i + 1:02}-cabinet.yaml": f"body: cabinet\ndate: 2024-01-{i + 1:02}\nstart: '18:00'\n"
        f"location: {json.dumps(place)}\nitems:\n  - id: a\n    title: {json.dumps(place)}\n"
        for i, place in enumerate(places)
    }
    out = tmp_path / "out"
    run = cli("build", "--no-search", "--content", site(files), "--output", out)
    assert run.code == 0, run.err
    data = (out / "calendar/meetings.ics").read_bytes()
    assert icalendar.Calendar.from_ical(data).to_ical() == data
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    located = {str(e["location"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert located == set(places)


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_events_are_what_icalendar_makes_of_each_meeting(cli, site, tmp_path, zone):
    """Each event is written without icalendar's Event, faster: it must be byte for byte
    what icalendar's Event.add and to_ical give for the same meeting, in any time zone."""
    bodies = BODIES + '- id: odd\n  name: "Licensing; Appeals, Sub\\\\Committee"\n  kind: committee\n'
    meetings = [  # (body, date, start, end, status, location, item titles)
        ("cabinet", "2024-03-30", "18:00", "20:30", None, "Town Hall", ["Budget", "Rents, fees; charges"]),
        ("cabinet", "2024-03-31", "01:30", "03:15", None, "Room\\B", ["Clocks change"]),
        ("cabinet", "2024-04-01", "10:00", None, None, "Annexe\rWest", ["Rooms"]),
        # in London the clocks go back that night: 01:30 to 01:00 (the hour repeated) is half an hour
        (
            "council",
            "2024-10-27",
            "01:30",
            "01:00" if zone == "Europe/London" else "01:45",
            "postponed",
            "Hall é, Room\\2",
            [],
        ),
        ("audit", "2024-06-01", None, None, "cancelled", "Room 1\nAnnexe", ["Accounts"]),
        ("odd", "2025-01-02", "09:05", None, None, "x" * 90, ["y" * 100]),
        ("audit", "0999-03-04", "10:00", "11:00", None, "", ["A year mistyped"]),  # still a valid line
        ("audit", "0998-03-04", None, None, None, "", ["Another"]),
    ]
    files = {"site.yaml": SITE.replace("Europe/London", zone), "bodies.yaml": bodies}
    for body, date, start, end, status, location, titles in meetings:
        text = f"body: {body}\ndate: {date}\n"
        text += f"start: '{start}'\n" if start else ""
        text += f"end: '{end}'\n" if end else ""
        text += f"status: {status}\n" if status else ""
        text += f"location: {json.dumps(location)}\n" if location else ""
        text += "items:\n" + "".join(f"  - id: i{n}\n    title: {json.dumps(t)}\n" for n, t in enumerate(titles))
        files[f"meetings/{date}-{body}.yaml"] = text if titles else text.replace("items:\n", "items: []\n")
    out = tmp_path / "out"
    run = cli("build", "--no-search", "--content", site(files), "--output", out)
    assert run.code == 0, run.err
    # 01:30 on the night the clocks go forward never comes: a warning at its line
    skipped = "2024-03-31-cabinet.yaml:3: warning: start 01:30 on 2024-03-31 does not exist in Europe/London"
    assert (skipped in run.err) == (zone == "Europe/London"), run.err
    assert "2024-10-27-council.yaml:3: warning" not in run.err  # (the hour repeated when they go back: it exists)
    data = (out / "calendar/meetings.ics").read_bytes()
    tz = ZoneInfo(zone)
    names = {"cabinet": "Cabinet", "council": "Council", "audit": "Audit Committee"}
    names["odd"] = "Licensing; Appeals, Sub\\Committee"
    expected = []
    for body, date, start, end, status, location, titles in meetings:
        day = dt.date.fromisoformat(date)
        mid = f"{date}-{body}"
        url = f"https://meetings.test.example/meetings/{mid}/"
        event = icalendar.Event()
        event.add("uid", f"{mid}@meetings.test.example")
        event.add("summary", {"cancelled": "Cancelled: ", "postponed": "Postponed: "}.get(status, "") + names[body])
        if start:
            begins = dt.time.fromisoformat(start)
            event.add("dtstart", dt.datetime.combine(day, begins, tz))
            if end and dt.time.fromisoformat(end) > begins:
                event.add("dtend", dt.datetime.combine(day, dt.time.fromisoformat(end), tz))
        else:
            event.add("dtstart", day)
        event.add("dtstamp", dt.datetime.combine(day, dt.time(0), dt.UTC))
        if location:
            event.add("location", location)
        event.add("url", url)
        event.add("status", {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}.get(status, "CONFIRMED"))
        items = "\n".join(f"- {t}" for t in titles)
        expected.append((event, items, url))
    written = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(written) == len(expected)
    blocks = [b"BEGIN:VEVENT" + block for block in data.split(b"BEGIN:VEVENT")[1:]]
    blocks[-1] = blocks[-1].replace(b"END:VCALENDAR\r\n", b"")
    by_uid = {str(e["uid"]): block for e, block in zip(written, blocks, strict=True)}
    for event, items, url in expected:
        mine = by_uid[str(event["uid"])]
        words = str(
            icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + mine + b"END:VCALENDAR\r\n").walk("VEVENT")[0][
                "description"
            ]
        )
        assert words.split(". ", 1)[1].startswith(url) and words.endswith(items)
        event.add("description", words)
        assert mine == event.to_ical()


def test_record_json_follows_its_schema(example_output: Path):
    record = json.loads((example_output / "data/record.json").read_text())
    schema = json.loads((example_output / "data/schema.json").read_text())
    jsonschema.validate(record, schema)
    events_by_id = {e["id"]: e for e in record["events"]}
    item = next(i for i in events_by_id["2011-11-16-cabinet"]["agenda"] if i["id"] == "strategic-commissioning")
    rec2 = next(d for d in item["decisions"] if d["number"] == "2")
    assert rec2["status"] == "approved" and rec2["to_organization_id"] == "council"
    assert rec2["outcomes"][0]["decision_id"] == "2011-12-07-council/strategic-commissioning/1"
    exempt = next(i for i in events_by_id["2012-01-18-cabinet"]["agenda"] if i["id"] == "mill-lane-depot")
    assert exempt["exempt"] is True and "minutes" not in exempt and "decisions" not in exempt
    assert {o["id"] for o in record["organizations"]} >= {"council", "cabinet"}
    assert record["meta"]["licence"] == "Open Government Licence v3.0"


def test_decisions_csv(example_output: Path):
    rows = list(csv.DictReader(io.StringIO((example_output / "data/decisions.csv").read_text())))
    assert list(rows[0].keys()) == [
        "meeting",
        "date",
        "body",
        "item",
        "item_title",
        "number",
        "type",
        "to",
        "status",
        "outcome",
        "deciding_meeting",
        "key",
        "published",
        "call_in_until",
        "call_in_status",
        "text",
        "url",
        "state",
    ]
    rec = next(r for r in rows if r["meeting"] == "2011-11-16-cabinet" and r["number"] == "3")
    assert rec["type"] == "recommendation" and rec["to"] == "council" and rec["outcome"] == "amended"
    assert rec["item_title"] == "Strategic commissioning" and "£80,000" in rec["text"]
    assert rec["deciding_meeting"] == "2011-12-07-council"
    assert rec["state"] == "amended" and rec["status"].startswith("Approved with amendments")  # the code, and the words
    assert {r["state"] for r in rows if r["type"] == "resolution"} == {""}
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert "licence" in page(example_output, "/data/").lower() or "Licence" in page(example_output, "/data/")


def test_sitemap_robots_canonical(example_output: Path):
    sitemap = (example_output / "sitemap.xml").read_text()
    assert f"<loc>{BASE}meetings/2011-11-16-cabinet/strategic-commissioning/</loc>" in sitemap
    assert "404.html" not in sitemap
    assert f"Sitemap: {BASE}sitemap.xml" in (example_output / "robots.txt").read_text()
    assert f'<link rel="canonical" href="{BASE}meetings/2011-11-16-cabinet/">' in page(
        example_output, "/meetings/2011-11-16-cabinet/"
    )


def test_aliases_redirect(example_output: Path):
    redirects = (example_output / "_redirects").read_text().splitlines()
    assert "/meetings/2011-12-07-full-council/ /meetings/2011-12-07-council/ 301" in redirects
    assert "/people/cllr-g-rhys/ /people/cllr-g-ap-rhys/ 301" in redirects
    old = page(example_output, "/meetings/2011-12-07-full-council/")
    assert 'http-equiv="refresh" content="0; url=/meetings/2011-12-07-council/"' in old
    assert '<a href="/meetings/2011-12-07-council/">' in old


def csp() -> dict[str, str]:
    config = tomllib.loads((ROOT / "netlify.toml").read_text())
    headers = next(h for h in config["headers"] if h["for"] == "/*")["values"]
    policy = {}
    for part in headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = " ".join(values)
    return policy


def test_netlify_toml_publishes_output_with_security_headers():
    config = tomllib.loads((ROOT / "netlify.toml").read_text())
    assert config["build"]["publish"] == "output"
    assert "sitegen build" in config["build"]["command"]
    assert config["build"]["environment"]["PYTHON_VERSION"]
    values = next(h for h in config["headers"] if h["for"] == "/*")["values"]
    for name in ["X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"]:
        assert values[name]
    policy = csp()
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in " ".join(policy.values())
    cached = [h for h in config["headers"] if "immutable" in h["values"].get("Cache-Control", "")]
    assert [h["for"] for h in cached] == ["/static/*"]


def test_every_page_works_under_the_csp(example_output: Path):
    policy = csp()
    assert policy["script-src"].split()[0] == "'self'" and policy["style-src"] == "'self'"
    pages = sorted(example_output.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        html = path.read_text()
        rel = path.relative_to(example_output)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script in {rel}"
        assert "<style" not in html, f"inline <style> in {rel}"
        assert not re.search(r"\sstyle=", html), f"style attribute in {rel}"
        assert not re.search(r"\son[a-z]+=", html), f"event handler attribute in {rel}"
        for src in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith("/") or src.startswith(BASE), f"{rel} loads {src} from elsewhere"
    # only fingerprinted files live under /static/
    for path in (example_output / "static").rglob("*"):
        if path.is_file():
            assert re.search(r"\.[0-9a-f]{10}\.(css|js|svg)$", path.name), path.name


def test_search_index_and_page(example_output: Path):
    assert (example_output / "pagefind" / "pagefind-ui.js").is_file()
    assert (example_output / "pagefind" / "pagefind-entry.json").is_file()
    html = page(example_output, "/search/")
    assert "<noscript>" in html and "Search needs JavaScript" in html
    assert '<a href="/meetings/">' in html


def test_no_search_skips_pagefind(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    out = tmp_path / "out"
    assert cli("build", "--no-search", "--content", content, "--output", out).code == 0
    assert not (out / "pagefind").exists() and (out / "search" / "index.html").is_file()


def test_schema_command_and_new_meeting_modeline(cli, site):
    result = cli("schema")
    paths = [Path(line) for line in result.out.split()]
    assert {p.name for p in paths} == {
        "meeting.schema.json",
        "bodies.schema.json",
        "people.schema.json",
        "decision.schema.json",
        "forward-plan.schema.json",
    }
    for p in paths:
        json.loads(p.read_text())
    content = site({})
    made = Path(cli("new", "meeting", "cabinet", "2027-05-05", "--content", content).out.strip())
    first = made.read_text().splitlines()[1]
    assert first == "# yaml-language-server: $schema=../../.schemas/meeting.schema.json"
    assert (made.parent / "../../.schemas/meeting.schema.json").resolve().is_file()


def plain(value):  # type: ignore[no-untyped-def]
    from sitegen.load import Num

    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Num):
        return int(value) if value.as_int() is not None else float(value)
    return value


def test_editor_schema_accepts_the_example_meetings():
    from sitegen.errors import Problems
    from sitegen.load import read_meeting

    schema = json.loads((ROOT / "sitegen/schemas/meeting.schema.json").read_text())
    paths = sorted((ROOT / "content/meetings").rglob("*.*"))
    assert len(paths) > 10
    for path in paths:
        source = read_meeting(path, path.name, Problems())
        data = plain(source.data)
        if source.notes:
            data["notes"] = source.notes
        jsonschema.validate(data, schema)
    for name in ("bodies", "people"):
        from sitegen.load import read_yaml

        data = plain(read_yaml(ROOT / f"content/{name}.yaml", name, Problems()))
        jsonschema.validate(data, json.loads((ROOT / f"sitegen/schemas/{name}.schema.json").read_text()))


def test_addresses_are_spelt_only_in_urls_py():
    """Every address, feed path and output path comes from sitegen/urls.py: no other module
    or template spells one (a feed's entry ids, which must never change, excepted)."""
    import re

    from conftest import ROOT

    spelt = re.compile(
        r"[\"'](?:meetings|bodies|people|issues|decisions|feeds|calendar|data|pagefind|search|static)/|\|url \}\}\{\{"
    )
    found = []
    sources = [*(ROOT / "sitegen").glob("*.py"), *(ROOT / "themes" / "default" / "templates").glob("*.html")]
    for path in sources:
        if path.name == "urls.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if spelt.search(line) and "tag:" not in line and not line.lstrip().startswith(("#", '"""')):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


def test_one_table_of_states_feeds_words_classes_and_schemas():
    """model.STATES owns a recommendation's states: every one has words and a tone the
    stylesheet marks, and the shipped JSON Schemas are what sitegen.schema writes from the
    model's and the reader's tables (run `python -m sitegen.schema` after changing them)."""
    import re

    from conftest import ROOT

    from sitegen import model as m
    from sitegen import present, schema

    assert set(present.STATE_WORDS) == set(m.STATES)
    css = (ROOT / "themes/default/static/style.css").read_text()
    for state in m.STATES.values():
        assert re.search(rf"\.tone-{state.tone} \{{", css), state
    assert m.OUTCOMES == ("approved", "amended", "rejected", "deferred", "referred-back", "withdrawn", "noted")
    for name in schema.NAMES:
        shipped = (schema.FOLDER / f"{name}.schema.json").read_text(encoding="utf-8")
        assert schema.generate(name) == shipped, f"run: python -m sitegen.schema ({name})"
    record = json.loads((schema.FOLDER / "record.schema.json").read_text())
    assert record["$defs"]["decision"]["properties"]["status"]["enum"] == [*m.STATES, None]


def test_the_reader_requires_what_the_declaration_requires(tmp_path):
    """Every key sitegen/fields.py declares required (and so the editors' schemas) is one the
    reader reports missing, at its file, when a clerk leaves it out."""

    from sitegen import fields
    from sitegen.cli import main

    person = {"id": "p", "name": "P"}
    decides = {"ref": "m/a/1", "outcome": "approved"}
    money = {"amount": 5000, "kind": "one-off"}
    decision = {"id": "2", "text": "Agreed.", "decides": [decides], "money": [money]}
    item = {
        "id": "a",
        "title": "A",
        "interests": [{"person": "p"}],
        "documents": [{"title": "T", "href": "https://example.org/t"}],
        "decisions": [{"id": "1", "text": "Agreed."}, decision],
    }
    meeting = {
        "body": "cabinet",
        "date": "2011-11-16",
        "items": [item],
        "documents": [{"title": "T", "href": "https://example.org/t"}],
    }
    body = {"id": "extra", "name": "Extra", "kind": "panel"}
    issue = {"id": "i", "title": "I"}
    call_in = {"called_in": "2011-11-20", "by": ["p"]}
    made = {
        "date": "2011-11-16",
        "decision_maker": "p",
        "title": "D",
        "text": "Agreed.",
        "published": "2011-11-17",
        "call_in": call_in,
    }
    entry = {"id": "kd-1", "title": "K", "decision_maker": "p", "expected": "2011-12", "first_published": "2011-10-01"}
    # where each declared object sits in a site: its file, and the mapping in it
    places = {
        fields.MEETING: ("meetings/m.yaml", meeting),
        fields.ITEM: ("meetings/m.yaml", item),
        fields.DECISION: ("meetings/m.yaml", decision),
        fields.DECIDES: ("meetings/m.yaml", decides),
        fields.MONEY: ("meetings/m.yaml", money),
        fields.INTEREST: ("meetings/m.yaml", item["interests"][0]),
        fields.DOCUMENT: ("meetings/m.yaml", meeting["documents"][0]),
        fields.BODY: ("bodies.yaml", body),
        fields.PERSON: ("people.yaml", person),
        fields.ISSUE: ("issues.yaml", issue),
        fields.DECISION_FILE: ("decisions/d.yaml", made),
        fields.CALL_IN: ("decisions/d.yaml", call_in),
        fields.PLAN_ENTRY: ("forward-plan.yaml", entry),
    }
    declared = {obj for obj in vars(fields).values() if isinstance(obj, fields.Obj) and obj.required}
    assert declared <= places.keys(), "a new object with required keys: place it here"
    for n, (obj, (rel, mapping)) in enumerate(places.items()):
        for key in obj.required:
            value = mapping.pop(key)
            try:
                bodies = yaml.safe_load(BODIES) + [body]
                files = {
                    "bodies.yaml": yaml.safe_dump(bodies, sort_keys=False),
                    "people.yaml": yaml.safe_dump([person], sort_keys=False),
                    "issues.yaml": yaml.safe_dump([issue], sort_keys=False),
                    "meetings/m.yaml": yaml.safe_dump(meeting, sort_keys=False),
                    "decisions/d.yaml": yaml.safe_dump(made, sort_keys=False),
                    "forward-plan.yaml": yaml.safe_dump([entry], sort_keys=False),
                }
                content = write_site(tmp_path / f"{n}-{key}", files)
                out = io.StringIO()
                with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
                    code = main(["check", "--content", str(content)])
                said = out.getvalue()
                assert code == 1 and f'missing "{key}"' in said and rel in said, (obj.what, key, said)
            finally:
                mapping[key] = value
