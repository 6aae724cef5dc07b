"""Views for crime benchmarking: the summary, one offence's group table, importing, offence types.

Reading is for the community safety officer and auditors (VIEW_ALL_RETURNS); changing
anything is for the community safety officer alone (MANAGE_CYCLES). The rules are in
app.benchmarking.crime.services, app.benchmarking.crime.importing and app.analysis.crime.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.analysis.crime import (
    BAND_LABELS,
    BAND_SHORT,
    Band,
    GroupTable,
    benchmark_rules,
    format_change,
    format_number,
    period_sort_key,
    quartile_rule,
)
from app.benchmarking.crime import bp
from app.benchmarking.crime.forms import ImportStatisticsForm, OffenceTypeForm, SaveStatisticsForm
from app.benchmarking.crime.offences import OffenceRefused, add_offence_type, all_offences, offence_labels
from app.benchmarking.crime.services import (
    MAX_PROBLEMS_SHOWN,
    ImportPreview,
    PayloadProblem,
    benchmark_group,
    check_file,
    check_sheet,
    offence_table,
    own_summary,
    pack_preview,
    periods_with_figures,
    read_offence,
    read_period,
    save_import,
    unpack_preview,
)
from app.questionnaires.importing import ImportFailed, RowProblem
from app.results.charts import BarStyle, ValueBar, value_chart
from app.results.filters import FilterProblem
from app.security.access import Permission, allow

READ = Permission.VIEW_ALL_RETURNS
CHANGE = Permission.MANAGE_CYCLES
BAND_STYLES = (BarStyle("below", "#00703c", "", BAND_LABELS[Band.BELOW]),
               BarStyle("in line", "#1d70b8", "//", BAND_LABELS[Band.IN_LINE]),
               BarStyle("above", "#d4351c", "xx", BAND_LABELS[Band.ABOVE]))


def _render(template: str, problems: list[FilterProblem], **context) -> tuple[str, int] | str:
    """Every benchmarking page states the rules; a bad query string answers 400 and names the value."""
    page = render_template(template, problems=problems, rules=benchmark_rules(), quartile_rule=quartile_rule(),
                           band_labels=BAND_LABELS, band_short=BAND_SHORT, number=format_number, format_change=format_change,
                           **context)
    return (page, 400) if problems else page


def _chosen() -> tuple[list[str], dict[str, str], str | None, str | None, list[FilterProblem]]:
    """The periods and offences there are, and the offence and period the query asks for (or the latest period).

    Problems come in the order of the chooser's fields.
    """
    periods = periods_with_figures()
    offences = offence_labels()
    offence, problems = read_offence(request.args, offences)
    period, period_problems = read_period(request.args, periods)
    return periods, offences, offence, period or (periods[0] if periods else None), problems + period_problems


@bp.route("/")
@allow(READ)
def index() -> Response | tuple[str, int] | str:
    periods, offences, offence, period, problems = _chosen()
    if offence and not problems:  # the form chose one offence: show its table
        return redirect(url_for("crime.table", offence=offence, period=period))
    group = benchmark_group()
    summary = own_summary(period, group) if period and not problems else []
    return _render("crime/index.html", problems, periods=periods, offences=offences, period=period, group=group,
                   summary=summary)


@bp.route("/table")
@allow(READ)
def table() -> tuple[str, int] | str:
    periods, offences, offence, period, problems = _chosen()
    offence = offence or next(iter(offences))
    group = benchmark_group()
    figures = offence_table(offence, period, group) if period and not problems else None
    chart = _rate_chart(figures, offences[offence], period) if figures and figures.n else None
    return _render("crime/table.html", problems, periods=periods, offences=offences, period=period,
                   offence=offence, group=group, figures=figures, chart=chart)


def _rate_chart(figures: GroupTable, label: str, period: str):
    """The group's rates as bars, lowest first, coloured and hatched by band, with the group mean as a line."""
    bars = tuple(
        ValueBar(f"{row.partnership} (ours)" if row.own else row.partnership, row.rate,
                 row.band.value if row.band else None,
                 f"{format_number(row.rate)}, {BAND_SHORT[row.band].lower()}" + ("" if row.band == Band.IN_LINE else " the band")
                 if row.band else "No figure",
                 emphasis=row.own,
                 spoken=f"{format_number(row.rate)} per 1,000, {BAND_LABELS[row.band].lower()}" if row.band else "")
        for row in figures.rows if row.rate is not None)
    return value_chart("crime-rates", f"{label}: offences per 1,000 people, {period}", bars, styles=BAND_STYLES,
                       axis_label="Offences per 1,000 people", reference=figures.mean,
                       reference_label="Group mean", reference_text=f"{format_number(figures.mean)} per 1,000")


