"""Executive decisions: decisions made by one person, the forward plan, key decisions'
notice and call-in, for the build's day (--today, SOURCE_DATE_EPOCH)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, TODAY, page

from sitegen import executive
from sitegen import model as m


def made(date: str, published: str | None = "", **more: str) -> str:
    """A decision file's YAML: Councillor Khan's decision of DATE, its notice PUBLISHED."""
    lines = [
        f"date: {date}",
        "decision_maker: cllr-a-khan",
        "title: Sale of the old depot",
        "text: To sell the old depot.",
    ]
    if published is not None:
        lines.append(f"published: {published or date}")
    lines += [f"{key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


def record(out: Path) -> dict:
    return json.loads((out / "data/record.json").read_text())


def decision_of(out: Path, did: str) -> dict:
    return next(x for x in record(out)["individual_decisions"] if x["id"] == did)["decision"]


# --- working days and the call-in deadline ---------------------------------------


@pytest.mark.parametrize(
    ("region", "published", "until"),
    [
        # Easter 2024: Good Friday 29 March everywhere; Easter Monday 1 April not in Scotland
        ("GB-ENG", "2024-03-28", "2024-04-08"),
        ("GB-SCT", "2024-03-28", "2024-04-05"),
        ("GB-WLS", "2024-03-28", "2024-04-08"),
        # the August bank holiday: the 26th in England, the 5th in Scotland
        ("GB-ENG", "2024-08-23", "2024-09-02"),
        ("GB-SCT", "2024-08-23", "2024-08-30"),
        ("GB-ENG", "2024-08-02", "2024-08-09"),
        ("GB-SCT", "2024-08-02", "2024-08-12"),
        # a weekend only
        ("GB-NIR", "2024-10-10", "2024-10-17"),
    ],
)
def test_the_call_in_deadline_skips_weekends_and_the_regions_bank_holidays(
    cli, site, tmp_path, region, published, until
):
    content = site(
        {
            "site.yaml": f"authority: T\nbase_url: https://t.example/\nregion: {region}\n",
            "decisions/d.yaml": made(published, published),
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", published).code == 0
    decision = decision_of(out, "d")
    assert decision["call_in_until"] == until
    assert decision["call_in_status"] == "open"
    last = dt.date.fromisoformat(until)
    assert f"May be called in until {last:%A} {last.day} {last:%B %Y}" in page(out, "/decisions/d/")
    # the Python API gives the same day
    site_ = m.Site(region=region)
    assert executive.call_in_until(dt.date.fromisoformat(published), site_) == last


def test_call_in_days_is_the_sites_and_the_next_working_day_can_implement(cli, site, tmp_path):
    content = site(
        {
            "site.yaml": "authority: T\nbase_url: https://t.example/\ncall_in_days: 3\n",
            "decisions/d.yaml": made("2024-12-20", "2024-12-20"),  # a Friday before Christmas
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", "2025-01-06").code == 0
    decision = decision_of(out, "d")
    # 23, 24 December; 25 and 26 are bank holidays; 27th is the third
    assert decision["call_in_until"] == "2024-12-27"
    assert decision["call_in_status"] == "implementable"
    # the next working day after Friday 27 December is Monday 30 December
    assert "Can be implemented from Monday 30 December 2024" in page(out, "/decisions/d/")


# --- "today" -----------------------------------------------------------------------


CALL_IN_SITE = {
    "decisions/open.yaml": made("2024-03-11", "2024-03-12"),
    "decisions/called.yaml": made("2024-03-11", "2024-03-12", call_in="\n  called_in: 2024-03-14\n  by: [leader]"),
    "decisions/settled.yaml": made(
        "2024-03-11",
        "2024-03-12",
        call_in="\n  called_in: 2024-03-14\n  by: [leader]\n  considered_at: 2024-03-20-audit\n  outcome: referred-back",
    ),
    "decisions/urgent.yaml": made("2024-03-11", "2024-03-12", urgency="The roof is falling in."),
    "decisions/unpublished.yaml": made("2024-03-11", None),
    "meetings/2024-03-20-audit.yaml": "body: audit\ndate: 2024-03-20\n",
}


@pytest.mark.parametrize(
    ("today", "open_state"),
    [("2024-03-12", "open"), ("2024-03-19", "open"), ("2024-03-20", "implementable"), ("2025-01-01", "implementable")],
)
def test_every_call_in_status_for_each_today(cli, site, tmp_path, today, open_state):
    content = site(CALL_IN_SITE)
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", today)
    assert result.code == 0, result.err
    states = {x["id"]: x["decision"].get("call_in_status") for x in record(out)["individual_decisions"]}
    assert states == {
        "open": open_state,
        "called": "called-in",
        "settled": "referred-back",
        "urgent": "urgent",
        "unpublished": None,  # no notice yet: no call-in period
    }
    running = page(out, "/decisions/call-in/")
    assert ("/decisions/open/" in running.split('id="running-h"')[1].split("</section>")[0]) == (open_state == "open")
    waiting = running.split('id="waiting-h"')[1].split("</section>")[0]
    assert "/decisions/called/" in waiting and "/decisions/settled/" not in waiting
    outcomes = running.split('id="outcomes-h"')[1].split("</section>")[0]
    assert ("/decisions/settled/" in outcomes) == today.startswith("2024")  # this year's outcomes only
    # the page says which day it is correct on, and so does the footer of a page with such a status
    day = dt.date.fromisoformat(today)
    assert f"Correct on {day:%A} {day.day} {day:%B %Y}." in running
    assert "correct on that day" in page(out, "/decisions/open/")
    # the meeting that considered a call-in lists it, and the decision links to the meeting
    assert "/decisions/settled/" in page(out, "/meetings/2024-03-20-audit/")
    assert "/meetings/2024-03-20-audit/" in page(out, "/decisions/settled/")
    assert "Referred back to the decision maker" in page(out, "/decisions/settled/")


PLAN = """\
- id: kd-1
  title: Depot sale
  decision_maker: cllr-a-khan
  expected: 2024-03
  first_published: 2024-01-02
  key: true
