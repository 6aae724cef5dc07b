"""Ranks, quartiles, bands and changes for crime benchmarking, against figures worked out by hand."""

from __future__ import annotations

import math

import pytest

from app.analysis.crime import (
    Band,
    ChangeSource,
    Member,
    change_on_previous,
    competition_ranks,
    format_change,
    format_number,
    group_table,
    parse_period,
    period_sort_key,
    previous_period,
    quartile,
    quartile_rule,
)


def by_name(table):
    return {row.partnership: row for row in table.rows}


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize("text,previous", [
    ("2001/02", "2000/01"), ("2000/01", "1999/00"), ("1999/00", "1998/99"), ("2001", "2000"), (" 2010 ", "2009"),
])
def test_the_previous_period_is_the_one_immediately_before(text, previous):
    assert previous_period(text) == previous


@pytest.mark.parametrize("text", ["2001/03", "2001/2002", "01/02", "2001-02", "FY2001", "", "1899", "2001/02/03"])
def test_anything_else_is_not_a_period(text):
    assert parse_period(text) is None and previous_period(text) is None


def test_periods_sort_oldest_first():
    assert sorted(["2001/02", "2001", "1999/00", "2000"], key=period_sort_key) == ["1999/00", "2000", "2001",
                                                                                  "2001/02"]


# --------------------------------------------------------------------------- ranks and quartiles


def test_ties_share_the_best_rank_of_their_tie():
    assert competition_ranks([1.0, 2.0, 2.0, 3.0]) == [1, 2, 2, 4]
    assert competition_ranks([5.0, 0.3, 0.3, 0.3, 0.1]) == [5, 2, 2, 2, 1]


def test_values_that_differ_only_by_floating_point_noise_tie():
    assert competition_ranks([0.1 + 0.2, 0.3, 0.2]) == [2, 2, 1]


def test_missing_values_are_not_ranked_and_do_not_count():
    assert competition_ranks([None, 4.0, None, 2.0]) == [None, 2, None, 1]


@pytest.mark.parametrize("n,quartiles", [
    (1, [4]),  # ceil(4 x 1 / 1): the only partnership is in quartile 4
    (2, [2, 4]),
    (3, [2, 3, 4]),
    (4, [1, 2, 3, 4]),
    (5, [1, 2, 3, 4, 4]),
    (8, [1, 1, 2, 2, 3, 3, 4, 4]),
])
def test_quartile_is_ceil_of_four_times_rank_over_n(n, quartiles):
    assert [quartile(rank, n) for rank in range(1, n + 1)] == quartiles