# --------------------------------------------------------------------------- importing


def _problem_page(form: ImportStatisticsForm, problems: list[RowProblem], status: int = 200) -> tuple[str, int]:
    return render_template("crime/import.html", form=form, problems=problems[:MAX_PROBLEMS_SHOWN],
                           more_problems=max(0, len(problems) - MAX_PROBLEMS_SHOWN),
                           total_problems=len(problems), offences=all_offences()), status


def _preview_page(preview: ImportPreview, *, changed: bool = False) -> str:
    form = SaveStatisticsForm(data={"payload": pack_preview(preview), "added": len(preview.new),
                                    "replaced": len(preview.replacing)})
    return render_template("crime/import_preview.html", preview=preview, form=form, changed=changed,
                           offences=offence_labels(), shown=MAX_PROBLEMS_SHOWN, number=format_number)


@bp.route("/import", methods=["GET", "POST"])
@allow(CHANGE)
def import_statistics() -> tuple[str, int] | str:
    form = ImportStatisticsForm()
    if form.validate_on_submit():
        upload = form.sheet.data
        try:
            return _preview_page(check_file(upload.filename or "", upload.read()))
        except ImportFailed as failure:
            return _problem_page(form, failure.problems)
        except PayloadProblem as problem:
            return _problem_page(form, [RowProblem(0, "", str(problem))])
    return _problem_page(form, [])


@bp.route("/import/save", methods=["POST"])
@allow(CHANGE)
def save_statistics() -> Response | tuple[str, int] | str:
    form = SaveStatisticsForm()
    if not form.validate_on_submit() or not form.payload.data:
        abort(400)
    try:
        sheet, source = unpack_preview(form.payload.data)
        preview = check_sheet(sheet, source)  # check again: never trust what came back from the browser
        if (str(len(preview.new)), str(len(preview.replacing))) != (form.added.data, form.replaced.data):
            return _preview_page(preview, changed=True)
        result = save_import(current_user._get_current_object(), preview)
    except PayloadProblem as problem:
        return _problem_page(ImportStatisticsForm(), [RowProblem(0, "", str(problem))], 400)
    except ImportFailed as failure:
        return _problem_page(ImportStatisticsForm(), failure.problems)
    flash(f"{result.added + result.replaced:,} crime figures from {result.source} have been saved: "
          f"{result.added:,} added, {result.replaced:,} replaced.", "success")
    return redirect(url_for("crime.index", period=max({f.period for f in preview.figures}, key=period_sort_key)))


# --------------------------------------------------------------------------- offence types


@bp.route("/offences")
@allow(READ)
def offences() -> str:
    return render_template("crime/offences.html", offences=all_offences())


@bp.route("/offences/new", methods=["GET", "POST"])
@allow(CHANGE)
def new_offence() -> Response | str:
    form = OffenceTypeForm()
    if form.validate_on_submit():
        try:
            offence = add_offence_type(current_user._get_current_object(), form.key.data, form.label.data)
        except OffenceRefused as refused:
            for problem in refused.problems:
                getattr(form, problem.field).errors = [problem.message]
        else:
            flash(f"{offence.label} has been added. Import files can now use the key {offence.key}.", "success")
            return redirect(url_for("crime.offences"))
    return render_template("crime/offence_form.html", form=form)
