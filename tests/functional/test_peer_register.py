"""The peer register pages: add, change, import with a preview; our own partnership flagged once."""

from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, PeerPartnership
from tests.functional.test_form_legends import Page
from tests.support import WebClient


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def peers(app) -> dict[str, tuple]:
    with app.app_context():
        return {p.name: (p.area, p.population, p.family_group, p.is_own)
                for p in db.session.scalars(select(PeerPartnership))}


def test_an_officer_adds_and_changes_partnerships_and_only_one_is_our_own(app, people):
    web = signed_in(app, people.cso)
    added = web.post("/benchmarking/peers/new", {"name": "South Derbyshire", "area": "Derbyshire", "population": "94600",
                                    "family_group": "Group 7", "is_own": "y"})
    assert added.status_code == 302
    web.post("/benchmarking/peers/new", {"name": "Amber Valley", "area": "Derbyshire", "population": "", "family_group": "Group 7"})
    assert peers(app) == {"South Derbyshire": ("Derbyshire", 94600, "Group 7", True),
                          "Amber Valley": ("Derbyshire", None, "Group 7", False)}
    with app.app_context():
        amber = db.session.scalar(select(PeerPartnership.id).where(PeerPartnership.name == "Amber Valley"))
    web.post(f"/benchmarking/peers/{amber}/edit", {"name": "Amber Valley", "area": "Derbyshire", "population": "122300",
                                      "family_group": "Group 7", "is_own": "y"})
    assert peers(app)["Amber Valley"] == ("Derbyshire", 122300, "Group 7", True)
    assert peers(app)["South Derbyshire"][3] is False  # the flag moved
    page = web.get("/benchmarking/peers/").get_data(as_text=True)
    assert "Amber Valley</a> <strong class=\"govuk-tag govuk-tag--purple\">Our partnership</strong>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("peer.%"))) == 4


def test_bad_details_are_refused_with_the_reason(app, people):
    web = signed_in(app, people.cso)
    web.post("/benchmarking/peers/new", {"name": "Boston"})
    for form, message in [({"name": "boston"}, "Boston is already in the register"),
                          ({"name": ""}, "Enter the partnership&#39;s name"),
                          ({"name": "Rother", "population": "64,60"}, "Population must be a whole number, like 94,600"),
                          ({"name": "Rother", "population": "6.5"}, "Population must be a whole number, like 94,600")]:
        response = web.post("/benchmarking/peers/new", form)
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    assert set(peers(app)) == {"Boston"}


def test_a_population_copied_from_a_report_with_thousands_separators_is_read_as_the_number(app, people):
    web = signed_in(app, people.cso)
    web.post("/benchmarking/peers/new", {"name": "Rother", "population": "92,600", "family_group_choice": "none"})
    web.post("/benchmarking/peers/new", {"name": "Hastings", "population": " 91 100 ", "family_group_choice": "none"})
    assert {name: details[1] for name, details in peers(app).items()} == {"Rother": 92600, "Hastings": 91100}


def _upload(web: WebClient, text: str, name: str = "register.csv"):
    return web.post("/benchmarking/peers/import", {"sheet": (io.BytesIO(text.encode()), name)},
                    content_type="multipart/form-data")


def test_importing_shows_a_preview_then_saves_exactly_that(app, people):
    web = signed_in(app, people.cso)
    web.post("/benchmarking/peers/new", {"name": "Boston", "area": "Lincs"})
    preview = _upload(web, "name,area,population,family_group,own\nBoston,Lincolnshire,64600,Group 7,\n"
                           "Fenland,Cambridgeshire,,Group 7,\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "1 to add and 1 already in the register" in page
    assert peers(app) == {"Boston": ("Lincs", None, "", False)}  # nothing saved yet
    sheet = page.split('name="checked_sheet" type="hidden" value="')[1].split('"')[0]
    saved = web.post("/benchmarking/peers/import/save", {"checked_sheet": html.unescape(sheet), "source": "register.csv"})
    assert saved.status_code == 302
    assert peers(app) == {"Boston": ("Lincolnshire", 64600, "Group 7", False),
                          "Fenland": ("Cambridgeshire", None, "Group 7", False)}
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "peer.imported"))
        assert event.after == {"source": "register.csv", "added": 1, "updated": 1}


