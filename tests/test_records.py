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


def test_referred_back_is_the_recommending_bodys_move(cli, site, tmp_path):
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("referred-back")),
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert "Referred back to Cabinet on 7 February 2024; awaiting a new recommendation from Cabinet" in page(
        out, "/meetings/2024-01-10-cabinet/parking/"
    )
    awaiting = page(out, "/decisions/awaiting/")
    assert 'id="body-council-h"' not in awaiting  # nothing waits on Council
    assert awaiting.index('id="body-cabinet-h"') < awaiting.index("2024-01-10-cabinet/parking/#decision-1")


def test_supersedes_must_name_a_recommendation(cli, site):
    remade = CABINET.replace("2024-01-10", "2024-03-06").replace(
        "        to: council\n", "        to: council\n        supersedes: 2024-01-10-cabinet/parking\n"
    )
    content = site({"meetings/2024-01-10-cabinet.yaml": CABINET, "meetings/2024-03-06-cabinet.yaml": remade})
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/2024-03-06-cabinet.yaml:9: supersedes "2024-01-10-cabinet/parking" names an item' in result.err


# --- aliases and ids ---------------------------------------------------------------


def test_a_persons_old_id_is_read_in_meeting_files(cli, site, tmp_path):
    from conftest import PEOPLE

    people = PEOPLE.replace("- id: cllr-a-khan\n", "- id: cllr-a-khan-smith\n  aliases: [cllr-a-khan]\n")
    content = site(
        {
            "people.yaml": people,
            "meetings/2024-01-10-cabinet.yaml": "body: cabinet\ndate: 2024-01-10\npresent: [leader, cllr-a-khan]\n",
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert "2024-01-10-cabinet" in page(out, "/people/cllr-a-khan-smith/")


def test_aliases_never_collide(cli, site):
    content = site(
        {
            "meetings/a.yaml": "body: cabinet\ndate: 2024-01-10\naliases: [old, '2024']\n",
            "meetings/b.yaml": (
                "body: cabinet\ndate: 2024-01-11\naliases: [old]\nitems:\n  - id: one\n    title: One\n"
                "  - id: two\n    title: Two\n    aliases: [one]\n"
            ),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/b.yaml:1: alias "old" of meeting "b" is also an alias of meeting "a"' in result.err
    assert 'the alias "2024" would clash with the year page /meetings/2024/' in result.err
    assert 'meetings/b.yaml:7: alias "one" of item "two" is the id of another item of this meeting' in result.err


def test_an_item_moved_to_another_meeting_keeps_its_old_address(cli, site, tmp_path):
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": "body: cabinet\ndate: 2024-01-10\n",
            "meetings/2024-01-17-cabinet.yaml": (
                "body: cabinet\ndate: 2024-01-17\nitems:\n  - id: budget\n    title: Budget\n"
                "    aliases: [2024-01-10-cabinet/budget]\n    decisions:\n      - id: '1'\n        text: Agreed.\n"
            ),
            "meetings/2024-02-01-council.yaml": (
                "body: council\ndate: 2024-02-01\nitems:\n  - id: x\n    title: X\n"
                "    minutes: See [the decision](ref:2024-01-10-cabinet/budget/1).\n"
            ),
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert (
        "/meetings/2024-01-10-cabinet/budget/ /meetings/2024-01-17-cabinet/budget/ 301"
        in (out / "_redirects").read_text()
    )
    assert 'href="/meetings/2024-01-17-cabinet/budget/#decision-1"' in page(out, "/meetings/2024-02-01-council/x/")


def test_automatic_issue_ids_never_merge_two_matters(cli, site):
    def chain(meeting: str, item: str) -> dict[str, str]:
        return {
            f"meetings/{meeting}.yaml": (
                f"body: cabinet\ndate: 2024-01-05\nitems:\n  - id: {item}\n    title: T\n"
                "    decisions:\n      - id: '1'\n        to: council\n        text: R.\n"
            ),
            f"meetings/{meeting}-later.yaml": (
                f"body: council\ndate: 2024-02-05\nitems:\n  - id: {item}\n    title: T\n    decisions:\n"
                f"      - id: '1'\n        text: D.\n        decides:\n          - ref: {meeting}/{item}/1\n"
                "            outcome: approved\n"
            ),
        }

    content = site({**chain("2024-01-05-cabinet", "extra-budget"), **chain("2024-01-05-cabinet-extra", "budget")})
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'to the same automatic issue id "2024-01-05-cabinet-extra-budget"' in result.err


def test_new_meeting_refuses_an_id_that_exists_in_another_form(cli, site):
    content = site({"meetings/old/2024-01-10-cabinet.yaml": "body: cabinet\ndate: 2024-01-10\n"})
    result = cli("new", "meeting", "cabinet", "2024-01-10", "--content", content)
    assert result.code == 1 and "already exists, in" in result.err
    assert not (content / "meetings/2024/2024-01-10-cabinet.md").exists()


def test_times_ids_and_empty_files_get_a_useful_message(cli, site):
    content = site(
        {
            "meetings/a.yaml": "body: cabinet\ndate: 2024-01-10\nstart: 6.30pm\nend: 9.30am\n",
            "meetings/b.yaml": "body: cabinet\ndate: 2024-01-11\nstart: '18:30'\nend: '17:00'\n",
            "meetings/c.yaml": "body: cabinet\ndate: 2024-01-12\nitems:\n  - id: ŷd-a-ŵyn\n    title: Corn\n",
            "meetings/d.yaml": "# to be written\n",
            "meetings/e.yaml": "~\n",
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/a.yaml:3: start "6.30pm" is not a time in the form sitegen reads: write 18:30' in result.err
    assert 'meetings/a.yaml:4: end "9.30am" is not a time in the form sitegen reads: write 09:30' in result.err
    assert "meetings/b.yaml:4: end 17:00 is before start 18:30" in result.err
    assert '(e.g. "yd-a-wyn")' in result.err
    assert "meetings/d.yaml:1: the file holds no meeting" in result.err
    assert "meetings/e.yaml:1: the file holds no meeting" in result.err


def test_yaml_tags_and_merge_keys_are_errors_not_silent_text(cli, site):
    content = site(
        {
            "meetings/a.yaml": (
                "body: cabinet\ndate: 2024-01-10\nitems:\n  - &base\n    id: one\n    title: !!binary aGVsbG8=\n"
                "  - <<: *base\n    id: two\n"
            )
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/a.yaml:6: YAML tags such as "!!binary" are not used in content files' in result.err
    assert 'meetings/a.yaml:7: YAML merge keys ("<<: *name") are not used in content files' in result.err


def test_open_data_names_recommendations_by_their_own_ids(cli, site, tmp_path):
    import csv
    import json

    renamed = CABINET.replace("2024-01-10\n", "2024-01-10\naliases: [2024-01-10-cab]\n")
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": renamed,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("approved", "2024-01-10-cab/parking/1")),
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    record = json.loads((out / "data/record.json").read_text())
    decides = [d["decides"] for e in record["events"] for i in e["agenda"] for d in i["decisions"] if "decides" in d]
    assert decides == [[{"ref": "2024-01-10-cabinet/parking/1", "outcome": "approved", "note": None}]]
    rows = list(csv.DictReader((out / "data/decisions.csv").open(encoding="utf-8")))
    assert [r["outcome"] for r in rows if r["meeting"] == "2024-02-07-council"] == [
        "approved: 2024-01-10-cabinet/parking/1"
    ]


def test_superseding_twice_and_deciding_a_superseded_one_are_warnings(cli, site):
    remade = CABINET.replace("2024-01-10", "2024-03-06").replace(
        "        to: council\n", "        to: council\n        supersedes: 2024-01-10-cabinet/parking/1\n"
    )
    again = remade.replace("2024-03-06", "2024-03-13")
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-07-council.yaml": council("2024-02-07", step("referred-back")),
            "meetings/2024-03-06-cabinet.yaml": remade,
            "meetings/2024-03-13-cabinet.yaml": again,
            "meetings/2024-04-03-council.yaml": council("2024-04-03", step("referred-back")),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 0, result.err
    assert "2024-03-06-cabinet/parking/1 already supersedes that recommendation" in result.err
    assert "meetings/2024-04-03-council.yaml:12: warning: decides" in result.err and "was superseded by" in result.err


def test_an_alias_of_its_own_id_and_a_moved_item_under_an_old_meeting_id(cli, site):
    content = site(
        {
            "meetings/a.yaml": "body: cabinet\ndate: 2024-01-10\naliases: [a, old-cab]\nitems:\n  - id: x\n    title: X\n",
            "meetings/b.yaml": "body: cabinet\ndate: 2024-01-11\nitems:\n  - id: y\n    title: Y\n    aliases: [old-cab/x]\n",
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'alias "a" of meeting "a" is its own id' in result.err
    assert 'alias "old-cab/x" of item "b/y" is an item of old-cab still' in result.err


def test_a_pipe_among_the_meetings_is_an_error_not_a_hang(cli, site):
    import os

    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2024-01-10\n"})
    os.mkfifo(content / "meetings/pipe.yaml")
    result = cli("check", "--content", content)
    assert result.code == 1 and "meetings/pipe.yaml:1: this is not a regular file" in result.err


def attendance(html: str) -> str:
    return re.sub(r"\s+", " ", html.split('id="attendance-h"')[1].split("</table>")[0])


def test_attendance_counts_each_person_once_and_only_meetings_that_took_place(cli, site, tmp_path):
    def held(date: str, present: str, apologies: str = "[]", status: str = "held", chair: str = "leader") -> str:
        return f"body: cabinet\ndate: {date}\nstatus: {status}\nchair: {chair}\npresent: {present}\napologies: {apologies}\n"

    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": held("2024-01-10", "[leader, cllr-a-khan, cllr-a-khan]"),
            "meetings/2024-02-10-cabinet.yaml": held("2024-02-10", "[leader, cllr-a-khan]", "[cllr-a-khan]"),
            "meetings/2024-03-10-cabinet.yaml": held("2024-03-10", "[leader]", "[cllr-a-khan]", status="cancelled"),
            "meetings/2024-04-10-cabinet.yaml": held("2024-04-10", "[cllr-a-khan]", chair="leader"),
            "meetings/2025-01-10-cabinet.yaml": held("2025-01-10", "[leader]", "[cllr-a-khan]", status="scheduled"),
            "meetings/2024-05-10-cabinet.yaml": held("2024-05-10", "[leader]", status="scheduled"),  # (not updated)
        }
    )
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", "2024-12-01")
    assert result.code == 0, result.err
    warned = result.err
    assert 'meetings/2024-01-10-cabinet.yaml:5: warning: "cllr-a-khan" is listed twice in present; remove one' in warned
    assert 'meetings/2024-02-10-cabinet.yaml:6: warning: "cllr-a-khan" is in present and also in apologies' in warned
    assert (
        "meetings/2024-03-10-cabinet.yaml:1: warning: the meeting is marked cancelled but lists who was present"
        in warned
    )
    assert 'meetings/2024-04-10-cabinet.yaml:4: warning: the chair "leader" is not listed in present' in warned
    assert "meetings/2025-01-10-cabinet.yaml:5: warning: the meeting is dated 2025-01-10, a day still to come" in warned
    # Khan: present at three meetings that took place (once each), never sending apologies there
    assert "Cabinet</a></th><td>3 of 3</td><td>0 of 3</td>" in attendance(page(out, "/people/cllr-a-khan/"))
    # the Leader: present at two (the cancelled one and the one to come do not count)
    assert "Cabinet</a></th><td>2 of 2</td><td>0 of 2</td>" in attendance(page(out, "/people/leader/"))


def test_impossible_votes_are_warned_of_and_each_person_counted_once(cli, site, tmp_path):
    meeting = """\
body: cabinet
date: 2024-01-10
present: [leader, cllr-a-khan]
apologies: [chief-executive]
items:
  - id: a
    title: Budget
    decisions:
      - id: "1"
        text: Agreed.
    votes:
      - on: "1"
        for: [leader, cllr-a-khan, chief-executive]
        against: [leader]
      - on: "1"
        for: 5
        against: 7
"""
    content = site({"meetings/2024-01-10-cabinet.yaml": meeting})
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    warned = result.err
    prefix = "meetings/2024-01-10-cabinet.yaml"
    assert f'{prefix}:13: warning: "chief-executive" voted but sent apologies' in warned
    assert f'{prefix}:14: warning: "leader" is listed as for and also as against in this vote; remove one' in warned
    assert f'{prefix}:15: warning: a second vote on "1"' in warned
    assert f"{prefix}:15: warning: the vote counts 12 votes but 2 people are listed present" in warned
    votes = page(out, "/people/leader/").split('id="votes-h"')[1].split("</table>")[0]
    assert votes.count("<tr><td>") == 1 and "Against" not in votes and "decision 1</a>" in votes
    feed = (out / "people/leader/feed.atom").read_text()
    assert "Voted for: Budget" in feed and "Voted against" not in feed


def test_records_out_of_order_or_of_the_wrong_body_are_warned_of(cli, site, tmp_path):
    cabinet = """\
body: cabinet
date: 2024-01-10
end: "10:00"
items:
  - id: parking
    title: Parking charges
    decisions:
      - id: "1"
        to: council
        at: 2024-01-05-council
        text: Council approves the charges.
      - id: "2"
        to: audit
        at: 2024-02-01-council
        text: Audit reviews the charges.
      - id: "3"
        to: cabinet
        text: Cabinet approves itself.
"""
    early = "body: council\ndate: 2024-01-05\nitems:\n  - id: x\n    title: X\n    considers: [2024-01-10-cabinet/parking/1]\n"
    audit = """\
body: audit
date: 2024-03-01
items:
  - id: y
    title: Y
    decisions:
      - id: "1"
        to: council
        supersedes: 2024-01-10-cabinet/parking/1
        text: A new recommendation.
"""
    future = (
        "body: council\ndate: 2027-03-01\nstatus: scheduled\nitems:\n  - id: t\n    title: Tax\n"
        "    decisions:\n      - id: '1'\n        text: Tax approved.\n"
    )
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": cabinet,
            "meetings/2024-01-05-council.yaml": early,
            "meetings/2024-02-01-council.yaml": "body: council\ndate: 2024-02-01\n",
            "meetings/2024-03-01-audit.yaml": audit,
            "meetings/2024-03-02-cabinet-2.yaml": "body: council\ndate: 2024-03-02\n",
            "meetings/2027-03-01-council.yaml": future,
        }
    )
    result = cli("check", "--content", content, "--today", "2026-12-06")
    assert result.code == 0, result.err
    warned = result.err
    cab = "meetings/2024-01-10-cabinet.yaml"
    assert f'{cab}:10: warning: at "2024-01-05-council": that meeting is dated 2024-01-05, before' in warned
    assert f'{cab}:14: warning: at "2024-02-01-council" is a meeting of Council, but the recommendation is to' in warned
    assert f'{cab}:17: warning: "to: cabinet": the recommendation is to Cabinet, the body that makes it' in warned
    assert f"{cab}:3: warning: end is given without start" in warned
    assert 'meetings/2024-01-05-council.yaml:6: warning: considers "2024-01-10-cabinet/parking/1": that' in warned
    assert 'meetings/2024-03-01-audit.yaml:9: warning: supersedes "2024-01-10-cabinet/parking/1": that ' in warned
    assert "meetings/2024-03-02-cabinet-2.yaml:1: warning: the file name says Cabinet" in warned
    assert "meetings/2027-03-01-council.yaml:1: warning: the meeting is dated 2027-03-01, a day still to come" in warned


def test_a_resolution_typed_into_an_agenda_settles_nothing_until_the_meeting_is_held(cli, site, tmp_path):
    agenda = council("2027-01-10", step("approved"), status="scheduled").replace("record: approved\n", "")
    content = site({"meetings/2024-01-10-cabinet.yaml": CABINET, "meetings/2027-01-10-council.yaml": agenda})
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search", "--today", "2026-12-06")
    assert result.code == 0, result.err
    assert "the meeting is dated 2027-01-10, a day still to come, but has minutes or decisions" in result.err
    html = re.sub(r"\s+", " ", page(out, "/meetings/2024-01-10-cabinet/parking/"))
    assert "Approved" not in html and "On the agenda" in html
    assert "/meetings/2024-01-10-cabinet/parking/" in page(out, "/decisions/awaiting/")
    (content / "meetings/2027-01-10-council.yaml").write_text(agenda.replace("status: scheduled", "status: held"))
    assert cli("build", "--content", content, "--output", out, "--no-search", "--today", "2027-01-11").code == 0
    assert "Approved by Council" in page(out, "/meetings/2024-01-10-cabinet/parking/")


def test_meeting_files_in_the_wrong_place_are_warned_of(cli, site, tmp_path):
    meeting = "body: cabinet\ndate: 2024-01-10\n"
    content = site(
        {
            "meeting/2024-01-10-cabinet.md": f"---\n{meeting}---\n",
            "2024-01-11-cabinet.yaml": meeting.replace("10", "11"),
            "meetings/2024-01-12-cabinet.markdown": f"---\n{meeting}---\n",
            "meetings/notes.docx": "x",
            "meetings/Thumbs.db": "x",
            "meetings/~$notes.docx": "x",
            "meetings/2024-01-10-cabinet-and-council.yaml": "body: council\ndate: 2024-01-10\n",
            "meetings/_drafts/2024-09-09-cabinet.docx": "x",
            "drafts/readme.txt": "nothing here",
            "bodys.yaml": "- id: x\n",
        }
    )
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    (elsewhere / "2024-01-13-cabinet.yaml").write_text(meeting.replace("10", "13"))
    (content / "meetings" / "2024").symlink_to(elsewhere)
    result = cli("check", "--content", content)
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if "warning:" in line]
    assert warned == [
        "2024-01-11-cabinet.yaml: warning: 2024-01-11-cabinet.yaml is not read: meeting files go under meetings/",
        'bodys.yaml: warning: bodys.yaml is not read (did you mean "bodies"?)',
        'meeting: warning: meeting/ is not read (did you mean "meetings"?): meeting files go under meetings/ '
        "(name it _meeting/ to keep it unread without this warning)",
        "meetings/2024: warning: meetings/2024/ is a symbolic link to a folder, whose files are not read; put the folder itself here",
        "meetings/2024-01-12-cabinet.markdown: warning: meetings/2024-01-12-cabinet.markdown is not read: only .md, "
        ".yaml and .yml files are meetings (name it .md or .yaml, or put documents under files/)",
        "meetings/notes.docx: warning: meetings/notes.docx is not read: only .md, .yaml and .yml files are meetings "
        "(name it .md or .yaml, or put documents under files/)",
    ]


def test_a_mistyped_status_is_one_error_not_a_warning_of_a_meeting_held_in_the_future(cli, site):
    content = site({"meetings/2027-01-10-cabinet.yaml": "body: cabinet\ndate: 2027-01-10\nstatus: sheduled\n"})
    result = cli("check", "--content", content, "--today", "2026-12-06")
    assert result.code == 1
    assert 'meetings/2027-01-10-cabinet.yaml:3: status "sheduled" is not one of' in result.err
    assert "in the future" not in result.err


def test_a_text_empty_in_one_language_says_which(cli, site):
    content = site(
        {
            "site.yaml": "authority: T\nlanguages: [en, cy]\n",
            "meetings/m.yaml": "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: a\n    title:\n      en: Budget\n      cy: ''\n",
        }
    )
    result = cli("check", "--content", content)
    assert (
        result.code == 1 and 'meetings/m.yaml:6: "title" is empty in "cy"; write it, or remove that line' in result.err
    )


def test_a_decision_file_named_as_a_meeting_is_one_error_without_knock_on_errors(cli, site):
    decision = "date: 2024-02-01\ndecision_maker: cabinet\ntitle: Land\ntext: Sold.\n"
    later = council("2024-02-01", step("approved"))
    content = site(
        {
            "meetings/2024-01-10-cabinet.yaml": CABINET,
            "meetings/2024-02-01-council.yaml": later,
            "decisions/2024-01-10-cabinet.yaml": decision,
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith(("meetings/", "decisions/"))]
    assert errors == [
        'decisions/2024-01-10-cabinet.yaml:1: duplicate id "2024-01-10-cabinet" (first at '
        "meetings/2024-01-10-cabinet.yaml); the ids of meetings and decisions are their file names, unique across "
        "meetings/ and decisions/: rename one of them"
    ]


def test_the_chairs_casting_vote_may_be_counted(cli, site):
    def meeting(against: int) -> str:
        return (
            "body: cabinet\ndate: 2024-01-10\nchair: leader\npresent: [leader, cllr-a-khan]\nitems:\n  - id: a\n"
            f"    title: A\n    decisions:\n      - id: '1'\n        text: Agreed.\n    votes:\n      - on: '1'\n"
            f"        for: 1\n        against: {against}\n"
        )

    assert "the vote counts" not in cli("check", "--content", site({"meetings/m.yaml": meeting(2)})).err
    assert (
        "the vote counts 4 votes but 2 people" in cli("check", "--content", site({"meetings/m.yaml": meeting(3)})).err
    )


def test_a_text_left_empty_in_one_language_shows_the_other(cli, site, tmp_path):
    meeting = (
        "body: cabinet\ndate: 2024-01-10\nlocation:\n  cy: ''\n  en: HallXYZ\nitems:\n  - id: a\n"
        "    title:\n      cy: Cyllideb\n      en: Budget\n    minutes:\n      cy: ''\n      en: MinutesXYZ\n"
    )
    content = site({"site.yaml": "authority: T\nlanguages: [cy, en]\n", "meetings/m.yaml": meeting})
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert "meetings/m.yaml:4: warning: 2 texts lack a translation into cy" in result.err
    welsh = page(out, "/meetings/m/a/")
    assert '<div lang="en"><p>MinutesXYZ</p>' in welsh
    assert "HallXYZ" in page(out, "/meetings/m/") and "MinutesXYZ" in page(out, "/en/meetings/m/a/")
