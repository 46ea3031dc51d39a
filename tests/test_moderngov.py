"""`sitegen import moderngov` against a fake ModernGov web service (a local HTTP server over
the fixture files in tests/moderngov/), entirely offline."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import subprocess
import sys
import threading
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import page

from sitegen import moderngov

FIXTURES = Path(__file__).resolve().parent / "moderngov"

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<committees><committee><committeeid>1</committeeid><committeetitle>&lol3;</committeetitle></committee></committees>"""


class Fake(http.server.BaseHTTPRequestHandler):
    """The web service at /moderngov/ (a sub-path, as some councils have it); under /broken/
    every answer is a web page, under /badxml/ not XML, under /bomb/ an entity bomb."""

    asked: Counter = Counter()  # (the path and query) -> times asked
    fail_once: set[str] = set()  # operations answered 500 the first time
    fail_always: set[str] = set()  # queries answered 500 every time
    agents: set[str] = set()
    root: Path = FIXTURES  # the fixture files served (a test may serve a changed copy)

    def log_message(self, *args: object) -> None:  # (quiet)
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        Fake.asked[self.path] += 1
        Fake.agents.add(self.headers.get("User-Agent", ""))
        prefix, _, rest = parts.path.lstrip("/").partition("/")
        operation = rest.rsplit("/", 1)[-1]
        if prefix == "broken":
            return self.send(200, b"<!DOCTYPE html><html><body>Runtime Error</body></html>", "text/html")
        if prefix == "badxml":
            return self.send(200, b"<?xml version='1.0'?><committees><committee>", "text/xml")
        if prefix == "bomb":
            return self.send(200, BOMB, "text/xml")
        key = f"{operation}?{parts.query}"
        if key in Fake.fail_always or (operation in Fake.fail_once and Fake.asked[self.path] == 1):
            return self.send(500, b"<html><body>Server Error</body></html>", "text/html")
        if operation in ("GetCommittees", "GetCouncillorsByWard"):
            return self.send(200, (Fake.root / f"{operation}.xml").read_bytes(), "text/xml")
        if operation == "GetMeetings":
            start = _day(query["sFromDate"])
            end = _day(query["sToDate"])
            listed = json.loads((Fake.root / "meetings.json").read_text())[query["lCommitteeId"]]
            rows = "".join(
                f"<meeting><meetingid>{mid}</meetingid><meetingdate>{when}</meetingdate>"
                "<meetingstatus>Confirmed</meetingstatus><meetingtime>10.00 am</meetingtime></meeting>"
                for mid, when in listed
                if moderngov.day(when) is None or start <= moderngov.day(when) <= end  # (an odd date: always)
            )
            body = f"<?xml version='1.0'?><getmeetings><committee><committeemeetings>{rows}</committeemeetings></committee></getmeetings>"
            return self.send(200, body.encode(), "text/xml")
        if "to" in query and parts.path.endswith(".pdf"):  # (a redirect to the address given)
            self.send_response(302)
            self.send_header("Location", query["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if parts.path.endswith(".pdf"):
            return self.send(200, b"%PDF-1.4 the report", "application/pdf")
        if operation == "GetMeeting":
            path = Fake.root / f"meeting-{query['lMeetingId']}.xml"
            if path.is_file():
                return self.send(200, path.read_bytes(), "text/xml")
        return self.send(404, b"<html><body>Not found</body></html>", "text/html")

    def send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _day(value: str) -> dt.date:
    d, m, y = value.split()[0].split("/")
    return dt.date(int(y), int(m), int(d))


@pytest.fixture
def service():
    Fake.asked, Fake.fail_once, Fake.fail_always, Fake.agents = Counter(), set(), set(), set()
    Fake.root = FIXTURES
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_import(cli, base: str, content: Path, *more: str):
    return cli("import", "moderngov", base, "--content", content, "--from", "2026-09-01", "--to", "2027-02-28",
               "--delay", "0", *more)  # fmt: skip


def files(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def test_an_import_checks_builds_and_keeps_what_the_service_says(cli, service, tmp_path):
    Fake.fail_once = {"GetMeeting"}  # every meeting's first answer is a 500: the retry succeeds
    content = tmp_path / "content"
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    assert "sitegen check: ok" in result.out
    assert all(agent.startswith("sitegen-import/") for agent in Fake.agents)
    # bodies: slugs of the titles, kinds guessed, the deleted committee left out
    bodies = yaml.safe_load((content / "bodies.yaml").read_text())
    assert [(b["id"], b["kind"]) for b in bodies] == [
        ("cabinet", "executive"),
        ("council", "council"),
        ("staff-and-support-services-committee", "committee"),
    ]
    people = {p["id"]: p for p in yaml.safe_load((content / "people.yaml").read_text())}
    assert people["cllr-rhodri-o-brien"]["name"] == "Councillor Rhodri O'Brien"  # decoded twice
    assert people["cllr-jane-smith"] == {
        "id": "cllr-jane-smith", "name": "Councillor Jane Smith", "role": "member", "party": "Labour", "ward": "Castle",
    }  # fmt: skip
    names = sorted(p.relative_to(content).as_posix() for p in (content / "meetings").rglob("*.yaml"))
    assert names == [
        "meetings/2026/2026-09-24-cabinet.yaml",
        "meetings/2026/2026-09-24-staff-and-support-services-committee-2.yaml",
        "meetings/2026/2026-09-24-staff-and-support-services-committee.yaml",
        "meetings/2026/2026-10-12-staff-and-support-services-committee.yaml",
        "meetings/2026/2026-10-15-council.yaml",
        "meetings/2026/2026-10-22-cabinet.yaml",
        "meetings/2027/2027-01-14-cabinet.yaml",
    ]
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    assert cabinet["start"] == "10:00" and cabinet["status"] == "held" and cabinet["record"] == "draft"
    assert cabinet["chair"] == "cllr-jane-smith" and cabinet["present"] == ["cllr-jane-smith"]
    assert cabinet["apologies"] == ["cllr-rhodri-o-brien"]  # ("Expected" records nothing)
    assert cabinet["source"].endswith("/moderngov/ieListDocuments.aspx?CId=1&MId=1001")
    items = {i["id"]: i for i in cabinet["items"]}
    assert "part-a-items-in-public" not in items  # a heading
    assert items["chair-s-announcements"]["title"] == "Chair's announcements"
    leisure = items["leisure-centre-charges"]
    assert leisure["number"] == "5"  # ("5." as printed)
    minutes = leisure["minutes"]
    assert "introduced the report. The charges had not changed since April 2025." in minutes  # the hard break goes
    assert (
        "- Energy costs had risen by **20 per cent**;" in minutes and "- *concessions* would be unchanged." in minutes
    )
    assert "| Adult swim | £5.20 |" in minutes
    for debris in ("Mso", "&nbsp;", "\xa0", "·", "<", "javascript", "alert", "tracker", "o:p"):
        assert debris not in minutes, debris
    assert [d["id"] for d in leisure["decisions"]] == ["1", "2"]
    assert leisure["decisions"][1]["text"] == "That the Head of Leisure review the charges in a year."
    assert cabinet["in_attendance"] == ["dana-reeve"]
    assert leisure["documents"] == [
        {
            "title": "Report of the Head of Leisure",
            "href": service + "/moderngov/documents/s123/Leisure%20charges%20report.pdf",
        }
    ]  # (the restricted appendix is not listed)
    budget = items["budget-2027-28"]["decisions"][0]
    assert budget["type"] == "recommendation" and budget["to"] == "council"
    mill = items["land-at-mill-lane"]
    assert mill["exempt"] and set(mill) == {"id", "number", "title", "source", "exempt"}
    # Council considered and approved Cabinet's recommendation: linked, and marked so
    council = yaml.safe_load((content / "meetings/2026/2026-10-15-council.yaml").read_text())
    item = council["items"][0]
    assert item["considers"] == ["2026-09-24-cabinet/budget-2027-28/1"] and item["inferred"] is True
    assert item["decisions"][0]["decides"] == [{"ref": "2026-09-24-cabinet/budget-2027-28/1", "outcome": "approved"}]
    assert "linked automatically: 1 recommendations" in result.out
    cancelled = yaml.safe_load((content / "meetings/2026/2026-10-22-cabinet.yaml").read_text())
    assert cancelled["status"] == "cancelled" and "location" not in cancelled
    coming = yaml.safe_load((content / "meetings/2027/2027-01-14-cabinet.yaml").read_text())
    assert (
        coming["status"] == "scheduled"
        and coming["start"] == "18:30"
        and "Rescheduled from 7 January 2027" in coming["notes"]
    )
    # the staff committee's minutes of 24 September are approved: a later meeting published its own
    staff = yaml.safe_load((content / "meetings/2026/2026-09-24-staff-and-support-services-committee.yaml").read_text())
    later = yaml.safe_load((content / "meetings/2026/2026-10-12-staff-and-support-services-committee.yaml").read_text())
    assert staff["record"] == "approved" and later["record"] == "draft"
    # no restricted word anywhere
    for rel, data in files(content).items():
        assert b"SECRET" not in data, rel
    # the site builds, links to the original record, and says what was linked automatically
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    meeting_page = page(out, "/meetings/2026-09-24-cabinet/")
    assert "Original record" in meeting_page and "ieListDocuments.aspx?CId=1&amp;MId=1001" in meeting_page
    item_page = page(out, "/meetings/2026-10-15-council/budget-2027-28-recommendation-from-cabinet/")
    assert "linked automatically" in item_page
    assert "Approved by Council" in page(out, "/meetings/2026-09-24-cabinet/budget-2027-28/")


def test_a_second_import_changes_nothing_and_keeps_what_a_person_edited(cli, service, tmp_path):
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov", content).code == 0
    first = files(content)
    asked = sum(Fake.asked.values())
    again = run_import(cli, service + "/moderngov", content)
    assert again.code == 0, again.err
    assert files(content) == first
    assert "0 files written" in again.out and "0 answers from the server" in again.out  # from the cache
    assert sum(Fake.asked.values()) == asked
    # a person corrects a meeting; the next import keeps it, and says so
    edited = content / "meetings/2026/2026-10-15-council.yaml"
    edited.write_text(edited.read_text().replace("inferred: true\n", ""))
    kept = edited.read_bytes()
    third = run_import(cli, service + "/moderngov", content)
    assert third.code == 0
    assert edited.read_bytes() == kept
    assert "kept meetings/2026/2026-10-15-council.yaml: changed by hand" in third.out
    # a person's own people.yaml (a councillor left out): the import keeps it, and checks
    people = content / "people.yaml"
    entries = [p for p in yaml.safe_load(people.read_text()) if p["id"] != "cllr-rhodri-o-brien"]
    people.write_text(yaml.safe_dump(entries, sort_keys=False))
    fourth = run_import(cli, service + "/moderngov", content)
    assert fourth.code == 0, fourth.err + fourth.out
    assert "not in people.yaml (changed by hand): cllr-rhodri-o-brien" in fourth.out
    assert "cllr-rhodri-o-brien" not in (content / "meetings/2026/2026-09-24-cabinet.yaml").read_text()
    # a file the person deletes comes back; one they made is never touched
    (content / "meetings/2026/2026-10-22-cabinet.yaml").unlink()
    mine = content / "meetings/2026/2026-11-01-cabinet.yaml"
    mine.write_text("body: cabinet\ndate: 2026-11-01\n")
    assert run_import(cli, service + "/moderngov", content).code == 0
    assert (content / "meetings/2026/2026-10-22-cabinet.yaml").read_bytes() == first[
        "meetings/2026/2026-10-22-cabinet.yaml"
    ]
    assert mine.read_text() == "body: cabinet\ndate: 2026-11-01\n"


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        ("/broken/", "the server answered with a web page, not the web service's XML"),
        ("/badxml/", "the answer is not well-formed XML"),
        ("/bomb/", "the XML was refused"),
    ],
)
def test_a_wrong_answer_is_one_line(cli, service, tmp_path, prefix, said):
    result = run_import(cli, service + prefix, tmp_path / "content")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert lines[0].startswith("sitegen import: GetCommittees at http://127.0.0.1:") and said in lines[0]


def test_a_server_that_fails_midway_keeps_what_came_and_a_rerun_continues(cli, service, tmp_path):
    content = tmp_path / "content"
    Fake.fail_always = {"GetMeeting?lMeetingId=2001"}
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 1 and "GetMeeting at" in result.err and "500" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out.count("trying again") == 4 and "" not in result.out.splitlines()  # (no blank last retry)
    assert not (content / "meetings/2026/2026-10-15-council.yaml").exists()
    asked = Counter(Fake.asked)
    Fake.fail_always = set()
    assert run_import(cli, service + "/moderngov/", content).code == 0
    assert (content / "meetings/2026/2026-10-15-council.yaml").is_file()
    # the meetings read before the failure came from the cache
    assert (
        Fake.asked["/moderngov/mgWebService.asmx/GetMeeting?lMeetingId=1001"]
        == asked["/moderngov/mgWebService.asmx/GetMeeting?lMeetingId=1001"]
    )


def test_an_address_where_nothing_answers_is_one_line(cli, tmp_path):
    result = run_import(cli, "http://127.0.0.1:9/", tmp_path / "content")
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("sitegen import: GetCommittees at http://127.0.0.1:9/mgWebService.asmx/GetCommittees")


def test_word_html_becomes_clean_markdown():
    word = (
        "<p class=MsoNormal><span style='mso-bidi-font-weight:bold'>Members noted:<o:p></o:p></span></p>"
        "<ol><li>the <b>first</b> point;</li><li>the second.</li></ol>"
        "<![if !supportLists]><span>1.</span><![endif]>"
    )
    assert moderngov.markdown(word) == "Members noted:\n\n1. the **first** point;\n2. the second."
    assert moderngov.decode("Chair&amp;#39;s &amp;amp; Vice-Chair&#39;s") == "Chair's & Vice-Chair's"
    assert moderngov.decode("Room <b>1</b>") == "Room 1" and moderngov.decode("a < b > c") == "a < b > c"
    # what only looks like a link or an image, typed in the text, stays text
    typed = moderngov.markdown(
        '<p>[x](javascript:alert(1)) ![i](https://t.example/p.gif) <a href="https://a.example/">a</a></p>'
    )
    assert typed == "[x]\\(javascript\\:alert(1)) \\![i](https://t.example/p.gif) [a](https://a.example/)"
    odd = "<p>&lt;javascript:x&gt; [1]: vbscript:y Wow!<a href='documents/s1/R.pdf'>the report</a> metadata: z</p>"
    assert moderngov.markdown(odd, "https://mg.example/") == (
        "<javascript\\:x> [1]: vbscript\\:y Wow\\![the report](https://mg.example/documents/s1/R.pdf) metadata: z"
    )
    spaced = "<p>See <a href='documents/s9/Secret Appendix (v2).pdf'>the appendix</a>.</p>"
    assert moderngov.markdown(spaced, "https://mg.example/") == (
        "See [the appendix](https://mg.example/documents/s9/Secret%20Appendix%20%28v2%29.pdf)."
    )  # (a space or a parenthesis in an address would leave the link as text)
    assert moderngov.decode("Charges &lt;draft v2&gt; for leisure") == "Charges <draft v2> for leisure"
    assert moderngov.decode("Council Chamber\x96 Town Hall") == "Council Chamber Town Hall"  # (C1, as the reader)
    assert moderngov.decode("Budget\u202e 2027\x07") == "Budget 2027"  # (characters the reader refuses)
    assert moderngov.clock("10.00 am") == "10:00" and moderngov.clock("12.15 pm") == "12:15"
    assert moderngov.clock("6pm") == "18:00" and moderngov.clock("TBC") == ""
    assert moderngov.kind_of("Planning Sub-Committee") == "sub-committee"
    assert moderngov.kind_of("Overview and Scrutiny Committee") == "committee"
    assert moderngov.kind_of("Health and Wellbeing Board") == "panel"
    assert moderngov.kind_of("Full Council") == "council"


def test_download_saves_the_documents_under_files(cli, service, tmp_path):
    content = tmp_path / "content"
    result = run_import(cli, service + "/moderngov/", content, "--download")
    assert result.code == 0, result.err + result.out
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    leisure = next(i for i in cabinet["items"] if i["id"] == "leisure-centre-charges")
    (doc,) = leisure["documents"]
    assert doc["href"].startswith("files/moderngov/2026/leisure-charges-report-") and doc["href"].endswith(".pdf")
    assert (content / doc["href"]).read_bytes() == b"%PDF-1.4 the report"
    assert not any("Appendix" in p.name or "Valuation" in p.name for p in (content / "files").rglob("*"))  # restricted
    asked = sum(Fake.asked.values())
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 0
    assert sum(Fake.asked.values()) == asked  # saved once
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert (out / doc["href"]).read_bytes() == b"%PDF-1.4 the report"


def changed_service(tmp_path: Path) -> Path:
    """A copy of the fixtures for Fake to serve, for a test to change as the council's system would."""
    root = tmp_path / "service"
    root.mkdir()
    for path in FIXTURES.iterdir():
        (root / path.name).write_bytes(path.read_bytes())
    Fake.root = root
    return root


def imported_changing(cli, service: str, tmp_path: Path) -> tuple[Path, Path]:  # noqa: ANN001
    """A first import from a service whose fixtures the test may then change: (their folder, the content)."""
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov/", content).code == 0
    return root, content


def listed(root: Path, committee: str, change) -> None:  # noqa: ANN001
    meetings = json.loads((root / "meetings.json").read_text())
    meetings[committee] = change(meetings[committee])
    (root / "meetings.json").write_text(json.dumps(meetings))


def next_day(cli, service: str, content: Path, *more: str):  # noqa: ANN001, ANN201
    """An import after the service's answers kept by the last one have gone stale."""
    for path in (content.parent / ".sitegen-cache" / "moderngov").glob("*.xml"):
        path.unlink()
    return run_import(cli, service + "/moderngov/", content, *more)


def restrict_leisure(root: Path, flag: str = "True") -> None:
    """The council restricts the item "Leisure centre charges" of meeting 1001, after its report was public."""
    meeting = (root / "meeting-1001.xml").read_text()
    restricted = meeting.replace(
        "<agendaitemtitle>Leisure centre charges</agendaitemtitle>\n      <isrestricted>False",
        f"<agendaitemtitle>Leisure centre charges</agendaitemtitle>\n      <isrestricted>{flag}",
    )
    assert restricted != meeting
    (root / "meeting-1001.xml").write_text(restricted)


def set_true(path: Path, after: str, tag: str) -> None:
    """The service sets TAG (False till now) to True in the first element after AFTER in PATH."""
    xml = path.read_text()
    at = xml.index(f"<{tag}>False", xml.index(after))
    path.write_text(xml[:at] + f"<{tag}>True" + xml[at + len(f"<{tag}>False") :])


def mid(path: Path) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(yaml.safe_load(path.read_text())["source"]).query)["MId"][0]