def test_a_bad_file_lists_every_problem_and_imports_nothing(app, people):
    web = signed_in(app, people.cso)
    response = _upload(web, "name,population\nBoston,lots\n,5\n")
    page = response.get_data(as_text=True)
    assert "The file has 2 problems. Nothing has been saved" in page
    assert "row 2, column population: ‘lots’ is not a whole number of people above 0" in page
    assert "row 3, column name: enter the partnership&#39;s name" in page
    assert peers(app) == {}


def test_a_tampered_preview_is_checked_again_before_saving(app, people):
    web = signed_in(app, people.cso)
    response = web.post("/benchmarking/peers/import/save", {"checked_sheet": '{"header": ["name", "own"], "rows": '
                                                         '[[2, ["A", "yes"]], [3, ["B", "yes"]]]}',
                                               "source": "x.csv"})
    assert "only one partnership can be our own" in response.get_data(as_text=True)
    assert peers(app) == {}


def test_auditors_read_the_register_but_cannot_change_it(app, people):
    signed_in(app, people.cso).post("/benchmarking/peers/new", {"name": "Boston"})
    auditor = signed_in(app, people.auditor)
    page = auditor.get("/benchmarking/peers/").get_data(as_text=True)
    assert "Boston" in page and "Add a partnership" not in page
    assert auditor.post("/benchmarking/peers/new", {"name": "Rother"}).status_code == 403
    assert set(peers(app)) == {"Boston"}


def test_a_partnerships_page_shows_its_answers_beside_its_crime_figures(app, people):
    from datetime import UTC, datetime

    from app.models import Answer, Assignment, CrimeStatistic
    from tests.support import open_cycle

    made = open_cycle(app, people, definitions=("small-departmental", "small-peer"))
    with app.app_context():
        ours = PeerPartnership(name="South Derbyshire", family_group="Group 7", is_own=True)
        amber = PeerPartnership(name="Amber Valley", family_group="Group 7")
        db.session.add_all([ours, amber])
        db.session.flush()
        for peer, rate in ((ours, 0.3), (amber, 0.5)):
            db.session.add(CrimeStatistic(peer_partnership_id=peer.id, offence="robbery", period="2001/02",
                                          rate_per_1000=rate, change_pct=58.8, source="test.csv"))
        from app.models import Cycle

        cycle = db.session.get(Cycle, made.cycle_id)
        snapshot = next(c.snapshot for c in cycle.questionnaires if c.definition_id == "small-peer")
        assignment = Assignment(cycle=cycle, snapshot=snapshot, respondent_type="peer", peer_partnership=amber,
                                status="submitted", due_date=cycle.deadline, submitted_at=datetime.now(UTC))
        db.session.add(assignment)
        db.session.flush()
        db.session.add(Answer(assignment_id=assignment.id, question_id="approach-link-officers", value="in_place",
                              changed_in_version=1, updated_at=datetime.now(UTC)))
        db.session.commit()
        amber_id = amber.id
    page = signed_in(app, people.auditor).get(f"/benchmarking/peers/{amber_id}").get_data(as_text=True)
    import re

    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Robbery 2001/02 0.50 +58.8 2 of 2, quartile 4" in words
    assert "Departmental link officers In place" in words


# --------------------------------------------------------------------------- the family group is a choice


def _words(response) -> str:
    return Page.of(response).text


def _register(app, *entries: tuple[str, str, bool]) -> None:
    with app.app_context():
        for name, group, own in entries:
            db.session.add(PeerPartnership(name=name, area="", family_group=group, is_own=own))
        db.session.commit()


