"""The heatmap's table body, written in Python: one string for thousands of cells.

A council of 1,000 departments has 8,000 cells, each with eight values to escape.
Written out by the template that was 17,000 calls of markupsafe's escape and a
quarter of the page's time (benchmarks/analysis.py). Here each department's name,
address and each theme's key and label are escaped once (by markupsafe, as the
template would), and the scores, bands and counts, which are ours and never hold
markup, are written as they are. The markup is the
template's, character for character (tests/unit/test_heatmap_rows.py).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from app.analysis.scores import Cell, Heatmap

NOT_ASKED = '<span class="govuk-hint govuk-!-font-size-16">Not asked</span>'


def _overall(cell: Cell, drill: str, department: str) -> str:
    return (f'          <td class="govuk-table__cell"><a class="govuk-link app-rag app-rag--{cell.band_key}" '
            f'href="{drill}">{cell.words}<span class="govuk-visually-hidden"> overall for {department}</span>'
            f'</a><span class="app-heatmap__gaps">{cell.gaps} gap{"s" if cell.gaps != 1 else ""}</span></td>\n')


def _theme(cell: Cell | None, drill: str, key: str, label: str, department: str) -> str:
    if cell is None:
        return f'            <td class="govuk-table__cell">{NOT_ASKED}</td>\n'
    return (f'            <td class="govuk-table__cell"><a class="govuk-link app-rag app-rag--{cell.band_key}" '
            f'href="{drill}#theme-{key}">{cell.words}<span class="govuk-visually-hidden"> {label} for '
            f'{department}</span></a><span class="app-heatmap__gaps">{cell.gaps} of {cell.questions}</span></td>\n')


def heatmap_rows(table: Heatmap, drill_url: Callable[[int], str]) -> Markup:
    """Every row of the heatmap's body; `drill_url` gives a department's drill-down address by its id."""
    themes = [(key, str(escape(key)), str(escape(label))) for key, label in table.themes.items()]
    parts = []
    for row in table.rows:
        drill = str(escape(drill_url(row.department_id)))
        department = str(escape(row.department))
        parts.append('        <tr class="govuk-table__row">\n'
                     f'          <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{drill}">'
                     f'{department}</a></th>\n')
        parts.append(_overall(row.overall, drill, department))
        parts.extend(_theme(row.cells[key], drill, safe_key, label, department) for key, safe_key, label in themes)
        parts.append("        </tr>\n")
    return Markup("".join(parts))
