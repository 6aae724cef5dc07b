"""Crime figures from CSV and Excel: good files, and every kind of bad row with its row number and column."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from app.benchmarking.crime.importing import Figure, parse_statistics, read_number
from app.benchmarking.crime.offences import REFERENCE_KEYS
from app.questionnaires.importing import ImportFailed, read_sheet

REGISTER = ["Vale Royal", "South Derbyshire", "King's Lynn & West Norfolk"]
OFFENCES = sorted(REFERENCE_KEYS)
HEADER = "partnership,offence,period,count,population,rate_per_1000,change_pct"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse(data: bytes, filename: str = "figures.csv", **kwargs):
    return parse_statistics(read_sheet(filename, data), partnerships=REGISTER, offences=OFFENCES, **kwargs)


def problems(*lines: str, **kwargs) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFailed) as caught:
        parse(csv_bytes(*lines), **kwargs)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def one_row(row: str, header: str = HEADER) -> list[tuple[int, str, str]]:
    return problems(header, row)


# --------------------------------------------------------------------------- good files


def test_a_good_csv_with_both_forms_and_a_change():
    parsed = parse(csv_bytes(
        " Partnership , OFFENCE,Period,Count,Population,Rate_per_1000,change_pct,notes",
        "Vale Royal,robbery,2001/02,30,120000,,-4.5,from the police",
        "  south derbyshire ,Burglary_Dwelling,2001/02,,,5.1,",
        "King's Lynn & West Norfolk,robbery,2001,47,94000,0.5,12",
    ))
    assert parsed.figures == [
        Figure(2, "Vale Royal", "robbery", "2001/02", 30, 120000, 0.25, -4.5),
        Figure(3, "South Derbyshire", "burglary_dwelling", "2001/02", None, None, 5.1, None),
        Figure(4, "King's Lynn & West Norfolk", "robbery", "2001", 47, 94000, 0.5, 12.0),
    ]
    assert parsed.ignored_columns == ["notes"]


def test_a_good_excel_file_with_numbers_in_number_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["partnership", "offence", "period", "count", "population", "change_pct"])
    sheet.append(["Vale Royal", "violence_against_the_person", "2001/02", 552, 120000, 10.8])
    sheet.append([None, None, None, None, None, None])  # a blank row is skipped, numbering goes on
    sheet.append(["South Derbyshire", "violence_against_the_person", "2001/02", 508, 94000, -1.1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue(), "figures.xlsx")
    assert [(f.row, f.partnership, f.count, f.population, f.change_pct) for f in parsed.figures] == [
        (2, "Vale Royal", 552, 120000, 10.8), (4, "South Derbyshire", 508, 94000, -1.1)]
    assert parsed.figures[0].rate_per_1000 == pytest.approx(4.6)
    assert parsed.figures[1].rate_per_1000 == pytest.approx(508 / 94)


def test_excel_turning_the_period_into_a_date_is_explained():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["partnership", "offence", "period", "rate_per_1000"])
    sheet.append(["Vale Royal", "robbery", datetime(2001, 2, 1), 0.3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFailed) as caught:
        parse(buffer.getvalue(), "figures.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column period: '2001-02-01 00:00:00' is a date, not a period: the spreadsheet may have turned 2001/02 "
        "into a date. Format the column as text and type the period again"]


def test_a_rate_that_agrees_with_its_count_and_population_to_within_rounding_is_accepted():
    # 30 / 94,000 x 1,000 = 0.319: 0.3 and 0.35 are within 0.05 of it
    parsed = parse(csv_bytes(HEADER, "Vale Royal,robbery,2001/02,30,94000,0.3,",
                             "Vale Royal,robbery,2000/01,30,94000,0.369,"))
    assert [f.rate_per_1000 for f in parsed.figures] == pytest.approx([30 / 94, 30 / 94])


def test_whole_numbers_may_be_written_with_a_point_zero():
    parsed = parse(csv_bytes(HEADER, "Vale Royal,robbery,2001/02,30.0,1000,,"))
    assert (parsed.figures[0].count, parsed.figures[0].rate_per_1000) == (30, 30.0)


# --------------------------------------------------------------------------- every kind of bad row


def test_an_unknown_partnership():
    assert one_row("Vale Royale,robbery,2001/02,30,1000,,") == [
        (2, "partnership", "'Vale Royale' is not in the peer register: add it to the register first, or correct "
                           "the name")]


def test_an_unknown_offence_suggests_the_nearest_key():
    assert one_row("Vale Royal,burglary_dwellings,2001/02,30,1000,,") == [
        (2, "offence", "'burglary_dwellings' is not an offence type: use a key from the list of offence types, or "
                       "add it there first. Did you mean burglary_dwelling?")]
    assert one_row("Vale Royal,arson,2001/02,30,1000,,")[0][2].endswith("or add it there first.")


@pytest.mark.parametrize("row,expected", [
    (",robbery,2001/02,30,1000,,", [(2, "partnership", "is missing: name the partnership as the peer register "
                                                       "spells it")]),
    ("Vale Royal,,2001/02,30,1000,,", [(2, "offence", "is missing: give the offence type's key, for example "
                                                      "robbery")]),
    ("Vale Royal,robbery,,30,1000,,", [(2, "period", "is missing: give a financial year such as 2001/02 (the second "
                                                     "year follows the first) or a calendar year such as 2001")]),
    ("Vale Royal,robbery,2001/02,30,,,", [(2, "population", "is missing: a count needs its population to work out "
                                                            "the rate")]),
    ("Vale Royal,robbery,2001/02,,1000,,", [(2, "count", "is missing: a population needs its count to work out "
                                                         "the rate")]),
    ("Vale Royal,robbery,2001/02,,,,5", [(2, "rate_per_1000", "is missing: give the rate per 1,000, or the count "
                                                              "and the population")]),
])
def test_a_missing_value(row, expected):
    assert one_row(row) == expected


def test_missing_count_and_population_when_the_file_has_no_rate_column():
    assert one_row("Vale Royal,robbery,2001/02,,", "partnership,offence,period,count,population") == [
        (2, "count", "is missing: give the number of offences recorded"),
        (2, "population", "is missing: give the population of the area")]


@pytest.mark.parametrize("row,expected", [
    ("Vale Royal,robbery,2001/02,thirty,1000,,", [(2, "count", "'thirty' is not a number")]),
    ("Vale Royal,robbery,2001/02,,,n/a,", [(2, "rate_per_1000", "'n/a' is not a number")]),
    ("Vale Royal,robbery,2001/02,,,nan,", [(2, "rate_per_1000", "'nan' is not a number")]),
    ("Vale Royal,robbery,2001/02,,,inf,", [(2, "rate_per_1000", "'inf' is not a number")]),
    ("Vale Royal,robbery,2001/02,,,0.3,12%", [(2, "change_pct", "'12%' is not a number: leave out the % sign (12)")]),
    ("Vale Royal,robbery,2001/02,12.5,1000,,", [(2, "count", "'12.5' is not a whole number")]),
    ("Vale Royal,robbery,2001/02,,,0.3" + "0" * 40 + ",", [(2, "rate_per_1000", "'0.300000000000000000...' is too "
                                                                                "long to be a number")]),
    ("Vale Royal,robbery,2001/02,3000000000,1000,,", [(2, "count", "'3000000000' is too large")]),
])
def test_a_value_that_is_not_a_number_is_named(row, expected):
    assert one_row(row) == expected


@pytest.mark.parametrize("row,expected", [
    ("Vale Royal,robbery,2001/02,,,\"3,4\",", [(2, "rate_per_1000", "'3,4' has a decimal comma: write the decimal "
                                                                    "point as a full stop (3.4)")]),
    ("Vale Royal,robbery,2001/02,,,0.3,\"-4,5\"", [(2, "change_pct", "'-4,5' has a decimal comma: write the decimal "
                                                                     "point as a full stop (-4.5)")]),
    ("Vale Royal,robbery,2001/02,,,\"1.234,5\",", [(2, "rate_per_1000", "'1.234,5' uses full stops between "
                                                                        "thousands and a decimal comma: write it as "
                                                                        "1234.5")]),
])
def test_a_decimal_comma_is_refused_never_guessed(row, expected):
    assert one_row(row) == expected


@pytest.mark.parametrize("row,column,value,plain", [
    ("Vale Royal,robbery,2001/02,\"1,234\",94000,,", "count", "1,234", "1234"),
    ("Vale Royal,robbery,2001/02,12,\"94,000\",,", "population", "94,000", "94000"),
    ("Vale Royal,robbery,2001/02,12,\"1,094,000\",,", "population", "1,094,000", "1094000"),
])
def test_a_thousands_separator_is_refused(row, column, value, plain):
    assert one_row(row) == [(2, column, f"'{value}' has a comma in it. Write numbers without a thousands separator "
                                        f"({plain}); if the comma is a decimal point, write a full stop instead "
                                        f"({value.replace(',', '.')})")]


@pytest.mark.parametrize("row,expected", [
    ("Vale Royal,robbery,2001/02,-3,1000,,", [(2, "count", "'-3' cannot be negative")]),
    ("Vale Royal,robbery,2001/02,3,0,,", [(2, "population", "'0' must be more than 0")]),
    ("Vale Royal,robbery,2001/02,3,-1000,,", [(2, "population", "'-1000' must be more than 0")]),
    ("Vale Royal,robbery,2001/02,,,-0.1,", [(2, "rate_per_1000", "'-0.1' cannot be negative")]),
])
def test_a_negative_value(row, expected):
    assert one_row(row) == expected


def test_a_negative_change_is_a_fall_and_is_accepted():
    assert parse(csv_bytes(HEADER, "Vale Royal,robbery,2001/02,,,0.3,-86.2")).figures[0].change_pct == -86.2


@pytest.mark.parametrize("period", ["2001/03", "2001-02", "2001/2002", "01/02", "Q1 2001"])
def test_a_bad_period(period):
    assert one_row(f"Vale Royal,robbery,{period},,,0.3,") == [
        (2, "period", f"'{period}' is not a period: use a financial year such as 2001/02 (the second year follows "
                      "the first) or a calendar year such as 2001")]


def test_a_rate_that_disagrees_with_its_count_and_population():
    # 30 / 94,000 x 1,000 = 0.319, more than 0.05 from 0.4
    assert one_row("Vale Royal,robbery,2001/02,30,94000,0.4,") == [
        (2, "rate_per_1000", "is 0.4, but the count and population give 0.32 per 1,000: correct one of them, or leave "
                             "rate_per_1000 empty")]


def test_a_duplicate_names_the_earlier_row():
    assert problems(HEADER, "Vale Royal,robbery,2001/02,,,0.3,", "South Derbyshire,robbery,2001/02,,,0.3,",
                    " vale royal ,ROBBERY,2001/02,,,0.4,") == [
        (4, "", "Vale Royal, robbery, 2001/02 is also on row 2: keep only one of them")]


def test_the_same_partnership_and_offence_in_two_periods_is_not_a_duplicate():
    parsed = parse(csv_bytes(HEADER, "Vale Royal,robbery,2001/02,,,0.3,", "Vale Royal,robbery,2000/01,,,0.2,"))
    assert len(parsed.figures) == 2


def test_every_problem_is_reported_in_row_order_and_blank_rows_keep_the_numbering():
    assert problems(HEADER, "Nowhere,robbery,2001/02,30,1000,,", ",,,,,,", "Vale Royal,arson,2001/3,\"3,4\",1000,,x",
                    "Vale Royal,robbery,2001/02,,,0.3,") == [
        (2, "partnership", "'Nowhere' is not in the peer register: add it to the register first, or correct the name"),
        (4, "offence", "'arson' is not an offence type: use a key from the list of offence types, or add it there "
                       "first."),
        (4, "period", "'2001/3' is not a period: use a financial year such as 2001/02 (the second year follows the "
                      "first) or a calendar year such as 2001"),
        (4, "count", "'3,4' has a decimal comma: write the decimal point as a full stop (3.4)"),
        (4, "change_pct", "'x' is not a number"),
    ]


def test_problems_read_as_row_column_and_why():
    with pytest.raises(ImportFailed) as caught:
        parse(csv_bytes(HEADER, "Vale Royal,robbery,2001/02,,,-1,"))
    assert str(caught.value.problems[0]) == "row 2, column rate_per_1000: '-1' cannot be negative"


# --------------------------------------------------------------------------- the header and the file


@pytest.mark.parametrize("header,expected", [
    ("offence,period,rate_per_1000", [(1, "partnership", "there is no 'partnership' column: the first row must name "
                                                         "the columns partnership, offence, period, then count and "
                                                         "population or rate_per_1000")]),
    ("partnership,offence,period,change_pct", [(1, "rate_per_1000", "there is no 'rate_per_1000' column, nor 'count' "
                                                                    "and 'population' columns: give the rate, or the "
                                                                    "count and the population")]),
    ("partnership,offence,period,count,rate_per_1000", [(1, "population", "there is a 'count' column but no "
                                                                          "'population' column: the rate is worked "
                                                                          "out from both")]),
    ("partnership,offence,period,rate_per_1000,Rate_per_1000", [(1, "rate_per_1000", "this column appears more "
                                                                                     "than once")]),
])
def test_header_problems(header, expected):
    assert problems(header, "Vale Royal,robbery,2001/02,0.3") == expected


def test_a_file_with_no_figures():
    assert problems(HEADER) == [(0, "", "The file has no figures under its header row")]


def test_too_many_rows_are_refused_before_any_row_is_checked():
    rows = [f"Nowhere {n},robbery,2001/02,,,0.3," for n in range(6)]
    assert problems(HEADER, *rows, max_rows=5) == [
        (0, "", "The file has 6 rows of figures; at most 5 can be imported at once. Split it into smaller files")]


def test_other_kinds_of_file_are_refused():
    with pytest.raises(ImportFailed) as caught:
        parse(b"whatever", "figures.txt")
    assert str(caught.value.problems[0]) == "Choose a CSV or Excel (.xlsx) file"


@pytest.mark.parametrize("text,value", [("3.4", 3.4), ("-4.5", -4.5), ("+2", 2.0), (".5", 0.5), ("1e-3", 0.001)])
def test_plain_numbers_are_read(text, value):
    assert read_number(text) == value
