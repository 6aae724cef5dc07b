"""Peer approaches: which ways of mainstreaming the duty each partnership uses, and ours beside them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

IN_PLACE = "in_place"
STATUS_LABELS = {"in_place": "In place", "planned": "Planned", "not_done": "Not done"}
NOT_REPORTED = "Not reported"


@dataclass(frozen=True)
class ApproachRow:
    approach: str
    question: str
    section: str
    ours: str  # a status key, or "" when not reported
    by_peer: dict[str, str]  # peer name -> status key or ""
    peers_in_place: int
    peers: int

    @property
    def share(self) -> float:
        return self.peers_in_place / self.peers if self.peers else 0.0

    @property
    def most_peers(self) -> bool:
        """More than half of the peers have it in place."""
        return self.peers_in_place * 2 > self.peers


@dataclass(frozen=True)
class ApproachMatrix:
    peers: list[str]  # other partnerships, by name
    own: str | None  # our partnership's name, if it answered
    rows: list[ApproachRow]

    def used_by_peers_not_us(self) -> list[ApproachRow]:
        """Approaches at least one peer has in place and we do not, most used first."""
        found = [r for r in self.rows if r.peers_in_place and r.ours != IN_PLACE]
        return sorted(found, key=lambda r: (-r.peers_in_place, r.question))


def approach_matrix(frame: pd.DataFrame) -> ApproachMatrix:
    """From the peer benchmarking returns' rows (tagged with an approach)."""
    rows = frame[(frame["respondent_type"] == "peer") & frame["approach"].notna()]
    own_rows = rows[rows["is_own"].astype(bool)]
    peer_rows = rows[~rows["is_own"].astype(bool)]
    peers = sorted(peer_rows["peer"].dropna().unique(), key=str.casefold)
    own = str(own_rows["peer"].iloc[0]) if not own_rows.empty else None
    status = {(r.peer, r.approach): (r.value if isinstance(r.value, str) and not r.not_applicable else "")
              for r in rows.itertuples(index=False)}
    result = []
    for approach in rows.sort_values("position", kind="stable").drop_duplicates("approach").itertuples(index=False):
        by_peer = {peer: status.get((peer, approach.approach), "") for peer in peers}
        result.append(ApproachRow(
            approach=approach.approach, question=approach.question, section=approach.section,
            ours=status.get((own, approach.approach), "") if own else "", by_peer=by_peer,
            peers_in_place=sum(1 for v in by_peer.values() if v == IN_PLACE), peers=len(peers),
        ))
    return ApproachMatrix(peers, own, result)


def status_label(key: str) -> str:
    return STATUS_LABELS.get(key, NOT_REPORTED)
