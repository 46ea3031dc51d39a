"""What changed, what it costs, and following a matter: amended wording, money as data,
per-matter feeds."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import feedparser
import pytest
from conftest import page

from sitegen import i18n, present

REC = "2011-11-16-cabinet/strategic-commissioning/3"


# --- amended wording -------------------------------------------------------------------


def test_the_adopted_wording_and_what_changed_word_by_word(example_output):
    html = page(example_output, "/meetings/2011-11-16-cabinet/strategic-commissioning/")
    section = html.split('id="decision-3"')[1].split("</section>")[0]
    assert "As adopted:" in section and "the balance of the unspent allocation to be held in reserve" in section
    diff = section.split('class="diff"')[1].split("</p>")[0]
    assert (
        '<del><span class="visually-hidden">[deleted:</span>£80,000,<span class="visually-hidden">]</span></del>'
        in diff
    )
    assert (
        '<ins><span class="visually-hidden">[inserted:</span>£60,000,<span class="visually-hidden">]</span></ins>'
        in diff
    )
    assert "…" in diff  # the long unchanged stretch in the middle is shortened
    assert "Money as adopted:" in section and "£60,000" in section
    # the same on the issue's page and beside the deciding decision
    assert "£80,000,<span" in page(example_output, "/issues/strategic-commissioning/")
    assert "£80,000,<span" in page(example_output, "/meetings/2011-12-07-council/strategic-commissioning/")


def test_word_diff_marks_changes_and_shortens_what_stayed():
    i18n.activate(i18n.load("en", []))
    old = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    new = "one two three four five six seven EIGHT nine ten eleven twelve thirteen fourteen"
    diff = str(present.word_diff(old, new, context=2))
    text = re.sub(r"<[^>]+>", "", diff)
    assert text == "… six seven [deleted:eight] [inserted:EIGHT] nine ten …"
    assert str(present.word_diff("a b", "a b")) == "a b"  # nothing changed: nothing marked
    assert "&lt;script&gt;" in str(present.word_diff("x", "<script>"))  # escaped


# --- money ---------------------------------------------------------------------------------------

MEETINGS = {
    "meetings/2024-01-10-cabinet.yaml": """\
body: cabinet
date: 2024-01-10
items:
  - id: a
    title: Budget
    decisions:
      - id: "1"
        to: council
        text: It be recommended that Council approve £1.6m.
        money:
          - amount: 1600000
            kind: per-year
            what: =HYPERLINK("https://evil.example")
      - id: "2"
        to: council
        text: It be recommended that Council lend £50,000.
        money:
          - amount: 50000
            kind: loan
      - id: "3"
        to: council
        text: It be recommended that Council grant £20,000.
        money:
          - amount: 20000
            kind: grant
      - id: "4"
        text: That £5,000 be spent on a study.
        money:
          - amount: 5000.50
            kind: one-off
""",
    "meetings/2024-02-01-council.yaml": """\
body: council
date: 2024-02-01
items:
  - id: b
    title: Cabinet's recommendations
    decisions:
      - id: "1"
        text: Approved, the loan reduced.
        decides:
          - ref: 2024-01-10-cabinet/a/1
            outcome: approved
          - ref: 2024-01-10-cabinet/a/2
            outcome: amended
            text: That Council lend £40,000.
            money:
              - amount: 40000
                kind: loan
