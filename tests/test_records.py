"""Records that contradict themselves are reported; a referred-back recommendation that
its body re-makes is closed by the new one (supersedes)."""

from __future__ import annotations

import re

from conftest import page

CABINET = """\
body: cabinet
date: 2024-01-10
items:
  - id: parking
    title: Parking charges
    decisions:
      - id: "1"
        to: council
        text: Council approves the charges.
"""


def council(date: str, steps: str, status: str = "held") -> str:
    return f"""\
body: council
date: {date}
status: {status}
record: approved
items:
  - id: parking
    title: Parking charges
    decisions:
      - id: "1"
        text: Decided.
        decides:
{steps}"""


def step(outcome: str, ref: str = "2024-01-10-cabinet/parking/1") -> str:
    return f"          - ref: {ref}\n            outcome: {outcome}\n"


def test_decided_again_after_being_settled_is_a_warning(cli, site):
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("approved")),
            "meetings/2024-03-06-council.yaml": council("2024-03-06", step("rejected")),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 0
    assert re.search(
        r"meetings/2024-03-06-council\.yaml:12: warning: decides \"2024-01-10-cabinet/parking/1\": the recommendation "
        r"was already settled \(approved by Council on 2024-02-07, at meetings/2024-02-07-council\.yaml:12\)",
        result.err,
    ), result.err
    assert cli("check", "--content", content, "--strict").code == 1


def test_the_same_ref_twice_in_one_decides_is_an_error(cli, site):
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("approved") + step("rejected")),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert (
        'meetings/2024-02-07-council.yaml:14: decides "2024-01-10-cabinet/parking/1": this decision already names'
        in result.err
    )


def test_recommendations_that_decide_each_other_are_an_error(cli, site):
    a = CABINET.replace(
        "text: Council approves the charges.", "text: A.\n        decides:\n" + step("approved", "b/parking/1")
    )
    b = CABINET.replace("to: council", "to: cabinet").replace(
        "text: Council approves the charges.", "text: B.\n        decides:\n" + step("approved", "a/parking/1")
    )
    content = site({"meetings/a.yaml": a.replace("to: council", "to: cabinet"), "meetings/b.yaml": b})
    result = cli("check", "--content", content)
    assert result.code == 1
    assert "settle each other in a circle (" in result.err and "Traceback" not in result.err


def test_a_cancelled_meeting_with_decisions_and_a_past_scheduled_meeting(cli, site, tmp_path):
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("approved"), status="cancelled"),
            "meetings/2024-05-01-council.yaml": "body: council\ndate: 2024-05-01\nstatus: scheduled\n",
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0
    assert (
        "meetings/2024-02-07-council.yaml:1: warning: the meeting is marked cancelled but has minutes or decisions"
        in result.err
    )
    assert (
        "meetings/2024-05-01-council.yaml:1: warning: the meeting is scheduled but dated 2024-05-01, in the past"
        in result.err
    )
    html = page(out, "/meetings/2024-05-01-council/")
    assert "Status not yet updated" in html and "has not yet taken place" not in html


def test_supersedes_closes_the_referred_back_recommendation(cli, site, tmp_path):
    remade = CABINET.replace("2024-01-10", "2024-03-06").replace(
        "        to: council\n", "        to: council\n        supersedes: 2024-01-10-cabinet/parking/1\n"
    )
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("referred-back")),
            "meetings/2024-03-06-cabinet.yaml": remade,
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    old = page(out, "/meetings/2024-01-10-cabinet/parking/")
    assert (
        "Referred back to Cabinet on 7 February 2024; superseded by Cabinet&#39;s recommendation of 6 March 2024" in old
    )
    assert 'href="/meetings/2024-03-06-cabinet/parking/#decision-1"' in old
    new = page(out, "/meetings/2024-03-06-cabinet/parking/")
    assert 'href="/meetings/2024-01-10-cabinet/parking/#decision-1"' in new and "supersedes it" in new
    awaiting = page(out, "/decisions/awaiting/")
    assert "2024-03-06-cabinet/parking/#decision-1" in awaiting
    assert "2024-01-10-cabinet/parking/#decision-1" not in awaiting  # closed
    import json

    record = json.loads((out / "data/record.json").read_text())
    decisions = {d["id"]: d for e in record["events"] for i in e["agenda"] for d in i.get("decisions", [])}
    assert decisions["2024-01-10-cabinet/parking/1"]["status"] == "superseded"
    assert decisions["2024-01-10-cabinet/parking/1"]["superseded_by"] == ["2024-03-06-cabinet/parking/1"]
    assert decisions["2024-03-06-cabinet/parking/1"]["supersedes"] == "2024-01-10-cabinet/parking/1"


def test_supersedes_must_name_a_recommendation(cli, site):
    remade = CABINET.replace("2024-01-10", "2024-03-06").replace(
        "        to: council\n", "        to: council\n        supersedes: 2024-01-10-cabinet/parking\n"
    )
    content = site({"meetings/2024-01-10-cabinet.yaml": CABINET, "meetings/2024-03-06-cabinet.yaml": remade})
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/2024-03-06-cabinet.yaml:9: supersedes "2024-01-10-cabinet/parking" names an item' in result.err