def test_a_meeting_keeps_its_file_and_address_whatever_else_the_service_lists(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    staff = content / "meetings/2026/2026-09-24-staff-and-support-services-committee.yaml"
    second = staff.with_name(staff.stem + "-2.yaml")
    assert (mid(staff), mid(second)) == ("3001", "3002")
    # an earlier meeting that day is added, and a meeting is listed twice
    early = (root / "meeting-3001.xml").read_text().replace("3001", "3004").replace("2.00 pm", "9.00 am")
    (root / "meeting-3004.xml").write_text(early)
    listed(root, "3", lambda rows: [*rows, ["3004", "24/09/2026"], ["3002", "24/09/2026"]])
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    third = staff.with_name(staff.stem + "-3.yaml")
    assert (mid(staff), mid(second), mid(third)) == ("3001", "3002", "3004")
    assert len(list(content.rglob("2026-09-24-staff*"))) == 3
    # a date in ISO form, and a meeting postponed
    (root / "meeting-2001.xml").write_text(
        (root / "meeting-2001.xml").read_text().replace("<meetingstatus>Confirmed", "<meetingstatus>Postponed", 1)
    )
    listed(root, "2", lambda rows: [["2001", "2026-10-15T00:00:00"]])
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    council = yaml.safe_load((content / "meetings/2026/2026-10-15-council.yaml").read_text())
    assert council["status"] == "postponed" and "minutes" not in str(council.get("items"))
    # a date the importer cannot read: the meeting is named as left out
    listed(root, "2", lambda rows: [["2001", "someday"]])
    result = next_day(cli, service, content)
    assert "left out a meeting of Council" in result.out and "'someday'" in result.out


def test_a_meeting_moved_to_another_day_leaves_no_meeting_behind(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    old = content / "meetings/2027/2027-01-14-cabinet.yaml"
    assert old.is_file()
    (root / "meeting-1003.xml").write_text((root / "meeting-1003.xml").read_text().replace("14/01/2027", "21/01/2027"))
    listed(root, "1", lambda rows: [r if r[0] != "1003" else ["1003", "21/01/2027"] for r in rows])
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    new = content / "meetings/2027/2027-01-21-cabinet.yaml"
    assert not old.exists() and mid(new) == "1003"
    assert yaml.safe_load(new.read_text())["aliases"] == ["2027-01-14-cabinet"]  # (its old address leads to it)
    kept = files(content)
    assert next_day(cli, service, content).code == 0
    assert files(content) == kept  # (the alias stays)
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    # moved again, after a person edited it: their file is kept, and the import says so
    new.write_text(new.read_text().replace("Committee Room 1", "Committee Room 2"))
    (root / "meeting-1003.xml").write_text((root / "meeting-1003.xml").read_text().replace("21/01/2027", "28/01/2027"))
    listed(root, "1", lambda rows: [r if r[0] != "1003" else ["1003", "28/01/2027"] for r in rows])
    result = next_day(cli, service, content)
    assert new.is_file() and "Committee Room 2" in new.read_text()
    assert "left for a person: meetings/2027/2027-01-21-cabinet.yaml" in result.out


def test_a_person_s_own_file_of_a_meeting_is_not_imported_beside(cli, service, tmp_path):
    changed_service(tmp_path)
    content = tmp_path / "content"
    mine = content / "meetings/2026/2026-10-15-council.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\nbody: council\ndate: 2026-10-15\n---\n")
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    assert "left out Council's meeting of 15/10/2026" in result.out
    assert not list(content.rglob("2026-10-15-council*.yaml")) and mine.read_text().startswith("---\nbody")


@pytest.mark.parametrize("flag", ["True", "1"])
def test_a_document_the_service_withdraws_is_no_longer_published(cli, service, tmp_path, flag):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 0
    (saved,) = (content / "files/moderngov/2026").glob("leisure-charges-report-*.pdf")
    theirs = content / "files/moderngov/2026/a-person-s-own.pdf"
    theirs.write_bytes(b"%PDF-1.4 mine")
    restrict_leisure(root, flag)
    result = next_day(cli, service, content, "--download")
    assert result.code == 0, result.err + result.out
    assert not saved.exists() and f"removed {saved.relative_to(content)}" in result.out
    assert theirs.read_bytes() == b"%PDF-1.4 mine"  # (not the importer's)
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert not list(out.rglob("leisure-charges-report-*"))


def test_an_item_restricted_after_a_person_changed_its_file_is_named_and_its_download_goes(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 0
    (saved,) = (content / "files/moderngov/2026").glob("leisure-charges-report-*.pdf")
    cabinet = content / "meetings/2026/2026-09-24-cabinet.yaml"
    changed = cabinet.read_text().replace("location:", "# checked by the clerk\nlocation:", 1)
    renamed = changed.replace("title: Leisure centre charges", "title: Leisure Centre Charges", 1)  # (known by source)
    assert renamed != changed
    cabinet.write_text(renamed)
    restrict_leisure(root)
    result = next_day(cli, service, content, "--download")
    assert result.code == 1 and "mend those in files a person changed" in result.err  # (it names the href)
    assert (
        'ATTENTION meetings/2026/2026-09-24-cabinet.yaml: ModernGov now restricts the item "Leisure centre charges"'
        in result.out
    )
    assert (
        not saved.exists()
        and f"removed {saved.relative_to(content)}: ModernGov now restricts this document" in result.out
    )
    assert "# checked by the clerk" in cabinet.read_text()  # (a person's file is never overwritten)
    check = cli("check", "--content", content)
    assert check.code == 1 and saved.name in check.err  # (nothing is published until the link goes)


def move(root: Path, committee: str, meeting: str, old: str, new: str) -> None:
    """The service moves MEETING of COMMITTEE from the day OLD to NEW (dd/mm/yyyy)."""
    path = root / f"meeting-{meeting}.xml"
    path.write_text(path.read_text().replace(old, new))
    listed(root, committee, lambda rows: [row if row[0] != meeting else [meeting, new] for row in rows])


def test_an_old_address_is_never_given_to_another_meeting(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    move(root, "1", "1003", "14/01/2027", "21/01/2027")
    assert next_day(cli, service, content).code == 0
    move(root, "1", "1003", "21/01/2027", "28/01/2027")
    assert next_day(cli, service, content).code == 0
    moved = content / "meetings/2027/2027-01-28-cabinet.yaml"
    assert yaml.safe_load(moved.read_text())["aliases"] == ["2027-01-14-cabinet", "2027-01-21-cabinet"]
    # a new meeting on the first day gets a name of its own, not the moved meeting's old one
    added = (root / "meeting-1003.xml").read_text().replace("1003", "1004").replace("28/01/2027", "14/01/2027")
    (root / "meeting-1004.xml").write_text(added)
    listed(root, "1", lambda rows: [*rows, ["1004", "14/01/2027"]])
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    assert mid(content / "meetings/2027/2027-01-14-cabinet-2.yaml") == "1004"
    assert not (content / "meetings/2027/2027-01-14-cabinet.yaml").exists()
    assert cli("build", "--content", content, "--output", tmp_path / "out", "--no-search").code == 0


def test_a_person_s_own_file_stands_for_one_meeting_of_its_day(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    day = content / "meetings/2026"
    day.mkdir(parents=True)
    mine = day / "2026-09-24-staff-and-support-services-committee.MD"  # (any case, as the reader takes it)
    mine.write_text("---\nbody: staff-and-support-services-committee\ndate: 2026-09-24\n---\n")
    (day / "2026-10-01-council.md").write_text("---\nbody: council\ndate: 2026-10-01\nsource: http://[council/\n---\n")
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0 and "Traceback" not in result.err, result.err + result.out
    assert mid(day / "2026-09-24-staff-and-support-services-committee-2.yaml") == "3002"  # (the day's second)
    assert result.out.count("left out Staff and Support Services Committee's meeting") == 1
    # a meeting moved onto a day a person's own file stands for: the importer's file of its old day goes
    (day.parent / "2027").mkdir(exist_ok=True)
    (day.parent / "2027/2027-01-21-cabinet.md").write_text("---\nbody: cabinet\ndate: 2027-01-21\n---\n")
    move(root, "1", "1003", "14/01/2027", "21/01/2027")
    result = next_day(cli, service, content)
    assert not (day.parent / "2027/2027-01-14-cabinet.yaml").exists(), result.out
    assert "removed meetings/2027/2027-01-14-cabinet.yaml" in result.out


def test_a_download_is_known_as_the_importer_s_even_after_a_failed_run(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    Fake.fail_always = {"GetMeeting?lMeetingId=3003"}
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 1
    (saved,) = (content / "files/moderngov/2026").glob("leisure-charges-report-*.pdf")
    Fake.fail_always = set()
    assert next_day(cli, service, content, "--download").code == 0
    restrict_leisure(root)
    assert next_day(cli, service, content, "--download").code == 0
    assert not saved.exists()
    # a file under files/moderngov/ that no file names and that is not the importer's: named, and kept
    stray = content / "files/moderngov/2026/old-report.pdf"
    stray.write_bytes(b"%PDF-1.4 old")
    result = next_day(cli, service, content, "--download")
    assert stray.exists() and "left for a person: files/moderngov/2026/old-report.pdf" in result.out


def test_minutes_the_reader_would_refuse_are_imported_as_text_it_takes(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    meeting = (root / "meeting-1001.xml").read_text()
    typed = "&lt;p&gt;[a link](javascript:alert(1)) and ![a pixel](https://tracker.example/p.gif)&lt;/p&gt;"
    long = "&lt;p&gt;" + "The budget was debated at length. " * 4000 + "&lt;/p&gt;"
    assert meeting.count("<minutesnonemptyhtmlbody>") >= 2
    first, second, rest = meeting.split("<minutesnonemptyhtmlbody>", 2)
    changed = f"{first}<minutesnonemptyhtmlbody>{typed}{second}<minutesnonemptyhtmlbody>{long}{rest}"
    (root / "meeting-1001.xml").write_text(changed)
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out  # (the import checks what it wrote)
    text = (content / "meetings/2026/2026-09-24-cabinet.yaml").read_text()
    assert "[a link]\\(javascript\\:alert(1))" in text and "read them in the original record" in text


def test_files_the_reader_leaves_out_stand_for_nothing(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    drafts = content / "meetings/_drafts"
    drafts.mkdir(parents=True)
    (drafts / "2026-10-15-council.md").write_text("---\nbody: council\ndate: 2026-10-15\n---\n")
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 0
    assert mid(content / "meetings/2026/2026-10-15-council.yaml") == "2001"  # (a draft stands for no meeting)
    (saved,) = (content / "files/moderngov/2026").glob("leisure-charges-report-*.pdf")
    (drafts / "notes.md").write_text(f"---\nbody: cabinet\ndate: 2026-09-24\nnotes: see {saved.name}\n---\n")
    (drafts / "copy.yaml").write_text(f"# {saved.relative_to(content).as_posix()}\n")
    restrict_leisure(root)
    assert next_day(cli, service, content, "--download").code == 0
    assert not saved.exists()  # (named only in a draft the site does not publish)


def test_a_meeting_answered_badly_is_left_out_this_time_and_asked_again_next(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    good = (root / "meeting-2001.xml").read_bytes()
    (root / "meeting-2001.xml").write_bytes(good.replace(b"</meeting>", b"<broken></meeting>"))
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    assert "left out a meeting of Council this time: GetMeeting at" in result.out and "not well-formed" in result.out
    assert (content / "meetings/2026/2026-09-24-cabinet.yaml").is_file()  # (the others are imported)
    assert not (content / "meetings/2026/2026-10-15-council.yaml").exists()
    (root / "meeting-2001.xml").write_bytes(good)  # the server mended: the bad answer was not kept
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0 and (content / "meetings/2026/2026-10-15-council.yaml").is_file()


def test_a_person_the_service_lists_twice_is_imported_once(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    meeting = (root / "meeting-1001.xml").read_text()
    jane = next(line for line in meeting.splitlines() if 'memberid="101"' in line)
    again = jane + "\n" + jane + "\n" + jane.replace('attendance="Present"', 'attendance="Apologies"')
    (root / "meeting-1001.xml").write_text(meeting.replace(jane, again, 1))
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    data = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    assert data["present"].count("cllr-jane-smith") == 1 and "cllr-jane-smith" not in data.get("apologies", [])
    assert "listed twice" not in result.err + result.out


def test_a_download_left_half_written_is_removed(cli, service, tmp_path):
    changed_service(tmp_path)
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov/", content, "--download").code == 0
    (saved,) = (content / "files/moderngov/2026").glob("leisure-charges-report-*.pdf")
    half = saved.with_name(f".{saved.name}.importing")
    half.write_bytes(b"%PDF-1.4 half")
    result = next_day(cli, service, content, "--download")
    assert result.code == 0 and not half.exists() and saved.exists()
    assert "a download an interrupted import left half written" in result.out and "still published" not in result.out


def test_an_import_into_a_welsh_first_site_marks_its_texts_english(cli, service, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text("authority: T\nbase_url: https://t.example/\nlanguages: [cy, en]\n")
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    assert cabinet["location"] == {"en": "Council Chamber, Town Hall"}
    assert all(set(item["title"]) == {"en"} for item in cabinet["items"])
    assert yaml.safe_load((content / "bodies.yaml").read_text().split("\n", 2)[2])[0]["name"].keys() == {"en"}
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    english = (out / "en/meetings/2026-09-24-cabinet/index.html").read_text()
    assert "Council Chamber, Town Hall" in english and '<span lang="cy">Council' not in english


def test_a_narrower_import_unmakes_nothing_a_wider_one_wrote(cli, service, tmp_path):
    changed_service(tmp_path)
    content = tmp_path / "content"
    assert run_import(cli, service + "/moderngov/", content).code == 0
    before = files(content)
    base = service + "/moderngov/"
    for narrower in (
        ["--committee", "1"],  # Cabinet only
        ["--committee", "3"],  # the staff committee only
        ["--from", "2026-10-01", "--to", "2026-10-31"],  # Council's meeting, without Cabinet's before it
        ["--to", "2026-09-30"],  # the staff committee's meeting, without the one that approved its minutes
    ):
        result = cli("import", "moderngov", base, "--content", content, "--delay", "0", "--from", "2026-09-01",
                     "--to", "2027-02-28", *narrower)  # fmt: skip
        assert result.code == 0, (narrower, result.err + result.out)
        changed = {rel for rel, data in files(content).items() if before.get(rel) != data} - {".moderngov.json"}
        assert changed == set(), (narrower, changed)


def test_one_committee_into_an_empty_folder_gives_content_that_builds(cli, service, tmp_path):
    content = tmp_path / "content"
    result = run_import(cli, service + "/moderngov/", content, "--committee", "1")
    assert result.code == 0, result.err + result.out  # (the import checks what it wrote)
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    budget = next(i for i in cabinet["items"] if i["id"] == "budget-2027-28")["decisions"][0]
    assert "to" not in budget  # ("RECOMMENDED to Council": no council was imported, so a resolution, as typed)


@pytest.mark.parametrize(
    "elsewhere", ["http://localhost:{port}/moderngov/", "http://127.0.0.1:9/moderngov/", "redirect"]
)
def test_download_takes_documents_from_the_services_own_site_only(cli, service, tmp_path, elsewhere):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    meeting = (root / "meeting-1001.xml").read_text()
    port = urllib.parse.urlsplit(service).port
    if elsewhere == "redirect":  # on the service's site, redirected to another
        away = urllib.parse.quote(f"http://localhost:{port}/moderngov/documents/s9/secret.pdf")
        changed = meeting.replace("Leisure charges report.pdf<", f"Leisure charges report.pdf?to={away}<", 1)
    else:
        changed = meeting.replace("<url>documents/s123/", f"<url>{elsewhere.format(port=port)}documents/s123/", 1)
    assert changed != meeting
    (root / "meeting-1001.xml").write_text(changed)
    result = run_import(cli, service + "/moderngov/", content, "--download")
    assert result.code == 0, result.err + result.out
    said = "a redirect to another site" if elsewhere == "redirect" else "on another site than the service's"
    assert said in result.out
    assert not list(content.rglob("leisure-charges-report-*")) and not list(content.rglob("secret*"))


def test_an_error_the_service_writes_as_xml_wipes_no_meeting(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    cabinet = content / "meetings/2026/2026-09-24-cabinet.yaml"
    before = cabinet.read_text()
    good = (root / "meeting-1001.xml").read_bytes()
    (root / "meeting-1001.xml").write_bytes(b"<?xml version='1.0'?><string>Error: the database is unavailable</string>")
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    assert "the answer holds no meeting (string: 'Error: the database is unavailable')" in result.out
    assert cabinet.read_text() == before
    (root / "meeting-1001.xml").write_bytes(good)
    assert run_import(cli, service + "/moderngov/", content).code == 0 and cabinet.read_text() == before


def test_an_attendee_without_a_member_id_is_one_person(cli, service, tmp_path):
    root = changed_service(tmp_path)
    content = tmp_path / "content"
    for name in ("meeting-1001.xml", "meeting-2001.xml"):  # (twice in one meeting, and in another)
        meeting = (root / name).read_text()
        extra = '    <attendee name="Sam Clerk" roledescription="Officer" attendance="In attendance"/>\n'
        changed = meeting.replace("  </attendees>", extra + extra + "  </attendees>", 1)
        assert changed != meeting
        (root / name).write_text(changed)
    result = run_import(cli, service + "/moderngov/", content)
    assert result.code == 0, result.err + result.out
    people = yaml.safe_load((content / "people.yaml").read_text())
    assert [p["id"] for p in people if p["name"] == "Sam Clerk"] == ["sam-clerk"]
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    assert cabinet["in_attendance"].count("sam-clerk") == 1


def test_what_the_service_changes_is_followed_though_an_earlier_import_inferred_otherwise(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    council = content / "meetings/2026/2026-10-15-council.yaml"
    assert "outcome: approved" in council.read_text()
    meeting = (root / "meeting-2001.xml").read_text()
    rejected = meeting.replace("be approved.", "be rejected.")
    assert rejected != meeting
    (root / "meeting-2001.xml").write_text(rejected)
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    assert "outcome: approved" not in council.read_text()  # (as a first import of the same answers gives)
    # Cabinet restricts the item Council considered: nothing names its decision any more
    set_true(root / "meeting-1001.xml", "Budget 2027/28", "isrestricted")
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    assert "budget-2027-28/1" not in council.read_text()


def test_an_import_killed_as_it_writes_leaves_its_files_its_own(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    meeting = (root / "meeting-1001.xml").read_text()
    (root / "meeting-1001.xml").write_text(meeting.replace("Council Chamber", "The Blue Room"))
    for path in (content.parent / ".sitegen-cache" / "moderngov").glob("*.xml"):
        path.unlink()
    killed = (
        "import os, sys\n"
        "from sitegen import moderngov, cli\n"
        "real = moderngov.Writer.write\n"
        "def write(self, rel, body):\n"
        "    done = real(self, rel, body)\n"
        "    if 'Blue Room' in body:\n"
        "        os._exit(9)  # (killed: no finally runs)\n"
        "    return done\n"
        "moderngov.Writer.write = write\n"
        f"sys.exit(cli.main(['import', 'moderngov', {service + '/moderngov/'!r}, '--content', {str(content)!r}, "
        "'--from', '2026-09-01', '--to', '2027-02-28', '--delay', '0']))\n"
    )
    assert subprocess.run([sys.executable, "-c", killed], capture_output=True).returncode == 9
    restrict_leisure(root)
    result = next_day(cli, service, content)
    assert result.code == 0, result.err + result.out
    assert "kept meetings/2026/2026-09-24-cabinet.yaml" not in result.out  # (the importer's, though unlisted)
    cabinet = yaml.safe_load((content / "meetings/2026/2026-09-24-cabinet.yaml").read_text())
    assert next(i for i in cabinet["items"] if i["title"] == "Leisure centre charges").get("exempt")


def test_a_committee_the_service_deletes_stays_listed_for_the_meetings_that_name_it(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    set_true(root / "GetCommittees.xml", "<committeeid>3</committeeid>", "committeedeleted")
    result = next_day(cli, service, content)
    assert "Staff and Support Services Committee: " not in result.out  # (not imported: deleted at the service)
    assert result.code == 0, result.err + result.out
    assert "staff-and-support-services-committee" in (content / "bodies.yaml").read_text()


def test_a_restricted_item_is_known_in_a_persons_file_by_its_title_too(cli, service, tmp_path):
    root, content = imported_changing(cli, service, tmp_path)
    cabinet = content / "meetings/2026/2026-09-24-cabinet.yaml"
    text = cabinet.read_text()
    leisure = text.index("title: Leisure centre charges")
    source = text.index("source:", leisure)
    cabinet.write_text(text[:source] + "# " + text[source:])  # (the person took its source out)
    restrict_leisure(root)
    result = next_day(cli, service, content)
    assert (
        'ATTENTION meetings/2026/2026-09-24-cabinet.yaml: ModernGov now restricts the item "Leisure centre charges"'
        in result.out
    )
