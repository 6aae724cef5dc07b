"""The heatmap's rows, written in Python for speed: the same markup the template wrote, and nothing unescaped."""

from app.analysis.rules import Rag
from app.analysis.scores import Cell, Heatmap, HeatmapRow
from app.results.heatmap_rows import heatmap_rows

THEMES = {"planning": "Planning & <b>delivery</b>", "training": "Training"}


def _table(name: str = "Housing") -> Heatmap:
    row = HeatmapRow(7, name, "submitted", Cell(0.76, Rag.AMBER, 1, 20),
                     {"planning": Cell(1.0, Rag.GREEN, 0, 8), "training": None})
    return Heatmap(THEMES, [row])


def _drill(department_id: int) -> str:
    return f"/cycles/3/results/departments/{department_id}"


def test_a_row_is_the_markup_the_template_wrote():
    assert str(heatmap_rows(_table(), _drill)) == (
        '        <tr class="govuk-table__row">\n'
        '          <th scope="row" class="govuk-table__header"><a class="govuk-link" '
        'href="/cycles/3/results/departments/7">Housing</a></th>\n'
        '          <td class="govuk-table__cell"><a class="govuk-link app-rag app-rag--amber" '
        'href="/cycles/3/results/departments/7">76% Amber<span class="govuk-visually-hidden"> overall for Housing'
        '</span></a><span class="app-heatmap__gaps">1 gap</span></td>\n'
        '            <td class="govuk-table__cell"><a class="govuk-link app-rag app-rag--green" '
        'href="/cycles/3/results/departments/7#theme-planning">100% Green<span class="govuk-visually-hidden"> '
        'Planning &amp; &lt;b&gt;delivery&lt;/b&gt; for Housing</span></a><span class="app-heatmap__gaps">0 of 8'
        '</span></td>\n'
        '            <td class="govuk-table__cell"><span class="govuk-hint govuk-!-font-size-16">Not asked</span>'
        '</td>\n'
        '        </tr>\n')


def test_hostile_department_names_are_escaped_everywhere_they_appear():
    html = str(heatmap_rows(_table('<script>alert("x")</script>'), _drill))
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 3  # the name and two hidden labels


def test_no_departments_no_rows():
    assert str(heatmap_rows(Heatmap(THEMES, []), _drill)) == ""
