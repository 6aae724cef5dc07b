"""Crime figures in the database: checking and saving an import, and the family group's tables.

Shared by the pages, the `section17 peers` commands and the demo, so that a file is
checked by the same rules whichever way it arrives, and every import is audited once.
The figures themselves are worked out in app.analysis.crime (pure functions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.analysis.crime import GroupTable, Member, TableRow, group_table, parse_period, period_sort_key, previous_period
from app.audit.services import record_event
from app.benchmarking.crime.importing import SHEET_LIMITS, Figure, parse_statistics
from app.benchmarking.crime.offences import Offence, all_offences
from app.extensions import db
from app.imports.problems import ImportFailed, RowProblem
from app.imports.sheet import Sheet
from app.imports.sheets import read_sheet
from app.models import CrimeStatistic, PeerPartnership, User
from app.models.types import utcnow
from app.results.filters import FilterProblem

MAX_PROBLEMS_SHOWN = 100
MAX_AUDITED_REPLACEMENTS = 1000  # old values written into the import's audit event
PAYLOAD_SALT = "section17.crime-statistics-import"
PAYLOAD_MAX_AGE = 2 * 60 * 60  # seconds a preview stays good for
PAYLOAD_MARGIN = 10_000  # bytes left in a form post for the rest of the confirm form


# --------------------------------------------------------------------------- checking an import


@dataclass(frozen=True)
class Replacement:
    """A figure in the file that replaces one already held."""

    figure: Figure
    old_rate: float
    old_change: float | None

    @property
    def unchanged(self) -> bool:
        return abs(self.old_rate - self.figure.rate_per_1000) < 1e-9 and self.old_change == self.figure.change_pct


@dataclass(frozen=True)
class ImportPreview:
    source: str  # the file name
    sheet: Sheet  # the columns read, for the confirm step to check again
    figures: list[Figure]
    new: list[Figure]
    replacing: list[Replacement]
    ignored_columns: list[str]

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.replacing)


@dataclass(frozen=True)
class ImportResult:
    source: str
    added: int
    replaced: int


def check_file(filename: str, data: bytes) -> ImportPreview:
    """Read and check an uploaded or local file. Raises ImportFailed listing every problem."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and len(data) > limit:
        raise ImportFailed([RowProblem(0, "", f"The file is larger than {limit / 1024 / 1024:.0f} MB, the most "
                                              "that can be imported: split it into smaller files")])
    return check_sheet(read_sheet(filename, data, SHEET_LIMITS), filename)


def check_sheet(sheet: Sheet, source: str) -> ImportPreview:
    """Check a sheet against the peer register and the offence types, and compare it with the figures held."""
    names = list(db.session.scalars(select(PeerPartnership.name)))
    parsed = parse_statistics(sheet, partnerships=names, offences=[o.key for o in all_offences()])
    held = _held({f.period for f in parsed.figures})
    new, replacing = [], []
    for figure in parsed.figures:
        old = held.get(figure.key)
        if old is None:
            new.append(figure)
        else:
            replacing.append(Replacement(figure, old.rate_per_1000, old.change_pct))
    return ImportPreview(source, parsed.sheet, parsed.figures, new, replacing, parsed.ignored_columns)


def _held(periods: set[str]) -> dict[tuple[str, str, str], CrimeStatistic]:
    """The figures already held for these periods, by (partnership name, offence, period)."""
    if not periods:
        return {}
    rows = db.session.execute(select(CrimeStatistic, PeerPartnership.name)
                              .join(PeerPartnership, CrimeStatistic.peer_partnership_id == PeerPartnership.id)
                              .where(CrimeStatistic.period.in_(sorted(periods))))
    return {(name, stat.offence, stat.period): stat for stat, name in rows}


