"""The small sheets that list things as they are: checklist items, peer approaches and crime
benchmarking."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.analysis.approaches import status_label
from app.exports.front_sheets import checklist_title
from app.exports.model import CycleExport
from app.exports.sheets import (
    Styles,
    print_setup,
    write_text,
)
from app.exports.workbook_columns import YES_NO
from app.questionnaires.scoring import Outcome

# --------------------------------------------------------------------------- Hallmarks, peers, crime


def _simple_table(sheet, styles: Styles, headers: Iterable[tuple[str, float]], rows: Iterable[Iterable[Any]],
                  *, number_styles: dict[int, str] | None = None, zone: ZoneInfo | None = None) -> int:
    """A small table: text, or numbers in the style named for their column. Returns the last row written."""
    headers = list(headers)
    number_styles = number_styles or {}
    for col, (name, width) in enumerate(headers):
        write_text(sheet, styles, 0, col, name, "header")  # peers' names head the Peer approaches columns
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, width=sum(width for _, width in headers))
    row = 0
    for row, values in enumerate(rows, 1):
        for col, value in enumerate(values):
            if value is None or value == "" or (isinstance(value, float) and value != value):
                continue
            if isinstance(value, datetime):
                local = value.astimezone(zone).replace(tzinfo=None) if value.tzinfo and zone else value
                sheet.write_datetime(row, col, local, styles.get("datetime"))
            elif col in number_styles:
                sheet.write_number(row, col, value, styles.get(number_styles[col]))
            else:
                write_text(sheet, styles, row, col, value, "long_text")
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
    return row


def write_hallmarks(sheet, styles: Styles, data: CycleExport) -> None:
    """Every checklist's items, one checklist after another, each item with the group it is counted under."""
    labels = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met"}
    rows = []
    for checklist in data.hallmarks or ():
        title = checklist_title(data, checklist)
        for item in checklist.items.itertuples(index=False):
            answer = ("Not applicable" if item.outcome == Outcome.NOT_APPLICABLE.value else
                      labels.get(item.value, item.answer or "") if item.outcome != Outcome.UNANSWERED.value
                      else "Not answered")
            rows.append((title, item.group, item.section, item.question_id, item.question,
                         "Yes" if item.statutory else "No", item.source, answer,
                         "Yes" if item.outcome == Outcome.MET.value else "No", item.evidence, item.action))
    last = _simple_table(sheet, styles, (("Checklist", 26), ("Hallmark or section", 28), ("Section", 24),
                                         ("Item id", 16), ("Item", 60), ("Statutory", 9),
                                         ("Where the law says so", 26), ("Answer", 14), ("Met", 6),
                                         ("Evidence", 40), ("Planned action", 36)), rows)
    for col, choices in ((5, YES_NO), (8, YES_NO), (7, ("Met", "Partly met", "Not met", "Not applicable",
                                                          "Not answered"))):
        sheet.data_validation(1, col, max(last, 1), col, {"validate": "list", "source": list(choices)})


def write_approaches(sheet, styles: Styles, data: CycleExport) -> None:
    matrix = data.approaches
    assert matrix is not None
    own = matrix.own or "Our partnership"
    headers = [("Approach", 44), ("Section", 24), (f"{own} (ours)", 14), *((p, 14) for p in matrix.peers),
               ("Peers with it in place", 12), ("Share of peers", 10), ("Most peers use it and we do not", 14)]
    rows = [(r.question, r.section, status_label(r.ours), *(status_label(r.by_peer[p]) for p in matrix.peers),
             r.peers_in_place, r.share, "Yes" if r.most_peers and r.ours != "in_place" else "No")
            for r in matrix.rows]
    first_number = 3 + len(matrix.peers)
    _simple_table(sheet, styles, headers, rows, number_styles={first_number: "integer", first_number + 1: "percent"})


def write_crime(sheet, styles: Styles, data: CycleExport) -> None:
    headers = (("Offence type", 26), ("Period", 9), ("Partnership", 26), ("Our partnership", 10),
               ("Offences per 1,000", 11), ("Change %", 9), ("Change worked out", 14), ("Rank", 7),
               ("Quartile", 9), ("Top quartile", 9), ("Against the group band", 14), ("Change rank", 8),
               ("Change quartile", 9), ("Partnerships ranked", 10), ("Group mean", 10), ("Group median", 10),
               ("Distance from the mean %", 11), ("Band from", 10), ("Band to", 10), ("Recorded offences", 11),
               ("Population", 11), ("Imported from", 28), ("Imported at", 17))
    band_words = {"below": "Below the band", "in_line": "In line", "above": "Above the band"}
    rows = []
    for section in data.crime:
        table = section.table
        for r in table.rows:
            figure = section.figures.get(r.partnership)
            distance = ((r.rate - table.mean) / table.mean * 100 if r.rate is not None and table.mean else None)
            rows.append((section.offence, section.period, r.partnership, "Yes" if r.own else "No", r.rate, r.change,
                         r.change_source.value.replace("_", " ") if r.change_source else "", r.rank, r.quartile,
                         "Yes" if r.quartile == 1 else "No",
                         band_words.get(r.band.value, r.band.value) if r.band else "",
                         r.change_rank, r.change_quartile, table.n, table.mean, table.median, distance,
                         table.band_low, table.band_high, figure.count if figure else None,
                         figure.population if figure else None, figure.source if figure else "",
                         figure.imported_at if figure else None))
    last = max(_simple_table(sheet, styles, headers, rows, number_styles={
        4: "number", 5: "change", 7: "integer", 8: "integer", 11: "integer", 12: "integer", 13: "integer",
        14: "number", 15: "number", 16: "change", 17: "number", 18: "number", 19: "integer", 20: "integer"},
        zone=ZoneInfo(data.about.timezone)), 1)
    for quartile, style in ((1, "green"), (2, "amber"), (3, "amber"), (4, "red")):
        sheet.conditional_format(1, 8, last, 8, {"type": "cell", "criteria": "equal to", "value": quartile,
                                                 "format": styles.get(style)})
    sheet.conditional_format(1, 0, last, len(headers) - 1, {"type": "formula", "criteria": '=$D2="Yes"',
                                                            "format": styles.get("own")})
    if data.quartile_rule:
        write_text(sheet, styles, last + 2, 0, data.quartile_rule, "long_text")
