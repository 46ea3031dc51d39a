"""The built site: pages, cross-links both ways, statuses through whole chains, issues."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import page

CAB = "/meetings/2011-11-16-cabinet/strategic-commissioning/"
COUNCIL = "/meetings/2011-12-07-council/strategic-commissioning/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self._href, self._text = a["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, anchor: str) -> str:
    """The HTML of the <section id=ANCHOR>…</section>."""
    start = html.index(f'id="{anchor}"')
    end = html.index("</section>", start)
    return html[start:end]


def test_every_page_type_exists(example_output: Path):
    for address in [
        "/",
        "/meetings/",
        "/meetings/2011/",
        "/meetings/2011-11-16-cabinet/",
        CAB,
        "/bodies/",
        "/bodies/cabinet/",
        "/issues/",
        "/issues/strategic-commissioning/",
        "/people/",
        "/people/cllr-a-khan/",
        "/decisions/",
        "/decisions/2011/",
        "/decisions/awaiting/",
        "/404.html",
    ]:
        assert "<main" in page(example_output, address), address
    assert (example_output / "files/2011/strategic-commissioning-report.pdf").is_file()
    assert list((example_output / "static").glob("style.*.css"))


def test_recommendation_links_forward_to_deciding_decision(example_output: Path):
    html = page(example_output, CAB)
    rec2 = section(html, "decision-2")
    assert "Status: Approved by Council on 7 December 2011" in text(rec2)
    assert (COUNCIL + "#decision-1", "Approved by Council on 7 December 2011") in links(rec2)
    rec3 = section(html, "decision-3")
    assert "Approved with amendments by Council on 7 December 2011" in text(rec3)
    assert "sum reduced to £60,000" in text(rec3)


def test_deciding_decision_links_back_and_quotes(example_output: Path):
    html = page(example_output, COUNCIL)
    d1 = section(html, "decision-1")
    hrefs = [h for h, _ in links(d1)]
    assert CAB + "#decision-2" in hrefs and CAB + "#decision-3" in hrefs
    assert "It be recommended that Council approves the Chief Executive’s proposals" in text(d1)
    assert "It be recommended that Council set aside a 'one off' resource of £80,000" in text(d1)


def test_deferred_then_approved_shows_both_steps(example_output: Path):
    html = page(example_output, "/meetings/2011-12-13-overview-scrutiny/car-parking-charges/")
    rec = text(section(html, "decision-1"))
    assert "Status: Approved by Cabinet on 21 March 2012" in rec
    assert rec.index("Deferred by Cabinet on 18 January 2012") < rec.index(
        "Approved by Cabinet on 21 March 2012", rec.index("What happened")
    )


def test_referred_back_then_remade_is_superseded(example_output: Path):
    html = page(example_output, "/meetings/2012-01-18-cabinet/licensing-policy/")
    rec = section(html, "decision-1")
    assert (
        "Status: Referred back to Cabinet on 29 February 2012; superseded by Cabinet&#39;s recommendation of 21 March 2012"
        in text(rec)
    )
    assert "/meetings/2012-03-21-cabinet/licensing-policy/#decision-1" in [h for h, _ in links(rec)]
    new = section(page(example_output, "/meetings/2012-03-21-cabinet/licensing-policy/"), "decision-1")
    assert "/meetings/2012-01-18-cabinet/licensing-policy/#decision-1" in [h for h, _ in links(new)]
    awaiting = page(example_output, "/decisions/awaiting/")
    assert "2012-03-21-cabinet/licensing-policy/#decision-1" in awaiting  # the new one is open
    assert "2012-01-18-cabinet/licensing-policy/#decision-1" not in awaiting  # the old one is closed


def test_overdue_on_agenda_and_awaiting(example_output: Path):
    overdue = text(
        section(page(example_output, "/meetings/2012-01-24-audit-panel/contract-procedure-rules/"), "decision-1")
    )
    assert "Status: Overdue: not decided at Council on 29 February 2012" in overdue
    agenda = text(
        section(page(example_output, "/meetings/2012-09-18-overview-scrutiny/public-conveniences/"), "decision-1")
    )
    assert "Status: On the agenda of Cabinet, 20 January 2027" in agenda
    waiting = text(
        section(page(example_output, "/meetings/2012-09-18-overview-scrutiny/voluntary-sector-grants/"), "decision-1")
    )
    assert "Status: Awaiting decision by Cabinet" in waiting


def test_awaiting_page_groups_by_body_oldest_first(example_output: Path):
    html = page(example_output, "/decisions/awaiting/")
    council = section(html, "body-council-h") if 'id="body-council-h"' in html else ""
    assert "For Council" in text(html)
    dates = re.findall(r"from <a href=\"/meetings/(\d{4}-\d{2}-\d{2})", council)
    assert dates == sorted(dates) and dates


def test_issue_page_lists_items_across_bodies_oldest_first(example_output: Path):
    html = page(example_output, "/issues/strategic-commissioning/")
    items = re.findall(r'<h2><a href="(/meetings/[^"]+)"', html)
    assert items[0].startswith("/meetings/2011-11-08-staff-support-services/")
    assert "/meetings/2011-11-16-cabinet/strategic-commissioning/" in items
    assert items[-1] == COUNCIL
    assert "Approved by Council on 7 December 2011" in text(html)


def test_untagged_chain_becomes_issue_named_after_earliest_item(example_output: Path):
    html = page(example_output, "/issues/2012-02-07-staff-support-services-pay-policy-statement/")
    items = re.findall(r'<h2><a href="(/meetings/[^"]+)"', html)
    assert [i.split("/")[2] for i in items] == [
        "2012-02-07-staff-support-services",
        "2012-02-15-cabinet",
        "2012-02-29-council",
    ]


def test_meeting_states(example_output: Path):
    assert "This meeting was cancelled." in text(page(example_output, "/meetings/2012-08-08-planning/"))
    assert "This meeting has been postponed." in text(page(example_output, "/meetings/2012-01-10-audit-panel/"))
    agenda_only = text(page(example_output, "/meetings/2012-12-05-council/"))
    assert "Agenda only." in agenda_only and "minutes are not yet available" in agenda_only
    assert "Draft minutes." in text(page(example_output, "/meetings/2012-11-14-cabinet/"))
    assert "Approved minutes." in text(page(example_output, "/meetings/2011-11-16-cabinet/"))
    scheduled = text(page(example_output, "/meetings/2027-01-20-cabinet/"))
    assert "This meeting has not yet taken place." in scheduled


def test_dates_and_times_in_en_gb(example_output: Path):
    html = text(page(example_output, "/meetings/2011-11-16-cabinet/"))
    assert "Wednesday 16 November 2011" in html
    assert "6.30pm" in html


def test_exempt_item_shows_title_and_reason_only(cli, site, tmp_path):
    content = site(
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: depot\n    title: Depot sale\n"
            "    exempt: Paragraph 3 of Schedule 12A\n    minutes: CONFIDENTIAL bid of £1,240,000\n"
            "    decisions:\n      - id: '1'\n        text: SECRET resolution\n"
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out)
    assert result.code == 0
    assert "warning: the item is exempt: only its title and reason are published" in result.err
    everything = "".join(p.read_text() for p in out.rglob("*.html"))
    assert "Depot sale" in everything and "Paragraph 3 of Schedule 12A" in everything
    assert "CONFIDENTIAL" not in everything and "SECRET" not in everything


def test_raw_html_is_shown_as_text(cli, site, tmp_path):
    content = site(
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: <script>alert(1)</script>\n"
            "    minutes: |\n      <img src=x onerror=alert(1)> and <a href='javascript:alert(1)'>x</a>\n"
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 0
    html = page(out, "/meetings/m/a/")
    assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ref_links_resolve(example_output: Path):
    html = page(example_output, "/meetings/2011-12-07-council/strategic-commissioning/")
    minutes = html[html.index('class="minutes"') :]
    assert any(h.startswith("/meetings/2011-11-16-cabinet/") for h, _ in links(minutes))


def test_people_pages_show_record(example_output: Path):
    html = text(page(example_output, "/people/cllr-a-khan/"))
    assert "Declarations of interest" in html and "Non-pecuniary" in html
    assert "Present" in html


def test_yaml_reads_as_a_clerk_expects(cli, site, tmp_path):
    content = site(
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nstart: 18:30\nlocation: no\nitems:\n  - id: a\n"
            "    number: 07\n    title: yes\n    votes:\n      - on: '1'\n        for: 3\n    decisions:\n      - id: 1\n        text: on\n"
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 0
    html = text(page(out, "/meetings/m/"))
    assert "6.30pm" in html and "Place no" in html and "07. yes" in html
    assert "Decision 1" in html


def test_md_and_yaml_meetings_are_the_same(cli, site, tmp_path):
    yaml_form = "body: cabinet\ndate: 2011-11-16\nnotes: Some *notes*.\nitems:\n  - id: a\n    title: A\n"
    md_form = "---\nbody: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n---\nSome *notes*.\n"
    a = site({"meetings/m.yaml": yaml_form})
    assert cli("build", "--content", a, "--output", tmp_path / "a").code == 0
    (a / "meetings/m.yaml").unlink()
    (a / "meetings/m.md").write_text(md_form)
    assert cli("build", "--content", a, "--output", tmp_path / "b").code == 0
    assert page(tmp_path / "a", "/meetings/m/") == page(tmp_path / "b", "/meetings/m/")
    assert "<em>notes</em>" in page(tmp_path / "a", "/meetings/m/")


def test_site_without_people_file_builds(cli, site, tmp_path):
    content = site({"people.yaml": None, "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\npresent: [Cllr Smith]\n"})
    assert not (content / "people.yaml").exists()
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 0
    assert "Cllr Smith" in text(page(out, "/meetings/m/"))
    assert not (out / "people").exists()


def test_approved_minutes_never_say_minutes_are_unpublished(cli, site, tmp_path):
    content = site(
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nrecord: approved\nitems:\n  - id: apologies\n    title: Apologies\n",
            "meetings/n.yaml": "body: cabinet\ndate: 2011-11-17\nrecord: agenda\nitems:\n  - id: apologies\n    title: Apologies\n",
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--no-search", "--content", content, "--output", out).code == 0
    assert "not yet published" not in page(out, "/meetings/m/") + page(out, "/meetings/m/apologies/")
    assert "Minutes for this item are not yet published." in page(out, "/meetings/n/apologies/")


def test_outcome_from_draft_minutes_says_so(cli, site, tmp_path):
    content = site(
        {
            "meetings/a.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: x\n    title: X\n    decisions:\n      - id: '1'\n        to: council\n        text: T\n",
            "meetings/b.yaml": "body: council\ndate: 2011-12-07\nrecord: draft\nitems:\n  - id: y\n    title: Y\n    decisions:\n      - id: '1'\n        text: U\n        decides:\n          - ref: a/x/1\n            outcome: approved\n",
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--no-search", "--content", content, "--output", out).code == 0
    assert "Approved by Council on 7 December 2011 (draft minutes)" in text(page(out, "/meetings/a/x/"))


def test_home_page_offers_search_and_votes_say_whether_names_were_taken(example_output: Path):
    home = page(example_output, "/")
    assert 'action="/search/"' in home and 'id="home-search-q"' in home and "?q=budget" in home
    votes = "".join(p.read_text() for p in example_output.glob("meetings/*/*/index.html"))
    assert "(recorded vote: how each member voted)" in votes
    assert "(not a recorded vote: the minutes give numbers, not names)" in votes


def test_open_recommendations_say_since_when_and_when_minutes_are_awaited(example_output: Path):
    awaiting = text(page(example_output, "/decisions/awaiting/"))
    assert "Awaiting decision by Council since 21 March 2012" in awaiting
    # Council considered it on 5 December 2012 and its minutes are not yet published: not "awaiting"
    assert "Considered by Council on 5 December 2012; minutes not yet published" in awaiting
    assert 'class="status status-considered tone-info"' in page(example_output, "/decisions/awaiting/")


def test_declarations_register_and_its_csv(example_output: Path):
    import csv

    html = page(example_output, "/declarations/")
    assert "Councillor Gwenllïan ap Rhys" in html and 'href="/data/declarations.csv"' in html
    assert html.index('id="year-2012-h"') < html.index('id="year-2011-h"')  # newest year first
    rows = list(csv.DictReader((example_output / "data/declarations.csv").open(encoding="utf-8")))
    assert rows and {"date", "person", "name", "interest", "url"} <= set(rows[0])
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)
    # an exempt item's declarations are not in the register
    exempt = "/meetings/2012-01-18-cabinet/mill-lane-depot/"
    assert exempt not in html and not any(r["url"].endswith(exempt) for r in rows)


def test_calendars_can_be_subscribed_to(example_output: Path):
    assert 'href="webcal://meetings.example.org/calendar/meetings.ics"' in page(example_output, "/meetings/")
    body = page(example_output, "/bodies/cabinet/")
    assert 'href="webcal://meetings.example.org/calendar/bodies/cabinet.ics"' in body
    assert 'href="/calendar/bodies/cabinet.ics"' in body  # and downloaded once


def test_attendance_says_of_how_many_and_over_what_period(example_output: Path):
    html = page(example_output, "/people/cllr-a-khan/")
    assert "<td>5 of 5</td>" in html and "16 November 2011 to 14 November 2012" in html


def test_a_page_explains_how_decisions_are_made(example_output: Path):
    html = page(example_output, "/how-decisions-are-made/")
    for words in ("Draft minutes", "Referred back", "Superseded", "Exempt items", "Overdue"):
        assert words in html, words
    assert 'href="/how-decisions-are-made/"' in page(example_output, "/decisions/awaiting/")
    assert 'href="/how-decisions-are-made/"' in page(example_output, "/")  # in every page's footer