def save_import(actor: User | None, preview: ImportPreview) -> ImportResult:
    """Write a checked file's figures (adding new ones, replacing those held) and audit the import once."""
    ids = {name: id_ for name, id_ in db.session.execute(select(PeerPartnership.name, PeerPartnership.id))}
    held = _held({f.period for f in preview.figures})
    now = utcnow()
    added = replaced = 0
    previous_values = []
    for figure in preview.figures:
        stat = held.get(figure.key)
        if stat is None:
            if figure.partnership not in ids:  # removed from the register a moment ago
                db.session.rollback()
                raise ImportFailed([RowProblem(figure.row, "partnership", f"'{figure.partnership}' is no longer in "
                                                                          "the peer register. Nothing has been saved")])
            stat = CrimeStatistic(peer_partnership_id=ids[figure.partnership], offence=figure.offence,
                                  period=figure.period)
            db.session.add(stat)
            added += 1
        else:
            if len(previous_values) < MAX_AUDITED_REPLACEMENTS:
                previous_values.append(_describe(figure.partnership, stat))
            replaced += 1
        stat.count, stat.population = figure.count, figure.population
        stat.rate_per_1000, stat.change_pct = figure.rate_per_1000, figure.change_pct
        stat.source = preview.source[:255]
        stat.imported_at = now
        stat.imported_by_id = actor.id if actor is not None else None
    before: dict[str, Any] | None = None
    if replaced:
        before = {"figures_replaced": previous_values}
        if replaced > len(previous_values):
            before["not_listed"] = replaced - len(previous_values)
    record_event("crime.statistics_imported", object_type="crime_statistics", object_id=preview.source[:64],
                 actor=actor, summary=f"Imported {len(preview.figures):,} crime figures from {preview.source}: "
                                      f"{added:,} added, {replaced:,} replaced",
                 before=before,
                 after={"file": preview.source, "figures": len(preview.figures), "added": added, "replaced": replaced,
                        "periods": sorted({f.period for f in preview.figures}, key=period_sort_key),
                        "offences": sorted({f.offence for f in preview.figures}),
                        "partnerships": len({f.partnership for f in preview.figures})})
    try:
        db.session.commit()
    except IntegrityError:  # another import added the same figures a moment ago
        db.session.rollback()
        raise ImportFailed([RowProblem(0, "", "Figures for the same partnerships were imported at the same time. "
                                              "Nothing has been saved: check the file again")]) from None
    return ImportResult(preview.source, added, replaced)


def _describe(name: str, stat: CrimeStatistic) -> str:
    change = "" if stat.change_pct is None else f", change {stat.change_pct:g}%"
    return f"{name}, {stat.offence}, {stat.period}: {stat.rate_per_1000:g} per 1,000{change}"


def import_file(actor: User | None, filename: str, data: bytes) -> ImportResult:
    """Check a file and, only if all of it is good, save it (the command line and the demo)."""
    return save_import(actor, check_file(filename, data))


# --------------------------------------------------------------------------- carrying a preview to the confirm step


class PayloadProblem(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=PAYLOAD_SALT)


def pack_preview(preview: ImportPreview) -> str:
    """The checked columns of the file, signed and compressed, for a hidden field of the confirm form.

    The confirm step checks these rows again from scratch (the register or the figures
    held may have changed); the signature only saves a tampered form from being read.
    A form post is limited to MAX_FORM_MEMORY_SIZE (Flask: 500 kB); 20,000 rows of real
    figures pack to about 400 kB. Raises PayloadProblem if it would not fit.
    """
    payload = _serializer().dumps({"source": preview.source, "header": preview.sheet.header,
                                   "rows": preview.sheet.rows})
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE") or 500_000
    if len(payload) > limit - PAYLOAD_MARGIN:
        raise PayloadProblem("The file is too large to check here and then save: split it into smaller files, or "
                             "import it on the server with section17 peers import-stats")
    return payload


def unpack_preview(payload: str) -> tuple[Sheet, str]:
    """The sheet and file name packed by pack_preview. Raises PayloadProblem if it is damaged or too old."""
    try:
        data = _serializer().loads(payload, max_age=PAYLOAD_MAX_AGE)
        sheet = Sheet([str(h) for h in data["header"]],
                      [(int(number), [str(c) for c in cells]) for number, cells in data["rows"]])
        return sheet, str(data["source"])
    except (BadData, KeyError, TypeError, ValueError):
        raise PayloadProblem("The checked file could not be read back, or was checked too long ago. Upload it "
                             "again") from None


# --------------------------------------------------------------------------- the family group