def test_quartile_in_a_family_of_39():
    assert [quartile(rank, 39) for rank in (1, 9, 10, 12, 20, 29, 30, 39)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_a_rank_outside_the_group_is_refused():
    with pytest.raises(ValueError):
        quartile(5, 4)


def test_the_rule_is_stated_in_words():
    rule = quartile_rule()
    assert "Rank 1 is the lowest rate" in rule and "ceil(4 x rank / n)" in rule and "quartile 1 is the top" in rule


# --------------------------------------------------------------------------- the group table

GROUP = [Member("Ours", True, 2.0), Member("Beta", False, 4.0), Member("Gamma", False, 4.0),
         Member("Delta", False, 6.0), Member("Epsilon", False, None)]


def test_a_group_with_a_tie_and_a_missing_value():
    table = group_table(GROUP)
    rows = by_name(table)
    assert [r.partnership for r in table.rows] == ["Ours", "Beta", "Gamma", "Delta", "Epsilon"]
    assert [(r.rank, r.quartile) for r in table.rows] == [(1, 1), (2, 2), (2, 2), (4, 4), (None, None)]
    assert table.n == 4 and len(table.rows) == 5
    # mean 16 / 4 = 4; median of 2, 4, 4, 6 = 4; population SD = sqrt((4 + 0 + 0 + 4) / 4) = sqrt(2)
    assert table.mean == 4.0 and table.median == 4.0
    assert table.sd == pytest.approx(math.sqrt(2))
    assert (table.band_low, table.band_high) == pytest.approx((4 - math.sqrt(2), 4 + math.sqrt(2)))
    assert [r.band for r in table.rows] == [Band.BELOW, Band.IN_LINE, Band.IN_LINE, Band.ABOVE, None]
    assert table.own is rows["Ours"] and table.own_distance_pct == -50.0  # (2 - 4) / 4
    assert rows["Epsilon"].change is None and rows["Epsilon"].change_rank is None


def test_an_odd_group_has_the_middle_value_as_its_median():
    table = group_table([Member("A", False, 1.0), Member("B", True, 9.0), Member("C", False, 2.0)])
    assert table.median == 2.0 and table.mean == 4.0
    assert table.own_distance_pct == 125.0  # (9 - 4) / 4
    assert [(r.partnership, r.rank, r.quartile) for r in table.rows] == [("A", 1, 2), ("C", 2, 3), ("B", 3, 4)]


def test_with_one_partnership_everything_is_in_line():
    table = group_table([Member("Alone", True, 3.2), Member("Silent", False, None)])
    row = by_name(table)["Alone"]
    assert (row.rank, row.quartile, row.band) == (1, 4, Band.IN_LINE)
    assert table.n == 1 and table.sd == 0.0 and table.own_distance_pct == 0.0


def test_with_two_partnerships_quartiles_skip():
    table = group_table([Member("Low", False, 1.0), Member("High", False, 3.0)])
    assert [(r.rank, r.quartile) for r in table.rows] == [(1, 2), (2, 4)]


def test_a_rate_on_the_edge_of_the_band_is_in_line():
    # 1 and 3: mean 2, population SD 1, band 1 to 3 exactly: both edges are in line
    table = group_table([Member("Low", False, 1.0), Member("High", False, 3.0)])
    assert [r.band for r in table.rows] == [Band.IN_LINE, Band.IN_LINE]
    # 0, 0, 0, 4: mean 1, SD sqrt(3) = 1.732: band -0.732 to 2.732
    table = group_table([Member(name, False, rate) for name, rate in [("A", 0.0), ("B", 0.0), ("C", 0.0),
                                                                       ("D", 4.0)]])
    assert [r.band for r in table.rows] == [Band.IN_LINE, Band.IN_LINE, Band.IN_LINE, Band.ABOVE]
    # 0.1 and 0.3: on the edges once more, whichever way floating point rounds mean + SD
    table = group_table([Member("A", False, 0.1), Member("B", False, 0.3)])
    assert [r.band for r in table.rows] == [Band.IN_LINE, Band.IN_LINE]


def test_just_outside_the_band_is_above_or_below():
    # 1, 2, 3: mean 2, population SD sqrt(2 / 3) = 0.816: band 1.18 to 2.82
    table = group_table([Member("A", False, 1.0), Member("B", False, 3.0), Member("C", False, 2.0)])
    low, high = table.band_low, table.band_high
    assert low == pytest.approx(2 - math.sqrt(2 / 3))
    assert [r.band for r in table.rows] == [Band.BELOW, Band.IN_LINE, Band.ABOVE]
    assert high == pytest.approx(2 + math.sqrt(2 / 3))


def test_a_group_without_figures_has_no_mean_or_band():
    table = group_table([Member("A", True, None), Member("B", False, None)])
    assert (table.n, table.mean, table.median, table.band_low, table.own_distance_pct) == (0, None, None, None, None)
    assert all(r.rank is None and r.band is None for r in table.rows)


def test_no_distance_from_a_mean_of_zero():
    table = group_table([Member("A", True, 0.0), Member("B", False, 0.0)])
    assert table.mean == 0.0 and table.own_distance_pct is None


def test_without_our_own_partnership_there_is_no_own_row():
    table = group_table([Member("A", False, 1.0)])
    assert table.own is None and table.own_distance_pct is None


# --------------------------------------------------------------------------- the change on the previous period


def test_the_change_is_worked_out_from_the_previous_rate_when_we_hold_it():
    assert change_on_previous(5.0, 4.0, given=99.0) == (25.0, ChangeSource.COMPUTED)


def test_otherwise_the_change_the_source_gave_is_used():
    assert change_on_previous(5.0, None, given=-3.5) == (-3.5, ChangeSource.GIVEN)
    assert change_on_previous(5.0, 0.0, given=12.0) == (12.0, ChangeSource.GIVEN)  # no % change from zero


def test_otherwise_there_is_no_change():
    assert change_on_previous(5.0, None, given=None) == (None, None)
    assert change_on_previous(None, 4.0, given=10.0) == (None, None)


def test_changes_are_ranked_separately_lowest_first():
    table = group_table([
        Member("Computed fall", False, 3.0, previous_rate=4.0),  # -25%
        Member("Given rise", True, 1.0, given_change=10.0),  # +10%, but the lowest rate
        Member("Given fall", False, 2.0, given_change=-25.0),  # ties with the computed fall
        Member("No change known", False, 5.0),
    ])
    rows = by_name(table)
    assert table.change_n == 3
    assert rows["Computed fall"].change_source == ChangeSource.COMPUTED
    assert rows["Given rise"].change_source == ChangeSource.GIVEN
    assert [(name, rows[name].change_rank, rows[name].change_quartile) for name in
            ("Computed fall", "Given fall", "Given rise", "No change known")] == [
        ("Computed fall", 1, 2), ("Given fall", 1, 2), ("Given rise", 3, 4), ("No change known", None, None)]
    assert (rows["Given rise"].rank, rows["Given rise"].quartile) == (1, 1)


# --------------------------------------------------------------------------- numbers in words


def test_numbers_are_shown_plainly():
    assert format_number(4.6) == "4.60" and format_number(4.6, 4, fixed=False) == "4.6"
    assert format_number(-0.001) == "0.00" and format_number(None) == "" and format_number(20.0, 2, fixed=False) == "20"
    assert (format_change(10.84), format_change(-19.3), format_change(0.0), format_change(None)) == \
        ("+10.8", "-19.3", "0.0", "")
