"""Crime benchmarking pages: the summary, one offence's table, importing (upload, preview, confirm), offence types.

The group, by hand: a family group of four (Ours, Ashby, Belper, Crich) and one
partnership in another group (Outsider) that must never be counted.

Robbery 2001/02 per 1,000: Ashby 0.2, Belper 0.3, Ours 0.3, Crich 0.8 (Outsider 0.1).
Ranks 1, 2, 2, 4; quartiles ceil(4 x rank / 4) = 1, 2, 2, 4. Mean 1.6 / 4 = 0.4,
median 0.3, population SD sqrt((0.04 + 0.01 + 0.01 + 0.16) / 4) = 0.2345, band 0.17
to 0.63: Crich above, the rest in line. Our distance from the mean: -25%.
Robbery 2000/01: Ours 0.2, so our change is computed: +50%; the others' as given.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CrimeStatistic, OffenceType, PeerPartnership
from tests.support import WebClient

FAMILY = "Family group 7"
FIGURES = """partnership,offence,period,rate_per_1000,change_pct
Ours,robbery,2001/02,0.3,99
Ashby,robbery,2001/02,0.2,-10
Belper,robbery,2001/02,0.3,5
Crich,robbery,2001/02,0.8,20
Outsider,robbery,2001/02,0.1,-50
Ours,robbery,2000/01,0.2,
Ours,sexual_offences,2001/02,0.5,
Ashby,sexual_offences,2001/02,0.9,
"""


def add_peers(app, *, own: bool = True) -> None:
    with app.app_context():
        for name in ("Ours", "Ashby", "Belper", "Crich"):
            db.session.add(PeerPartnership(name=name, family_group=FAMILY, is_own=own and name == "Ours"))
        db.session.add(PeerPartnership(name="Outsider", family_group="Another group"))
        db.session.commit()


def load_figures(app, text: str = FIGURES, name: str = "figures.csv") -> None:
    from app.benchmarking.crime.services import import_file

    with app.app_context():
        import_file(None, name, text.encode())


def stored(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(PeerPartnership.name, CrimeStatistic.offence, CrimeStatistic.period,
                                         CrimeStatistic.rate_per_1000, CrimeStatistic.change_pct)
                                  .join(PeerPartnership, CrimeStatistic.peer_partnership_id == PeerPartnership.id))
        return sorted(tuple(r) for r in rows)


def import_events(app) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "crime.statistics_imported")
                                         .order_by(AuditEvent.id)))
        db.session.expunge_all()
        return events


def words(response) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    text = re.sub(r"<svg.*?</svg>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


@pytest.fixture
def group(app, people):
    add_peers(app)
    load_figures(app)
    return app


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("role", ["cso", "auditor"])
def test_the_summary_gives_our_rank_and_quartile_for_every_offence(group, people, role):
    page = words(signed_in(group, getattr(people, role)).get("/benchmarking/crime/?period=2001/02"))
    assert "Ours is compared with the 4 partnerships in its family group, ‘Family group 7’, itself included." in page
    assert "Robbery 0.30 2 of 4 2 +50.0% 4 of 4 4" in page  # change +50% computed; the others -10, +5, +20 given
    assert "Sexual offences 0.50 1 of 2 2" in page  # n = 2: rank 1 is quartile ceil(4 / 2) = 2
    assert "Burglary of a home No figures for 2001/02" in page
    assert "Quartile = ceil(4 x rank / n)" in page and "quartile 1 is the top quartile" in page
    assert ("Import crime figures" in page) == (role == "cso")


def test_the_summary_links_to_each_offences_table_and_the_form_goes_there(group, people):
    web = signed_in(group, people.cso)
    raw = web.get("/benchmarking/crime/").get_data(as_text=True)
    assert 'href="/benchmarking/crime/table?offence=robbery&amp;period=2001/02"' in raw
    chosen = web.get("/benchmarking/crime/?offence=sexual_offences&period=2001/02")
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/benchmarking/crime/table?offence=sexual_offences&period=2001/02"


def test_one_offences_table_ranks_the_family_group(group, people):
    response = signed_in(group, people.auditor).get("/benchmarking/crime/table?offence=robbery&period=2001/02")
    assert response.status_code == 200
    page = words(response)
    assert "Outsider" not in page  # another family group
    table = page[page.index("Partnership Rate per 1,000"):]
    # ties share a rank and are listed by name
    assert table.index("Ashby") < table.index("Belper") < table.index("Ours") < table.index("Crich")
    assert "Ashby 0.20 -10.0% as given 1 of 4 1 Top quartile In line" in table
    assert "Ours Our partnership 0.30 +50.0% computed 2 of 4 2 In line" in table
    assert "Belper 0.30 +5.0% as given 2 of 4 2 In line" in table
    assert "Crich 0.80 +20.0% as given 4 of 4 4 Above" in table
    assert "Group mean 0.40 per 1,000" in page and "Group median 0.30 per 1,000" in page
    assert "Distance from the group mean -25.0% (below the mean)" in page
    assert "0.17 to 0.63 per 1,000" in page


def test_our_row_is_bold_and_tagged_and_the_top_quartile_is_tagged(group, people):
    raw = signed_in(group, people.cso).get("/benchmarking/crime/table?offence=robbery&period=2001/02") \
        .get_data(as_text=True)
    own_row = re.search(r"<tr[^>]*>\s*<th[^>]*app-own-row[^>]*>Ours <strong[^>]*>Our partnership</strong>", raw)
    assert own_row, "our row should be highlighted with a tag, not colour alone"
    assert raw.count(">Top quartile</strong>") == 1  # Ashby, by rate


def test_the_table_has_a_chart_of_the_rates_with_the_mean_and_a_text_alternative(group, people):
    raw = signed_in(group, people.cso).get("/benchmarking/crime/table?offence=robbery&period=2001/02") \
        .get_data(as_text=True)
    svg = raw[raw.index("<svg role=\"img\""):raw.index("</svg>")]
    assert "<title id=\"crime-rates-title\">Robbery: offences per 1,000 people, 2001/02</title>" in svg
    assert ("Ashby: 0.20 per 1,000, in line with the group; Belper: 0.30 per 1,000, in line with the group; "
            "Ours (ours): 0.30 per 1,000, in line with the group; Crich: 0.80 per 1,000, above the group band. "
            "Group mean: 0.40 per 1,000.") in svg
    assert "style=" not in svg


@pytest.mark.parametrize("query,message", [
    ("offence=burglary&period=2001/02", "There is no offence type ‘burglary’: choose one from the list"),
    ("offence=robbery&period=1999/00", "There are no figures for ‘1999/00’: choose a period from the list"),
    ("offence=robbery&period=2001-02", "‘2001-02’ is not a period: choose one from the list"),
    ("offence=<b>x</b>&period=2001/02", "There is no offence type ‘<b>x</b>’: choose one from the list"),
])
def test_a_bad_value_in_the_address_gets_a_400_naming_it(group, people, query, message):
    web = signed_in(group, people.cso)
    for url in (f"/benchmarking/crime/table?{query}", f"/benchmarking/crime/?{query}"):
        response = web.get(url)
        assert response.status_code == 400, url
        assert message in words(response)
        assert "<b>x</b>" not in response.get_data(as_text=True)


def test_pages_work_before_anything_is_imported(app, people):
    web = signed_in(app, people.cso)
    for url in ("/benchmarking/crime/", "/benchmarking/crime/table", "/benchmarking/crime/table?offence=robbery"):
        response = web.get(url)
        assert response.status_code == 200 and "No crime figures have been imported yet." in words(response)


def test_without_a_partnership_of_ours_the_whole_register_is_compared(app, people):
    add_peers(app, own=False)
    load_figures(app)
    web = signed_in(app, people.cso)
    page = words(web.get("/benchmarking/crime/"))
    assert "No partnership in the peer register is marked as ours" in page and "5 partnerships" in page
    table = words(web.get("/benchmarking/crime/table?offence=robbery&period=2001/02"))
    assert "Outsider 0.10 -50.0% as given 1 of 5 1 Top quartile" in table


def test_lead_officers_and_administrators_cannot_read_benchmarking(group, people):
    for account in (people.lead, people.admin):
        assert signed_in(group, account).get("/benchmarking/crime/").status_code == 403


# --------------------------------------------------------------------------- importing


def upload(web: WebClient, data: bytes, filename: str = "new.csv"):
    return web.post("/benchmarking/crime/import", {"sheet": (io.BytesIO(data), filename)},
                    content_type="multipart/form-data")


def hidden_fields(response) -> dict[str, str]:
    raw = response.get_data(as_text=True)
    return {name: html.unescape(value) for name, value in
            re.findall(r'name="(payload|added|replaced)" type="hidden" value="([^"]*)"', raw)}


def test_preview_then_confirm_writes_exactly_the_previewed_rows(app, people):
    add_peers(app)
    web = signed_in(app, people.cso)
    data = b"partnership,offence,period,count,population,rate_per_1000,change_pct\n" \
           b"ours,robbery,2001/02,30,100000,,-4.5\nAshby,robbery,2001/02,,,0.25,\n"
    preview = upload(web, data)
    page = words(preview)
    assert "Check the crime figures" in page and "Nothing has been saved yet" in page
    assert "2 figures in the file 2 new 0 replacing figures already held" in page
    assert "2 Ours Robbery 2001/02 30 100,000 0.30 -4.5%" in page
    assert stored(app) == [] and import_events(app) == []  # nothing written by the preview
    fields = hidden_fields(preview)
    assert fields["added"] == "2" and fields["replaced"] == "0"
    saved = web.post("/benchmarking/crime/import/save", fields)
    assert saved.status_code == 302 and saved.headers["Location"] == "/benchmarking/crime/?period=2001/02"
    assert stored(app) == [("Ashby", "robbery", "2001/02", 0.25, None), ("Ours", "robbery", "2001/02", 0.3, -4.5)]
    banner = words(web.get(saved.headers["Location"]))
    assert "2 crime figures from new.csv have been saved: 2 added, 0 replaced." in banner
    (event,) = import_events(app)
    assert event.actor_email == people.cso.email and event.object_id == "new.csv"
    assert event.after == {"file": "new.csv", "figures": 2, "added": 2, "replaced": 0, "periods": ["2001/02"],
                           "offences": ["robbery"], "partnerships": 2}
    with app.app_context():
        stat = db.session.scalar(select(CrimeStatistic).where(CrimeStatistic.count == 30))
        assert (stat.population, stat.source, stat.imported_by_id) == (100000, "new.csv", people.cso.id)


def test_a_second_file_replaces_the_same_figures_and_the_preview_shows_old_and_new(group, people):
    web = signed_in(group, people.cso)
    preview = upload(web, b"partnership,offence,period,rate_per_1000\nCrich,robbery,2001/02,0.7\n"
                          b"Belper,robbery,2001/02,0.3\nCrich,robbery,2000/01,0.6\n", "corrected.csv")
    page = words(preview)
    assert "3 figures in the file 1 new 2 replacing figures already held" in page
    assert "2 Crich Robbery 2001/02 0.80 0.70" in page  # row, partnership, offence, period, now, in the file
    assert web.post("/benchmarking/crime/import/save", hidden_fields(preview)).status_code == 302
    figures = {(name, period): (rate, change) for name, offence, period, rate, change in stored(group)
               if offence == "robbery"}
    assert figures[("Crich", "2001/02")] == (0.7, None)  # replaced whole: the old change went with it
    assert figures[("Crich", "2000/01")] == (0.6, None) and figures[("Ashby", "2001/02")] == (0.2, -10.0)
    event = import_events(group)[-1]
    assert event.after["added"] == 1 and event.after["replaced"] == 2
    assert event.before == {"figures_replaced": ["Crich, robbery, 2001/02: 0.8 per 1,000, change 20%",
                                                 "Belper, robbery, 2001/02: 0.3 per 1,000, change 5%"]}


def test_a_file_with_one_bad_row_writes_nothing(group, people):
    web = signed_in(group, people.cso)
    before = stored(group)
    response = upload(web, b"partnership,offence,period,rate_per_1000\nCrich,robbery,2001/02,0.7\n"
                           b"Belper,robbery,2001/02,\"0,3\"\nAshby,robbery,2001/02,0.1\n")
    page = words(response)
    assert response.status_code == 200
    assert "The file has a problem. Nothing has been saved" in page
    assert "row 3, column rate_per_1000: '0,3' has a decimal comma: write the decimal point as a full stop (0.3)" \
        in page
    assert "Check the crime figures" not in page and 'name="payload"' not in response.get_data(as_text=True)
    assert stored(group) == before and len(import_events(group)) == 1  # the fixture's own import


def test_the_list_of_problems_is_capped(group, people):
    rows = "".join(f"Nowhere {n},robbery,2001/02,0.1\n" for n in range(130))
    page = words(upload(signed_in(group, people.cso), f"partnership,offence,period,rate_per_1000\n{rows}".encode()))
    assert "The file has 130 problems. Nothing has been saved" in page
    assert "row 101, column partnership" in page and "row 102, column partnership" not in page
    assert "and 30 more" in page


def test_an_excel_file_can_be_imported(app, people):
    add_peers(app)
    workbook = Workbook()
    workbook.active.append(["Partnership", "Offence", "Period", "Count", "Population"])
    workbook.active.append(["Belper", "criminal_damage", "2001", 1234, 100000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    web = signed_in(app, people.cso)
    preview = upload(web, buffer.getvalue(), "damage.xlsx")
    assert "2 Belper Criminal damage 2001 1,234 100,000 12.34" in words(preview)
    assert web.post("/benchmarking/crime/import/save", hidden_fields(preview)).status_code == 302
    assert stored(app) == [("Belper", "criminal_damage", "2001", pytest.approx(12.34), None)]


@pytest.mark.parametrize("filename,data,message", [
    ("figures.txt", b"x", "The file must be a CSV or Excel (.xlsx) file"),
    ("figures.xlsx", b"not a workbook", "The file is not an Excel workbook (.xlsx)"),
])
def test_files_of_the_wrong_kind_are_refused(group, people, filename, data, message):
    assert message in words(upload(signed_in(group, people.cso), data, filename))


def test_a_file_too_large_to_carry_to_the_confirm_step_is_refused_before_the_preview(make_app, people):
    app = make_app(MAX_FORM_MEMORY_SIZE=12_000)
    add_peers(app)
    rows = "".join(f"Ours,robbery,{year},{year % 97},100000,,\n" for year in range(1901, 2100))
    page = words(upload(signed_in(app, people.cso), f"partnership,offence,period,count,population,rate_per_1000,"
                                                    f"change_pct\n{rows}".encode()))
    assert "The file is too large to check here and then save: split it into smaller files" in page
    assert stored(app) == []


def test_the_confirm_step_checks_the_rows_again(group, people):
    """A partnership renamed in the register between the preview and the confirm: nothing is saved."""
    web = signed_in(group, people.cso)
    preview = upload(web, b"partnership,offence,period,rate_per_1000\nCrich,robbery,2001/02,0.7\n")
    with group.app_context():
        db.session.scalar(select(PeerPartnership).where(PeerPartnership.name == "Crich")).name = "Crich Parish"
        db.session.commit()
    before = stored(group)
    page = words(web.post("/benchmarking/crime/import/save", hidden_fields(preview)))
    assert "row 2, column partnership: 'Crich' is not in the peer register" in page
    assert stored(group) == before and len(import_events(group)) == 1


def test_figures_changed_since_the_preview_are_previewed_again_not_saved(group, people):
    web = signed_in(group, people.cso)
    preview = upload(web, b"partnership,offence,period,rate_per_1000\nCrich,drug_offences,2001/02,3.2\n")
    load_figures(group, "partnership,offence,period,rate_per_1000\nCrich,drug_offences,2001/02,3.0\n", "other.csv")
    page = words(web.post("/benchmarking/crime/import/save", hidden_fields(preview)))
    assert "The figures held changed after you checked the file" in page
    assert "1 figure in the file 0 new 1 replacing a figure already held" in page
    assert ("Crich", "drug_offences", "2001/02", 3.0, None) in stored(group)


@pytest.mark.parametrize("payload", ["", "not-signed", "eyJzb3VyY2UiOiJ4In0.forged.signature"])
def test_a_tampered_or_missing_payload_saves_nothing(group, people, payload):
    web = signed_in(group, people.cso)
    before = stored(group)
    response = web.post("/benchmarking/crime/import/save", {"payload": payload, "added": "1", "replaced": "0"})
    assert response.status_code == 400
    if payload:
        assert "The checked file could not be read back" in words(response)
    assert stored(group) == before and len(import_events(group)) == 1


def test_auditors_read_but_cannot_import_or_add_offence_types(group, people):
    web = signed_in(group, people.auditor)
    assert web.get("/benchmarking/crime/offences").status_code == 200
    assert "Add an offence type" not in words(web.get("/benchmarking/crime/offences"))
    assert web.get("/benchmarking/crime/import").status_code == 403
    assert upload(web, b"partnership,offence,period,rate_per_1000\nCrich,robbery,2001/02,9\n").status_code == 403
    assert web.post("/benchmarking/crime/import/save", {"payload": "x"}).status_code == 403
    assert web.get("/benchmarking/crime/offences/new").status_code == 403
    assert web.post("/benchmarking/crime/offences/new", {"key": "cycle_theft", "label": "Cycles"}).status_code == 403
    with group.app_context():
        assert db.session.scalar(select(func.count()).select_from(OffenceType)) == 0
    assert ("Crich", "robbery", "2001/02", 0.8, 20.0) in stored(group)


# --------------------------------------------------------------------------- offence types


def test_the_offence_types_page_lists_the_built_in_types_then_added_ones(app, people):
    web = signed_in(app, people.cso)
    page = words(web.get("/benchmarking/crime/offences"))
    assert "8 offence types" in page
    assert page.index("Violence against the person Key: violence_against_the_person Built in") < \
        page.index("Drug offences Key: drug_offences Built in")
    response = web.post("/benchmarking/crime/offences/new", {"key": " Cycle_Theft ", "label": "Theft of a  cycle"})
    assert response.status_code == 302 and response.headers["Location"] == "/benchmarking/crime/offences"
    page = words(web.get("/benchmarking/crime/offences"))
    assert "Theft of a cycle has been added. Import files can now use the key cycle_theft." in page
    assert "9 offence types" in page
    assert "Theft of a cycle Key: cycle_theft Added" in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "crime.offence_type_added"))
        assert event.after == {"key": "cycle_theft", "label": "Theft of a cycle"}
        assert event.actor_email == people.cso.email


def test_an_added_offence_type_can_be_imported_and_benchmarked(group, people):
    web = signed_in(group, people.cso)
    web.post("/benchmarking/crime/offences/new", {"key": "cycle_theft", "label": "Theft of a pedal cycle"})
    preview = upload(web, b"partnership,offence,period,rate_per_1000\nOurs,cycle_theft,2001/02,1.5\n")
    assert web.post("/benchmarking/crime/import/save", hidden_fields(preview)).status_code == 302
    page = words(web.get("/benchmarking/crime/?period=2001/02"))
    assert "Theft of a pedal cycle 1.50 1 of 1 4" in page  # n = 1: quartile ceil(4 x 1 / 1) = 4


@pytest.mark.parametrize("key,label,field_error", [
    ("robbery", "Robbery again", "There is already an offence type with the key robbery"),
    ("1st", "First", "The key must start with a letter and use only lower-case letters, digits and underscores"),
    ("cycle-theft", "Cycles", "The key must start with a letter"),
    ("x", "Cycles", "The key must start with a letter"),
    ("cycles", "ROBBERY", "There is already an offence type called ROBBERY"),
    ("cycles", "x" * 151, "The name must be 150 characters or fewer"),
    ("", "", "Enter a key, for example cycle_theft"),
])
def test_a_bad_offence_type_is_refused_with_a_reason(app, people, key, label, field_error):
    web = signed_in(app, people.cso)
    response = web.post("/benchmarking/crime/offences/new", {"key": key, "label": label})
    assert response.status_code == 200
    assert field_error in words(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OffenceType)) == 0