""",
}


def test_money_commits_only_resolutions_and_adopted_outcomes(cli, site, tmp_path):
    content = site(MEETINGS)
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    rows = list(csv.DictReader(io.StringIO((out / "data/money.csv").read_text())))
    got = sorted((r["decision"], r["kind"], r["amount"], r["recommendation"]) for r in rows)
    assert got == [
        ("2024-01-10-cabinet/a/4", "one-off", "5000.50", ""),  # a resolution's own
        ("2024-02-01-council/b/1", "loan", "40000", "2024-01-10-cabinet/a/2"),  # amended: the sum as adopted
        ("2024-02-01-council/b/1", "per-year", "1600000", "2024-01-10-cabinet/a/1"),  # approved: the recommendation's
    ]  # (recommendation 3 is still open: it commits nothing)
    assert next(r for r in rows if r["kind"] == "per-year")["what"].startswith("'=HYPERLINK")  # not a formula
    html = page(out, "/decisions/money/")
    assert "£1,600,000" in html and "£5,000.50" in html and "£40,000" in html and "£20,000" not in html
    totals = html.split('class="totals"')[1].split("</table>")[0]
    assert "Loan" in totals and "£40,000" in totals
    data = json.loads((out / "data/record.json").read_text())
    decisions = {d["id"]: d for e in data["events"] for i in e["agenda"] for d in i.get("decisions", [])}
    assert decisions["2024-01-10-cabinet/a/4"]["money"] == [
        {"amount": 5000.5, "currency": "GBP", "kind": "one-off", "what": None}
    ]
    step = decisions["2024-01-10-cabinet/a/2"]["outcomes"][0]
    assert step["text"] == "That Council lend £40,000." and step["money"][0]["amount"] == 40000


def test_a_sum_approved_then_rejected_later_is_not_committed(cli, site, tmp_path):
    later = """\
body: council
date: 2024-03-01
items:
  - id: c
    title: Cabinet's budget again
    decisions:
      - id: "1"
        text: The budget is rejected after all.
        decides:
          - ref: 2024-01-10-cabinet/a/1
            outcome: rejected