- id: kd-2
  title: Parking review
  decision_maker: cabinet
  expected: 2024-04-15
  first_published: 2024-01-02
- id: kd-3
  title: Leisure contract
  decision_maker: cabinet
  expected: 2024-06
  first_published: 2024-01-02
  withdrawn: 2024-05-01
- id: kd-4
  title: Secret land deal
  decision_maker: cabinet
  expected: 2024-09
  first_published: 2024-01-02
  exempt: Paragraph 3 of Schedule 12A
  wards: [TOPSECRET-WARD]
  summary: The buyer is Acme Holdings, paying TOPSECRET-PRICE.
"""


@pytest.mark.parametrize(
    ("today", "states"),
    [
        ("2024-02-01", {"kd-1": "planned", "kd-2": "planned", "kd-3": "planned", "kd-4": "planned"}),
        ("2024-03-20", {"kd-1": "decided", "kd-2": "planned", "kd-3": "planned", "kd-4": "planned"}),
        ("2024-04-16", {"kd-1": "decided", "kd-2": "slipped", "kd-3": "planned", "kd-4": "planned"}),
        ("2024-05-01", {"kd-1": "decided", "kd-2": "slipped", "kd-3": "withdrawn", "kd-4": "planned"}),
        ("2024-10-01", {"kd-1": "decided", "kd-2": "slipped", "kd-3": "withdrawn", "kd-4": "slipped"}),
    ],
)
def test_every_forward_plan_state_for_each_today(cli, site, tmp_path, today, states):
    decided = "2024-03-12" if today >= "2024-03-12" else "2024-02-01"
    files = {"forward-plan.yaml": PLAN}
    if today >= "2024-03-12":
        files["decisions/depot.yaml"] = made(decided, decided, key="true", plan="kd-1")
    content = site(files)
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", today)
    assert result.code == 0, result.err
    assert {e["id"]: e["state"] for e in record(out)["forward_plan"]} == states
    plan = page(out, "/forward-plan/")
    slipped = plan.split('id="planned-h"')[0]
    for pid, state in states.items():
        assert (f"/forward-plan/{pid}/" in slipped) == (state == "slipped"), pid  # slipped ones first
    if states["kd-1"] == "decided":  # the entry and the decision link to each other
        assert "/decisions/depot/" in page(out, "/forward-plan/kd-1/")
        assert "/forward-plan/kd-1/" in page(out, "/decisions/depot/")
    # an exempt entry: its title and reason only, anywhere
    assert "Secret land deal" in page(out, "/forward-plan/kd-4/")
    for path in out.rglob("*"):
        if path.is_file():
            assert b"TOPSECRET-PRICE" not in path.read_bytes() and b"TOPSECRET-WARD" not in path.read_bytes(), path
    feed = (out / "feeds/forward-plan.atom").read_text()
    assert "Depot sale" in feed
    calendar = (out / "calendar/forward-plan.ics").read_text()
    assert ("Parking review" in calendar) == (states["kd-2"] in ("planned", "slipped"))
    assert ("Leisure contract" in calendar) == (states["kd-3"] != "withdrawn")


# --- the notice of a key decision --------------------------------------------------


@pytest.mark.parametrize(
    ("date", "clear", "warned"), [("2024-01-29", 27, True), ("2024-01-30", 28, False), ("2024-01-31", 29, False)]
)
def test_twenty_eight_clear_days_of_notice(cli, site, date, clear, warned):
    plan = "- id: kd-1\n  title: Depot\n  decision_maker: cllr-a-khan\n  expected: 2024-02\n  first_published: 2024-01-01\n"
    content = site({"forward-plan.yaml": plan, "decisions/d.yaml": made(date, date, key="true", plan="kd-1")})
    result = cli("check", "--content", content)
    assert result.code == 0, result.err
    message = (
        f"decisions/d.yaml:7: warning: this key decision was taken {clear} clear days after its forward plan entry"
    )
    assert (message in result.err) == warned, result.err
    urgent = site({"decisions/d.yaml": made(date, date, key="true", plan="kd-1", urgency="Needed now.")})
    assert "clear days" not in cli("check", "--content", urgent).err  # urgency gives the reason


def test_a_key_decision_taken_before_its_plan_entry_was_published_is_said_so(cli, site):
    plan = "- id: kd-1\n  title: Depot\n  decision_maker: cllr-a-khan\n  expected: 2024-02\n  first_published: 2024-01-01\n"
    content = site(
        {"forward-plan.yaml": plan, "decisions/d.yaml": made("2023-11-20", "2023-11-20", key="true", plan="kd-1")}
    )
    result = cli("check", "--content", content)
    assert (
        "decisions/d.yaml:7: warning: this key decision was taken on 2023-11-20, before its forward plan entry "
        '"kd-1" was first published (2024-01-01)'
    ) in result.err, result.err
    assert "clear days after" not in result.err


def test_a_call_in_or_plan_entry_that_contradicts_the_dates_is_warned_at_its_line(cli, site):
    content = site(
        {
            "forward-plan.yaml": PLAN,  # (kd-3 was withdrawn on 2024-05-01)
            # published on Tuesday 12 March: the call-in period ends on Tuesday 19 March
            "decisions/late.yaml": made("2024-03-11", "2024-03-12", call_in="\n  called_in: 2024-03-27"),
            "decisions/gone.yaml": made("2024-06-03", "2024-06-04", plan="kd-3"),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 0, result.err
    assert (
        "decisions/late.yaml:7: warning: called in on 2024-03-27, after the call-in period ended (2024-03-19"
    ) in result.err, result.err
    assert 'decisions/gone.yaml:6: warning: its forward plan entry "kd-3" was withdrawn on 2024-05-01' in result.err
    assert len(result.err.splitlines()) == 2, result.err
    soon = site({"decisions/soon.yaml": made("2024-03-11", "2024-03-12", call_in="\n  called_in: 2024-03-15")})
    result = cli("check", "--content", soon, "--today", "2024-03-13")
    assert "decisions/soon.yaml:7: warning: called in on 2024-03-15, a day still to come" in result.err, result.err
    result = cli("check", "--content", soon, "--today", "2024-03-10")
    assert "decisions/soon.yaml:1: warning: the decision is dated 2024-03-11, a day still to come" in result.err


def test_call_ins_as_the_dates_allow_are_not_warned(cli, site):
    content = site({"forward-plan.yaml": PLAN, **CALL_IN_SITE})
    result = cli("check", "--content", content)
    assert result.code == 0 and "warning" not in result.err, result.err


def test_a_key_decision_without_a_plan_is_warned_at_its_line_unless_urgent(cli, site):
    content = site({"decisions/d.yaml": made("2024-01-10", key="true")})
    result = cli("check", "--content", content)
    assert "decisions/d.yaml:6: warning: a key decision should name its forward plan entry" in result.err, result.err
    urgent = site({"decisions/d.yaml": made("2024-01-10", key="true", urgency="Needed now.")})
    assert "forward plan entry" not in cli("check", "--content", urgent).err
    # a key decision at a meeting is held to the same rule
    meeting = "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title: A\n    decisions:\n      - id: '1'\n        text: Agreed.\n        key: true\n"
    content = site({"decisions/d.yaml": None, "meetings/2024-01-10-cabinet.yaml": meeting})
    assert (
        "meetings/2024-01-10-cabinet.yaml:9: warning: a key decision should name"
        in cli("check", "--content", content).err
    )


# --- errors at their lines --------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"decisions/d.yaml": made("2024-01-10", plan="kd-11"), "forward-plan.yaml": PLAN},
            'decisions/d.yaml:6: plan "kd-11": there is no such entry in forward-plan.yaml (did you mean "kd-1"?)',
        ),
        (
            {"decisions/2024.yaml": made("2024-01-10")},
            'decisions/2024.yaml:1: the decision id "2024" would clash with the year page /decisions/2024/',
        ),
        (
            {"decisions/call-in.yaml": made("2024-01-10")},
            'decisions/call-in.yaml:1: "call-in" is the address of a page of its own (/decisions/call-in/)',
        ),
        (
            {"decisions/x.yaml": made("2024-01-10"), "meetings/x.yaml": "body: audit\ndate: 2024-01-10\n"},
            'decisions/x.yaml:1: duplicate id "x" (first at meetings/x.yaml)',
        ),
        (
            {"decisions/d.yaml": made("2024-01-10").replace("cllr-a-khan", "cllr-a-kahn")},
            'decisions/d.yaml:2: unknown decision maker "cllr-a-kahn" (did you mean "cllr-a-khan"?)',
        ),
        (
            {
                "decisions/d.yaml": made(
                    "2024-01-10", call_in="\n  called_in: 2024-01-12\n  considered_at: 2024-01-20-audti"
                )
            },
            'decisions/d.yaml:8: considered_at "2024-01-20-audti": there is no such meeting',
        ),
        (
            {"decisions/d.yaml": made("2024-01-10", None, call_in="\n  called_in: 2024-01-12")},
            'decisions/d.yaml:5: a decision can be called in only after its notice: add "published"',
        ),
        (
            {"decisions/d.yaml": made("2024-01-10", "2024-01-09")},
            "decisions/d.yaml:5: published 2024-01-09 is before the decision was taken (2024-01-10)",
        ),
        (
            {"decisions/d.yaml": made("2024-01-10", call_in="\n  called_in: 2024-01-12\n  outcome: upheld")},
            'decisions/d.yaml:8: outcome "upheld" is not one of: no-further-action, referred-back, referred-to-council',
        ),
        (
            {"decisions/d.yaml": made("2024-01-10", decison="x")},
            'decisions/d.yaml:6: unknown key "decison" in decision file (did you mean "decision_maker"?)',
        ),
        (
            {"forward-plan.yaml": PLAN.replace("expected: 2024-04-15", "expected: April 2024")},
            'forward-plan.yaml:10: expected "April 2024" should be a month (YYYY-MM) or a day (YYYY-MM-DD)',
        ),
        (
            {
                "forward-plan.yaml": PLAN.replace(
                    "decision_maker: cabinet\n  expected: 2024-04", "decision_maker: cabnet\n  expected: 2024-04"
                )
            },
            'forward-plan.yaml:9: unknown decision maker "cabnet" (did you mean "cabinet"?)',
        ),
        (
            {"site.yaml": "authority: T\nregion: GB-XYZ\n"},
            'site.yaml:2: region "GB-XYZ" is not one of: GB-ENG, GB-WLS, GB-SCT, GB-NIR',
        ),
    ],
)
def test_each_error_at_its_line(cli, site, files, expected):
    result = cli("check", "--content", site(files))
    assert result.code == 1, result.err
    assert any(line.startswith(expected) for line in result.err.splitlines()), result.err


def test_a_bad_today_is_refused_without_a_traceback(cli, site, monkeypatch):
    content = site({})
    result = cli("build", "--content", content, "--today", "27/11/2026")
    assert result.code == 2 and '--today "27/11/2026" is not a date' in result.err
    for wrong in ("yesterday", "99999999999999999999", "-1.5"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", wrong)
        result = cli("check", "--content", content)
        assert result.code == 2 and "SOURCE_DATE_EPOCH" in result.err, wrong


# --- reproducible builds -------------------------------------------------------------


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_builds_for_the_same_day_are_byte_identical_by_today_or_source_date_epoch(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("SITEGEN_TODAY")
    day = "2026-11-27"
    args = ["build", "--content", EXAMPLE, "--no-search", "--no-cache"]
    assert cli(*args, "--output", tmp_path / "a", "--today", day).code == 0
    assert cli(*args, "--output", tmp_path / "b", "--today", day).code == 0
    # 00:30 UTC on the 27th (London keeps GMT in November)
    epoch = int(dt.datetime(2026, 11, 27, 0, 30, tzinfo=dt.UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    assert cli(*args, "--output", tmp_path / "c").code == 0
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert a == b == c
    assert "Last updated on Friday 27 November 2026." in a["index.html"].decode()
    # the day in the site's time zone: 23:30 UTC on 30 June is 1 July in London
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC).timestamp())))
    assert cli(*args, "--output", tmp_path / "d").code == 0
    assert "Last updated on Wednesday 1 July 2026." in (tmp_path / "d/index.html").read_text()
    # another day: the statuses and the footer move with it
    assert cli(*args, "--output", tmp_path / "e", "--today", "2026-12-02").code == 0
    e = tree(tmp_path / "e")
    assert e != a
    leisure = "decisions/2026-11-24-leisure-centre-charges/index.html"
    assert "May be called in until Tuesday 1 December 2026" in a[leisure].decode()
    assert "Can be implemented from Wednesday 2 December 2026" in e[leisure].decode()


# --- the example site -----------------------------------------------------------------


def test_the_example_has_every_kind_of_executive_record(example_output):
    assert TODAY == "2026-11-27"
    data = record(example_output)
    states = {e["id"]: e["state"] for e in data["forward_plan"]}
    assert set(states.values()) == {"planned", "slipped", "decided", "withdrawn"}
    made_ = {x["id"]: x for x in data["individual_decisions"]}
    park = made_["2012-03-12-park-avenue-disposal"]["decision"]
    assert park["key"] and park["plan_id"] == "kd-2012-07"
    assert park["call_in"]["outcome"] == "no-further-action"
    assert park["call_in"]["considered_at"] == "2012-03-27-overview-scrutiny"
    assert made_["2026-11-02-flood-defence-repairs"]["decision"]["call_in_status"] == "urgent"
    assert made_["2026-11-24-leisure-centre-charges"]["decision"]["call_in_status"] == "open"
    person = page(example_output, "/people/cllr-p-grant/")
    assert "/decisions/2012-03-12-park-avenue-disposal/" in person.split('id="made-h"')[1]
    register = page(example_output, "/decisions/2026/")
    assert "/decisions/2026-11-24-leisure-centre-charges/" in register
    feed = (example_output / "feeds/decisions.atom").read_text()
    assert "Leisure centre charges from January 2027" in feed
    csv = (example_output / "data/decisions.csv").read_text()
    assert "2026-11-24-leisure-centre-charges" in csv and "cllr-h-patel" in csv
    assert "/forward-plan/" in page(example_output, "/")  # in the menu
    # a decision file is not a meeting: not in the meetings' lists or calendar
    assert "leisure-centre-charges" not in page(example_output, "/meetings/")
    assert not (example_output / "meetings/2026").exists()
    assert "leisure" not in (example_output / "calendar/meetings.ics").read_text().lower()


# --- the preview ---------------------------------------------------------------------


def test_the_previews_executive_edits_match_clean_builds(tmp_path):
    from conftest import copy_example
    from test_cli import snapshot

    from sitegen.build import build
    from sitegen.incremental import Project

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    park = content / "decisions/2012/2012-03-12-park-avenue-disposal.yaml"
    leisure = content / "decisions/2026/2026-11-24-leisure-centre-charges.yaml"
    parking = content / "decisions/2026/2026-11-20-car-parking-charges.yaml"

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1))

    project = Project(content, out)
    assert project.build().ok
    steps = [
        # the call-in's outcome goes: called in, awaiting scrutiny (call-in page, person, meeting)
        lambda: edit(park, "  outcome: no-further-action\n", ""),
        # another meeting considers it: both meetings' pages change
        lambda: edit(
            park, "considered_at: 2012-03-27-overview-scrutiny", "considered_at: 2012-09-18-overview-scrutiny"
        ),
        # a new decision carries out the slipped plan entry: the forward plan changes
        lambda: parking.write_text(made("2026-11-20", "2026-11-20", key="true", plan="kd-2026-21")),
        # its notice moves: its call-in period and the call-in page change
        lambda: edit(leisure, "published: 2026-11-24", "published: 2026-11-26"),
        # renamed, then gone: the entry has slipped again
        lambda: parking.rename(parking.with_name("2026-11-21-car-parking-charges.yaml")),
        lambda: parking.with_name("2026-11-21-car-parking-charges.yaml").unlink(),
        # the forward plan itself
        lambda: edit(
            content / "forward-plan.yaml", "  expected: 2027-03\n", "  expected: 2027-03\n  withdrawn: 2026-11-26\n"
        ),
        lambda: edit(content / "site.yaml", "licence:", "call_in_days: 10\nlicence:"),
    ]
    for n, step in enumerate(steps, 1):
        step()
        result = project.build()
        assert result.ok, result.problems
        clean = tmp_path / f"clean-{n}"
        build(content, clean, base_path="/", search=False)
        assert snapshot(out) == snapshot(clean), f"after edit {n}"


def test_an_exempt_decision_and_plan_entry_show_their_title_and_reason_only(cli, site, tmp_path):
    secret = made(
        "2024-03-11",
        "2024-03-12",
        exempt="Paragraph 3 of Schedule 12A",
        reasons="SECRET-REASONS",
        alternatives="SECRET-ALTERNATIVES",
        documents="\n  - title: SECRET-DOC\n    href: files/secret.pdf",
    ).replace("To sell the old depot.", "SECRET-TEXT")
    plan = PLAN + "  documents:\n    - title: SECRET-PLAN-DOC\n      href: files/plan-secret.pdf\n"
    content = site({"decisions/d.yaml": secret, "forward-plan.yaml": plan})
    (content / "files").mkdir()
    (content / "files/secret.pdf").write_bytes(b"%PDF-1.4 SECRET-FILE")
    (content / "files/plan-secret.pdf").write_bytes(b"%PDF-1.4 SECRET-FILE")
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--today", "2024-03-13")
    assert result.code == 0, result.err
    decision = page(out, "/decisions/d/")
    assert "Sale of the old depot" in decision and "Paragraph 3 of Schedule 12A" in decision
    leaks = [
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and any(word in p.read_bytes() for word in (b"SECRET-", b"SECRET-FILE"))
    ]
    assert leaks == []
    assert not (out / "files/secret.pdf").exists() and not (out / "files/plan-secret.pdf").exists()


def test_prose_of_a_decision_file_and_the_plan_is_checked_at_its_line(cli, site):
    content = site(
        {
            "decisions/d.yaml": made("2024-03-11", reasons="See [the report](ref:2024-01-01-nowhere)."),
            "forward-plan.yaml": PLAN.replace("  summary: Whether", "  summary: Whether").replace(
                "first_published: 2024-01-02\n  key: true\n",
                "first_published: 2024-01-02\n  key: true\n  consultation: See [it](ref:nowhere-else).\n",
                1,
            ),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'decisions/d.yaml:6: link to "ref:2024-01-01-nowhere": there is no such meeting' in result.err, result.err
    assert 'forward-plan.yaml:7: link to "ref:nowhere-else"' in result.err, result.err


def test_nothing_of_an_exempt_decision_is_listed_or_summed(cli, site, tmp_path):
    cabinet = """\