def test_the_family_group_is_chosen_from_the_register_with_ours_first(app, people):
    _register(app, ("South Derbyshire", "Family group 7", True), ("Boston", "Family group 3", False))
    web = signed_in(app, people.cso)
    form = web.get("/benchmarking/peers/new")
    page = form.get_data(as_text=True)
    words = _words(form)
    assert words.index("Family group 7 (our own partnership's group)") < words.index("Family group 3")
    assert "A new family group" in words and "None yet" in words
    assert 'value="group:Family group 7" checked' in page  # a new peer is most likely in our group
    # The new group's name is asked only under "A new family group".
    assert 'data-aria-controls="conditional-family_group_choice-3"' in page
    assert page.index('id="conditional-family_group_choice-3"') < page.index('name="family_group"')
    added = web.post("/benchmarking/peers/new", {"name": "Amber Valley", "family_group_choice": "group:Family group 3"})
    assert added.status_code == 302
    assert peers(app)["Amber Valley"][2] == "Family group 3"
    web.post("/benchmarking/peers/new", {"name": "Rother", "family_group_choice": "new",
                                         "family_group": "  Family   group 12 "})
    web.post("/benchmarking/peers/new", {"name": "Fenland", "family_group_choice": "none", "family_group": "x"})
    assert peers(app)["Rother"][2] == "Family group 12" and peers(app)["Fenland"][2] == ""


@pytest.mark.parametrize("posted, message", [
    ({"family_group_choice": "new", "family_group": "family group 7"},
     "‘family group 7’ is written differently from the family group ‘Family group 7’ already in the register"),
    ({"family_group": "FAMILY GROUP  7"}, "is written differently from the family group ‘Family group 7’"),
    ({"family_group_choice": "new", "family_group": " "}, "Enter the name of the new family group"),
    ({"family_group_choice": "group:Family group 99"}, "Choose a family group from the list, or a new one"),
])
def test_a_family_group_that_would_not_match_is_refused_and_nothing_saved(app, people, posted, message):
    _register(app, ("South Derbyshire", "Family group 7", True))
    web = signed_in(app, people.cso)
    response = web.post("/benchmarking/peers/new", {"name": "Amber Valley", **posted})
    assert response.status_code == 200 and message in _words(response)
    assert set(peers(app)) == {"South Derbyshire"}


def test_a_groups_only_member_can_correct_its_spelling(app, people):
    _register(app, ("Boston", "family group 3", False), ("South Derbyshire", "Family group 7", True))
    with app.app_context():
        boston = db.session.scalar(select(PeerPartnership.id).where(PeerPartnership.name == "Boston"))
    web = signed_in(app, people.cso)
    assert 'value="group:family group 3" checked' in web.get(f"/benchmarking/peers/{boston}/edit").get_data(
        as_text=True)
    saved = web.post(f"/benchmarking/peers/{boston}/edit", {"name": "Boston", "family_group_choice": "new",
                                                            "family_group": "Family group 3"})
    assert saved.status_code == 302 and peers(app)["Boston"][2] == "Family group 3"


def test_an_imported_family_group_must_be_spelt_as_the_register_and_earlier_rows_spell_it(app, people):
    _register(app, ("South Derbyshire", "Family group 7", True))
    web = signed_in(app, people.cso)
    response = _upload(web, "name,family_group\nBoston,family group 7\nFenland,Group 3\nRother,GROUP 3\n"
                            "Amber Valley,Family group 7\n")
    page = html.unescape(response.get_data(as_text=True))
    assert "row 2, column family_group: ‘family group 7’ is written differently from ‘Family group 7’ in the register" in page
    assert "row 4, column family_group: ‘GROUP 3’ is written differently from ‘Group 3’ in row 3" in page
    assert "row 5" not in page
    assert set(peers(app)) == {"South Derbyshire"}