"""
    content = site({**MEETINGS, "meetings/2024-03-01-council.yaml": later})
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0 and "the site shows this later outcome, rejected" in result.err
    rows = list(csv.DictReader(io.StringIO((out / "data/money.csv").read_text())))
    assert "per-year" not in {r["kind"] for r in rows}  # rejected, as its status says
    assert "£1,600,000" not in page(out, "/decisions/money/")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (
            '"£80,000"',
            'meetings/m.yaml:9: amount "£80,000" should be a number, without a currency sign or commas (write 80000)',
        ),
        ("-500", "meetings/m.yaml:9: amount -500 is negative"),
        ("lots", 'meetings/m.yaml:9: amount "lots" should be a number'),
    ],
)
def test_a_wrong_amount_is_an_error_at_its_line(cli, site, amount, expected):
    meeting = (
        "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n"
        f"        money:\n          - amount: {amount}\n            kind: one-off\n        text: Agreed.\n"
    )
    result = cli("check", "--content", site({"meetings/m.yaml": meeting}))
    assert result.code == 1 and any(line.startswith(expected) for line in result.err.splitlines()), result.err


def test_the_currency_is_an_iso_code_and_the_page_writes_it(cli, site, tmp_path):
    wrong = cli("check", "--content", site({"site.yaml": "authority: T\ncurrency: EURO\n"}))
    assert wrong.code == 1 and 'site.yaml:2: currency "EURO" is not an ISO 4217 code' in wrong.err
    content = site({"site.yaml": "authority: T\ncurrency: EUR\n", **MEETINGS})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert "€1,600,000" in page(out, "/decisions/money/")


def test_check_hints_once_per_file_at_sums_not_recorded(cli, site):
    meeting = (
        "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title: A\n    decisions:\n"
        "      - id: '1'\n        text: A grant of £60k.\n      - id: '2'\n        text: A budget of £1.6m.\n"
        "      - id: '3'\n        text: Grants up to £1,000.\n        money: []\n"
    )
    result = cli("check", "--content", site({"meetings/m.yaml": meeting}), "--strict")
    assert result.code == 0, result.err  # hints never fail the check
    hints = [line for line in result.err.splitlines() if "hint:" in line]
    assert hints == [
        "meetings/m.yaml:8: hint: 2 decisions state a sum of money but record none (m/a/1, m/a/2); "
        "add money: (amount, kind, what) to publish the sums as data"
    ]


def test_the_example_records_its_sums(cli):
    from conftest import EXAMPLE

    result = cli("check", "--content", EXAMPLE)
    assert result.code == 0 and "hint:" not in result.err, result.err


# --- following a matter -----------------------------------------------------------------------


def feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_a_topic_a_person_and_the_awaiting_register_can_be_followed(example_output):
    issue = feed(example_output / "issues/strategic-commissioning/feed.atom")
    titles = [e.title for e in issue.entries]
    assert any("Cabinet, Wednesday 16 November 2011" in t for t in titles)
    assert any("Council, Wednesday 7 December 2011" in t for t in titles)
    html = page(example_output, "/issues/strategic-commissioning/")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Strategic commissioning" href="/issues/strategic-commissioning/feed.atom">'
        in html
    )
    assert 'href="/issues/strategic-commissioning/feed.atom">Atom feed</a>' in html  # visible
    # the calendar of a topic with a meeting to come holds it
    calendar = (example_output / "issues/2012-09-18-overview-scrutiny-public-conveniences/calendar.ics").read_text()
    assert "20270120" in calendar
    person = feed(example_output / "people/cllr-a-khan/feed.atom")
    kinds = {e.title.split(":")[0] for e in person.entries}
    assert {"Declared an interest"} <= kinds and any(k.startswith("Voted") for k in kinds)
    assert 'href="/people/cllr-a-khan/feed.atom"' in page(example_output, "/people/cllr-a-khan/")
    made = feed(example_output / "people/cllr-p-grant/feed.atom")
    assert any(e.title == "Decision: Land at Park Avenue, Northgate - disposal" for e in made.entries)
    awaiting = feed(example_output / "decisions/awaiting/feed.atom")
    states = " ".join(e.title for e in awaiting.entries)
    assert "Awaiting decision" in states or "Overdue" in states
    assert "Approved with amendments by Council" in states  # a settled one
    assert 'href="/decisions/awaiting/feed.atom"' in page(example_output, "/decisions/awaiting/")


def test_an_exempt_item_is_only_its_title_in_a_topics_feed(cli, site, tmp_path):
    meeting = (
        "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title: Depot sale\n    issue: depot\n"
        "    exempt: Paragraph 3\n    decisions:\n      - id: '1'\n        text: SECRET-PRICE agreed.\n"
        "  - id: b\n    title: Depot next steps\n    issue: depot\n    minutes: Noted.\n"
    )
    out = tmp_path / "out"
    assert cli("build", "--content", site({"meetings/m.yaml": meeting}), "--output", out, "--no-search").code == 0
    text = (out / "issues/depot/feed.atom").read_text()
    assert "Depot sale" in text and "Paragraph 3" in text and "SECRET" not in text


@pytest.mark.parametrize("name", ["Budget", "Budget, fees; charges – 2027/28 " * 4, "Cyllideb: ffïoedd ŵyl", ""])
@pytest.mark.parametrize("timed", [True, False])
def test_a_calendars_head_made_once_is_icalendars_own(name, timed):
    """The head of every calendar is made once and given each calendar's name (publish.calendar):
    the same bytes as icalendar writes for that name."""
    from zoneinfo import ZoneInfo

    from sitegen import model as m
    from sitegen.publish import Publisher, calendar_head
    from sitegen.urls import Urls

    model = m.Model(m.Site(), {}, {}, {}, {})
    publisher = Publisher(model, Urls(), lambda text: text)
    meeting = m.Meeting(id="x", body_id="b", date=m.dt.date(2024, 1, 1), start=m.dt.time(18, 30) if timed else None)
    made = publisher.calendar([meeting] if timed else [], name)
    own = calendar_head(name, "Europe/London", ZoneInfo("Europe/London") if timed else None)
    assert made.startswith(own) and made.endswith(b"END:VCALENDAR\r\n")


def test_the_register_points_to_the_wording_as_adopted(example_output):
    register = page(example_output, "/decisions/2011/")
    row = next(
        r for r in register.split("<tr") if "strategic-commissioning/#decision-3" in r and "Recommendation to" in r
    )
    assert "see the wording as adopted" in row


def test_an_exempt_decision_adopts_no_wording_or_sums_in_public(cli, site, tmp_path):
    files = dict(MEETINGS)
    files["meetings/2024-02-01-council.yaml"] = (
        files["meetings/2024-02-01-council.yaml"]
        .replace(
            "    title: Cabinet's recommendations\n", "    title: Cabinet's recommendations\n    exempt: Paragraph 3\n"
        )
        .replace("That Council lend £40,000.", "SECRET-WORDING")
        .replace("amount: 40000", "amount: 44444")
    )
    out = tmp_path / "out"
    assert cli("build", "--content", site(files), "--output", out, "--no-search").code == 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-WORDING" not in data and b"44444" not in data and b"44,444" not in data, path