body: cabinet
date: 2024-03-11
items:
  - id: land
    title: Land deal
    exempt: Paragraph 3
    decisions:
      - id: "1"
        to: council
        text: SECRET-TEXT
        money:
          - amount: 987654
            kind: one-off
            what: SECRET-WHAT
      - id: "2"
        text: SECRET-RESOLUTION
        published: 2024-03-12
        key: true
        call_in:
          called_in: 2024-03-14
          considered_at: 2024-03-20-audit
"""
    council = """\
body: council
date: 2024-03-25
items:
  - id: land
    title: Land deal (recommendation from Cabinet)
    decisions:
      - id: "1"
        text: Approved.
        decides:
          - ref: 2024-03-11-cabinet/land/1
            outcome: approved
"""
    exempt_file = made("2024-03-11", "2024-03-12", exempt="Paragraph 3", key="true").replace(
        "To sell the old depot.", "SECRET-FILE-TEXT"
    )
    content = site(
        {
            "meetings/2024-03-11-cabinet.yaml": cabinet,
            "meetings/2024-03-20-audit.yaml": "body: audit\ndate: 2024-03-20\n",
            "meetings/2024-03-25-council.yaml": council,
            "decisions/d.yaml": exempt_file,
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--today", "2024-04-01")
    assert result.code == 0, result.err
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".pf_fragment":
            data = path.read_bytes()
            for word in (b"SECRET", b"987654", b"987,654"):
                assert word not in data, (path, word)
    assert "Land deal" not in page(out, "/meetings/2024-03-20-audit/")  # the call-in of an exempt decision
    assert "/decisions/d/" not in page(out, "/people/cllr-a-khan/")  # an exempt decision made alone
    decision = page(out, "/decisions/d/")
    assert "Paragraph 3" in decision and "Key decision" not in decision


def test_an_exempt_decision_file_is_warned_of_as_a_decision(cli, site):
    content = site({"decisions/d.yaml": made("2024-01-10", exempt="Paragraph 3")})
    result = cli("check", "--content", content)
    assert "decisions/d.yaml:1: warning: the decision is exempt: only its title and reason are published" in (
        result.err
    ), result.err


def test_a_decision_file_of_a_body_that_is_not_the_executive_has_no_call_in(cli, site, tmp_path):
    content = site(
        {
            "decisions/delegated.yaml": made("2024-03-11", "2024-03-12").replace("cllr-a-khan", "audit"),
            "decisions/cabinet.yaml": made("2024-03-11", "2024-03-12").replace("cllr-a-khan", "cabinet"),
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", "2024-03-13")
    assert result.code == 0, result.err
    states = {x["id"]: x["decision"].get("call_in_status") for x in record(out)["individual_decisions"]}
    assert states == {"delegated": None, "cabinet": "open"}
    assert "may be called in" not in page(out, "/decisions/delegated/").lower()


def test_a_notice_dated_after_today_starts_no_call_in_period_yet(cli, site, tmp_path):
    content = site({"decisions/d.yaml": made("2024-03-11", "2024-03-14")})
    for today, state in (("2024-03-13", None), ("2024-03-14", "open")):
        out = tmp_path / today
        result = cli("build", "--content", content, "--output", out, "--no-search", "--today", today)
        assert result.code == 0, result.err
        assert decision_of(out, "d").get("call_in_status") == state, today
        assert ("may be called in until" in page(out, "/decisions/call-in/").lower()) == (state == "open")


def test_a_call_in_that_names_no_one_is_shown_without_an_empty_line(cli, site, tmp_path):
    content = site(
        {"decisions/d.yaml": made("2024-03-11", "2024-03-12", call_in="\n  called_in: 2024-03-14\n  by: []")}
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", "2024-03-15").code == 0
    html = page(out, "/decisions/d/")
    assert "Called in on Thursday 14 March 2024; awaiting scrutiny" in html
    assert '<p class="called-in"></p>' not in html and "Called in by" not in html


@pytest.mark.parametrize(
    ("today", "decision_words", "call_in_words"),
    [
        ("2024-03-15", "To be considered by", "to be considered by"),
        ("2024-03-25", "Considered by", "considered by"),
    ],
)
def test_a_call_in_awaiting_scrutiny_says_the_same_tense_on_both_pages(
    cli, site, tmp_path, today, decision_words, call_in_words
):
    content = site(
        {
            "decisions/d.yaml": made(
                "2024-03-11", "2024-03-12", call_in="\n  called_in: 2024-03-14\n  considered_at: 2024-03-20-audit"
            ),
            "meetings/2024-03-20-audit.yaml": "body: audit\ndate: 2024-03-20\nstatus: scheduled\n",
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", today).code == 0
    assert f"{decision_words} <a" in page(out, "/decisions/d/")
    waiting = page(out, "/decisions/call-in/").split('id="waiting-h"')[1].split("</section>")[0]
    assert f"; {call_in_words} <a" in waiting


def test_a_link_to_an_exempt_decision_file_leads_to_its_page(cli, site, tmp_path):
    content = site(
        {
            "decisions/2024-03-11-secret.yaml": made("2024-03-11", "2024-03-12", exempt="Paragraph 3"),
            "meetings/2024-03-20-audit.yaml": "body: audit\ndate: 2024-03-20\nnotes: See [the decision](ref:2024-03-11-secret).\n",
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert 'href="/decisions/2024-03-11-secret/"' in page(out, "/meetings/2024-03-20-audit/")


def test_a_notice_or_plan_entry_published_on_a_day_still_to_come_is_warned_of(cli, site):
    content = site({"forward-plan.yaml": PLAN, "decisions/d.yaml": made("2024-01-01", "2024-01-05")})
    result = cli("check", "--content", content, "--today", "2024-01-01")
    assert result.code == 0, result.err
    assert "decisions/d.yaml:5: warning: published 2024-01-05, a day still to come" in result.err
    assert "forward-plan.yaml:5: warning: first_published 2024-01-02, a day still to come" in result.err


def test_a_recommendation_given_key_and_plan_is_warned_of_and_decides_no_entry(cli, site, tmp_path):
    cabinet = (
        "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title: Depot\n    decisions:\n"
        "      - id: '1'\n        to: council\n        text: Council sells the depot.\n        key: true\n        plan: kd-1\n"
    )
    content = site({"forward-plan.yaml": PLAN, "meetings/2024-01-10-cabinet.yaml": cabinet})
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", "2024-01-11")
    assert result.code == 0, result.err
    assert "meetings/2024-01-10-cabinet.yaml:11: warning: a recommendation is not itself the decision" in result.err
    entry = next(e for e in record(out)["forward_plan"] if e["id"] == "kd-1")
    assert entry["state"] != "decided"
