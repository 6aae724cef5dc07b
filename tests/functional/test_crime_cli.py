"""`section17 peers ...`: offence types, importing crime figures, and the family group's table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CrimeStatistic, OffenceType
from tests.functional.test_crime_pages import FIGURES, add_peers, load_figures

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "crime-statistics-example.csv"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["peers", *args])


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_offences_lists_the_built_in_types_then_the_added_ones(app):
    with app.app_context():
        db.session.add(OffenceType(key="cycle_theft", label="Theft of a pedal cycle"))
        db.session.commit()
    result = run(app, "offences")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "violence_against_the_person\tViolence against the person\tbuilt in"
    assert lines[2] == "robbery\tRobbery\tbuilt in"
    assert lines[-1] == "cycle_theft\tTheft of a pedal cycle\tadded"
    assert len(lines) == 9


def test_import_stats_imports_a_good_file_and_audits_it_as_the_command_line(app, tmp_path):
    add_peers(app)
    path = tmp_path / "figures.csv"
    path.write_text(FIGURES)
    result = run(app, "import-stats", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 8 figures from figures.csv: 8 added, 0 replaced.\n"
    again = run(app, "import-stats", str(path))
    assert again.output == "Imported 8 figures from figures.csv: 0 added, 8 replaced.\n"
    assert count(app, CrimeStatistic) == 8
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "crime.statistics_imported")))
        assert [e.actor_email for e in events] == ["command line", "command line"]
        assert [(e.after["added"], e.after["replaced"]) for e in events] == [(8, 0), (0, 8)]


def test_a_long_file_name_fits_the_audit_log(app, tmp_path):
    add_peers(app)
    path = tmp_path / ("crime figures from the police, corrected after the partnership meeting " * 2 + ".csv")
    path.write_text("partnership,offence,period,rate_per_1000\nOurs,robbery,2001/02,0.3\n")
    assert run(app, "import-stats", str(path)).exit_code == 0
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "crime.statistics_imported"))
        assert event.after["file"] == path.name and len(event.object_id) == 64
        assert db.session.scalar(select(CrimeStatistic.source)) == path.name


def test_the_example_file_in_the_docs_imports(app):
    from app.models import PeerPartnership

    with app.app_context():
        for name in ("South Derbyshire", "Amber Valley", "Bassetlaw", "Rushcliffe"):
            db.session.add(PeerPartnership(name=name, family_group="Family group 7", is_own=name == "South Derbyshire"))
        db.session.commit()
    result = run(app, "import-stats", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 6 figures from crime-statistics-example.csv: 6 added, 0 replaced.\n"
    table = run(app, "table", "--offence", "burglary_dwelling", "--period", "2001/02", "--format", "csv").output
    # 412 / 81,600 = 5.049 per 1,000; 431 / 81,200 = 5.308 the year before: a computed change of -4.9%
    assert table.splitlines()[1] == "South Derbyshire,5.049,-4.88,1,1,yes"


def test_import_stats_prints_every_problem_and_writes_nothing(app, tmp_path):
    add_peers(app)
    path = tmp_path / "bad.csv"
    path.write_text("partnership,offence,period,count,population,rate_per_1000\n"
                    "Ours,robbery,2001/02,30,100000,\n"
                    "Nowhere,robbery,2001/02,30,100000,\n"
                    "Ours,burglary,2001,\"1,234\",100000,\n")
    result = run(app, "import-stats", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "row 3, column partnership: 'Nowhere' is not in the peer register: add it to the register first, or correct "
        "the name",
        "row 4, column offence: 'burglary' is not an offence type: use a key from the list of offence types, or add "
        "it there first. Did you mean burglary_dwelling?",
        "row 4, column count: '1,234' has a comma in it. Write numbers without a thousands separator (1234); if the "
        "comma is a decimal point, write a full stop instead (1.234)",
        "Nothing was imported: bad.csv has 3 problems.",
    ]
    assert count(app, CrimeStatistic) == 0 and count(app, AuditEvent) == 0


def test_import_stats_refuses_a_file_larger_than_the_upload_limit(make_app, tmp_path):
    app = make_app(MAX_CONTENT_LENGTH=100)
    path = tmp_path / "big.csv"
    path.write_text("partnership,offence,period,rate_per_1000\n" + "Ours,robbery,2001/02,0.3\n" * 10)
    result = run(app, "import-stats", str(path))
    assert result.exit_code == 1 and "larger than" in result.stderr and "Nothing was imported" in result.stderr


@pytest.fixture
def group(app):
    add_peers(app)
    load_figures(app)
    return app


def test_table_as_csv_is_sorted_by_rank_with_empty_cells_for_missing_values(group):
    result = run(group, "table", "--offence", "sexual_offences", "--period", "2001/02", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == ("partnership,rate_per_1000,change_pct,rank,quartile,own\n"
                             "Ours,0.5,,1,2,yes\n"
                             "Ashby,0.9,,2,4,no\n"
                             "Belper,,,,,no\n"
                             "Crich,,,,,no\n")


def test_table_as_csv_uses_the_computed_change_when_the_previous_period_is_held(group):
    result = run(group, "table", "--offence", "robbery", "--period", "2001/02", "--format", "csv")
    assert result.output.splitlines() == ["partnership,rate_per_1000,change_pct,rank,quartile,own",
                                          "Ashby,0.2,-10,1,1,no", "Belper,0.3,5,2,2,no", "Ours,0.3,50,2,2,yes",
                                          "Crich,0.8,20,4,4,no"]


def test_table_as_text_is_aligned_and_states_the_rule(group):
    result = run(group, "table", "--offence", "robbery")  # the latest period, as text
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Robbery, 2001/02: Family group 7"
    assert lines[2].split() == ["Partnership", "Rate", "per", "1,000", "Change", "%", "Rank", "Quartile", "Ours"]
    assert lines[4].split() == ["Ashby", "0.20", "-10.0", "1", "of", "4", "1"]
    assert lines[6].split() == ["Ours", "0.30", "+50.0", "2", "of", "4", "2", "ours"]
    end = lines[2].index("Rate per 1,000") + len("Rate per 1,000")  # numbers are right-aligned under it
    assert [line[:end].split()[-1] for line in lines[4:8]] == ["0.20", "0.30", "0.30", "0.80"]
    assert "Group mean 0.40 per 1,000, median 0.30" in result.output
    assert "Our distance from the mean: -25.0%." in result.output
    assert "Quartile = ceil(4 x rank / n)" in result.output


def test_a_name_that_looks_like_a_formula_is_written_as_text(app):
    from app.models import PeerPartnership

    with app.app_context():
        db.session.add(PeerPartnership(name="=HYPERLINK(\"x\")", is_own=True))
        db.session.commit()
    load_figures(app, 'partnership,offence,period,rate_per_1000\n"=HYPERLINK(""x"")",robbery,2001,1\n')
    output = run(app, "table", "--offence", "robbery", "--format", "csv").output
    assert output.splitlines()[1] == "\"'=HYPERLINK(\"\"x\"\")\",1,,1,4,yes"


@pytest.mark.parametrize("args,message", [
    (["--offence", "burglary"], "Invalid value for --offence: there is no offence type 'burglary'"),
    (["--offence", "robbery", "--period", "1999/00"],
     "Invalid value for --period: there are no figures for 1999/00; periods with figures: 2001/02, 2000/01"),
    (["--offence", "robbery", "--period", "2001-02"], "Invalid value for --period: '2001-02' is not a period"),
    (["--offence", "robbery", "--format", "xml"], "Invalid value for '--format'"),
])
def test_table_with_an_unknown_offence_or_period_exits_2(group, args, message):
    result = run(group, "table", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_table_before_anything_is_imported_exits_2(app):
    result = run(app, "table", "--offence", "robbery")
    assert result.exit_code == 2 and "No crime figures have been imported yet" in result.stderr


def test_the_table_help_states_the_quartile_rule(app):
    result = run(app, "table", "--help")
    assert "Quartile = ceil(4 x rank / n)" in " ".join(result.output.split())