@dataclass(frozen=True)
class BenchmarkGroup:
    """Who we compare with: our family group, or the whole register when we cannot tell."""

    partnerships: list[PeerPartnership]
    own: PeerPartnership | None
    label: str

    @property
    def whole_register(self) -> bool:
        return self.own is None or not self.own.family_group.strip()


def benchmark_group() -> BenchmarkGroup:
    """The family group of our own partnership; the whole register if none is marked ours or it has no group."""
    everyone = list(db.session.scalars(select(PeerPartnership).order_by(PeerPartnership.name)))
    own = next((p for p in sorted(everyone, key=lambda p: p.id) if p.is_own), None)
    if own is None or not own.family_group.strip():
        return BenchmarkGroup(everyone, own, "the whole peer register")
    members = [p for p in everyone if p.family_group == own.family_group]
    return BenchmarkGroup(members, own, own.family_group)


def periods_with_figures() -> list[str]:
    """Every period with at least one figure, newest first."""
    periods = db.session.scalars(select(CrimeStatistic.period).distinct())
    return sorted(periods, key=period_sort_key, reverse=True)


def _figures(group: BenchmarkGroup, periods: list[str], offence: str | None = None) -> list[CrimeStatistic]:
    ids = [p.id for p in group.partnerships]
    if not ids:
        return []
    query = select(CrimeStatistic).where(CrimeStatistic.period.in_(periods),
                                         CrimeStatistic.peer_partnership_id.in_(ids))
    if offence is not None:
        query = query.where(CrimeStatistic.offence == offence)
    return list(db.session.scalars(query))


def _members(group: BenchmarkGroup, stats: list[CrimeStatistic], offence: str, period: str) -> list[Member]:
    before = previous_period(period)
    now = {s.peer_partnership_id: s for s in stats if s.offence == offence and s.period == period}
    then = {s.peer_partnership_id: s for s in stats if s.offence == offence and s.period == before}
    members = []
    for partnership in group.partnerships:
        current, previous = now.get(partnership.id), then.get(partnership.id)
        members.append(Member(partnership.name, partnership.is_own and partnership is group.own,
                              current.rate_per_1000 if current else None,
                              previous.rate_per_1000 if previous else None,
                              current.change_pct if current else None))
    return members


def _periods_for(period: str) -> list[str]:
    before = previous_period(period)
    return [period, before] if before else [period]


def offence_table(offence: str, period: str, group: BenchmarkGroup | None = None) -> GroupTable:
    """One offence type in one period across the group, ranked."""
    group = group or benchmark_group()
    return group_table(_members(group, _figures(group, _periods_for(period), offence), offence, period))


@dataclass(frozen=True)
class OffenceSummary:
    offence: Offence
    table: GroupTable | None  # None when the group has no figures for it in the period

    @property
    def own(self) -> TableRow | None:
        return self.table.own if self.table else None


def own_summary(period: str, group: BenchmarkGroup | None = None) -> list[OffenceSummary]:
    """Our rank and quartile for every offence type in a period (one query for them all)."""
    group = group or benchmark_group()
    stats = _figures(group, _periods_for(period))
    with_figures = {s.offence for s in stats if s.period == period}
    return [OffenceSummary(o, group_table(_members(group, stats, o.key, period)) if o.key in with_figures else None)
            for o in all_offences()]


# --------------------------------------------------------------------------- reading the pages' query strings


def read_offence(args: Mapping[str, str], offences: Mapping[str, str]) -> tuple[str | None, list[FilterProblem]]:
    raw = (args.get("offence") or "").strip()
    if not raw:
        return None, []
    if raw in offences:
        return raw, []
    return None, [FilterProblem("offence", f"There is no offence type ‘{raw}’: choose one from the list")]


def read_period(args: Mapping[str, str], periods: list[str]) -> tuple[str | None, list[FilterProblem]]:
    raw = (args.get("period") or "").strip()
    if not raw:
        return None, []
    if raw in periods:
        return raw, []
    if parse_period(raw) is None:
        return None, [FilterProblem("period", f"‘{raw}’ is not a period: choose one from the list")]
    return None, [FilterProblem("period", f"There are no figures for ‘{raw}’: choose a period from the list")]
