"""The data of one award letter, built from the approved snapshot of the results (never from
live marks), the tender's published criteria and the two organisations' details."""

from __future__ import annotations

import json
from decimal import Decimal

from dps.documents.layout import Authority
from dps.documents.letters import (
    BidScores,
    Criterion,
    LetterData,
    LotLetter,
    QuestionMark,
    WinnerScores,
)
from dps.models.award import AwardDecision
from dps.models.organisation import Organisation
from dps.models.tender import Tender
from dps.services.results_types import BidResult, LotResult, TenderResults
from dps.state.calendar import standstill_end_description

_MARKED_BY = {"officer": "Council officers (consensus)", "panel": "Experts by Experience panel"}
_ZERO = Decimal(0)


def snapshot(award: AwardDecision) -> TenderResults:
    """The results exactly as they stood when the award was proposed."""
    return TenderResults.from_dict(json.loads(award.results))


_RAW: dict[tuple[int, str], dict] = {}


def snapshot_for(award: AwardDecision, organisation_id: int) -> tuple[TenderResults, dict]:
    """Only what one bidder's letter needs (the lots it bid for: its own bid and the winners'),
    and how many bids were ranked per lot. Parsing a 1,000-bid snapshot in full for every
    letter costs more than rendering the PDF; the parsed JSON is kept per process (the
    snapshot of an approved award never changes)."""
    key = (award.id, str(award.proposed_at))
    raw = _RAW.get(key)
    if raw is None:
        _RAW.clear()
        raw = _RAW[key] = json.loads(award.results)
    lots, ranked = [], {}
    for lot in raw["lots"]:
        winners = set(lot["winner_bid_ids"])
        bids = [b for b in lot["bids"] if b["organisation_id"] == organisation_id]
        if not bids:
            continue
        bids += [b for b in lot["bids"] if b["bid_id"] in winners and b not in bids]
        ranked[lot["lot_id"]] = sum(1 for b in lot["bids"] if b.get("position") is not None)
        lots.append({**lot, "bids": bids, "sensitivity": []})
    return TenderResults.from_dict({**raw, "lots": lots}), ranked


def bidder_ids(results: TenderResults) -> list[int]:
    """Every organisation with a bid in any lot, in first-seen order."""
    seen: dict[int, None] = {}
    for lot in results.lots:
        for bid in lot.bids:
            seen.setdefault(bid.organisation_id, None)
    return list(seen)


def _lines(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    parts = [part.strip() for part in text.replace("\r", "").replace("\n", ",").split(",")]
    return tuple(part for part in parts if part)


def authority_of(tender: Tender, contact_name: str = "", contact_email: str = "") -> Authority:
    lead = tender.dps.lead_authority
    return Authority(
        name=lead.name,
        address_lines=_lines(lead.address),
        contact_name=contact_name,
        contact_email=lead.contact_email or contact_email,
    )


def criteria(tender: Tender, results: TenderResults) -> list[Criterion]:
    """Each quality question's share of the total score (%), then price."""
    questions = sorted(tender.questions, key=lambda q: q.number)
    total_weight = sum((Decimal(q.weight) for q in questions), _ZERO)
    rows = []
    for question in questions:
        share = (
            Decimal(question.weight) / total_weight * results.quality_weight
            if total_weight
            else _ZERO
        )
        rows.append(
            Criterion(
                name=f"Question {question.number}: {question.text}",
                weight=share.quantize(Decimal("0.01")),
                max_mark=question.max_mark,
                marked_by=_MARKED_BY.get(question.marked_by, question.marked_by),
            )
        )
    rows.append(Criterion("Price (hourly rate)", results.price_weight, None, "Formula"))
    return rows


def _own_scores(bid: BidResult) -> BidScores:
    return BidScores(
        question_marks=[
            QuestionMark(
                question=f"Question {q.number}: {q.text}",
                mark=q.mark,
                max_mark=q.max_mark,
                weighted_score=q.points,
            )
            for q in sorted(bid.questions, key=lambda q: q.number)
        ],
        quality_score=bid.quality_score or _ZERO,
        price_score=bid.price_score or _ZERO,
        total_score=bid.combined or _ZERO,
        rank=bid.position,
        hourly_rate=bid.price or _ZERO,
    )


def _scored(bid: BidResult) -> bool:
    return None not in (bid.quality_score, bid.price_score, bid.combined, bid.price)


def advantages(own: BidResult, winner: BidResult) -> list[str]:
    """Where the winner scored higher: the question, both marks and the consensus rationale."""
    theirs = {q.question_id: q for q in own.questions}
    found = []
    for question in sorted(winner.questions, key=lambda q: q.number):
        mine = theirs.get(question.question_id)
        if mine is not None and question.mark <= mine.mark:
            continue
        compared = "" if mine is None else f" against your {_plain(mine.mark)}"
        reason = question.rationale.strip()
        found.append(
            f"Question {question.number} ({question.text}): {winner.organisation_name} scored "
            f"{_plain(question.mark)} out of {question.max_mark}{compared}."
            + (f" {reason}" if reason else "")
        )
    if winner.price is not None and own.price is not None and winner.price < own.price:
        found.append(
            f"Price: {winner.organisation_name} offered £{winner.price:.2f} an hour against "
            f"your £{own.price:.2f}, so it had the higher price score."
        )
    return found


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def lot_heading(number: int, title: str) -> str:
    """ "Lot 2: Bassetlaw", whether or not the officer already wrote "Lot 2" in the title."""
    return title if title.lower().startswith("lot ") else f"Lot {number}: {title}"


def lot_letter(lot: LotResult, bid: BidResult, ranked: int | None = None) -> LotLetter:
    winners = [b for b in lot.bids if b.bid_id in set(lot.winner_bid_ids)]
    title = lot_heading(lot.number, lot.title)
    winner_scores = [
        WinnerScores(w.organisation_name, w.quality_score, w.price_score, w.combined)
        for w in winners
        if _scored(w)
    ]
    if ranked is None:
        ranked = sum(1 for b in lot.bids if b.position is not None)
    if bid.excluded:
        reason = "; ".join(bid.exclusion_reasons) or bid.reason
        return LotLetter(
            lot_title=title,
            outcome="excluded",
            own=_own_scores(bid) if _scored(bid) else None,
            winners=winner_scores,
            exclusion_reason=reason or None,
            bids_ranked=ranked or None,
        )
    won = bid.bid_id in set(lot.winner_bid_ids)
    found: list[str] = []
    if not won:
        for winner in winners:
            found.extend(advantages(bid, winner))
    return LotLetter(
        lot_title=title,
        outcome="awarded" if won else "unsuccessful",
        own=_own_scores(bid),
        winners=winner_scores,
        advantages=found,
        bids_ranked=ranked or None,
    )


def letter_data(
    award: AwardDecision,
    tender: Tender,
    bidder: Organisation,
    results: TenderResults,
    ranked: dict[int, int] | None = None,
) -> LetterData:
    """Everything one bidder's letter says, for each lot it bid for; `ranked` (lot id -> bids
    ranked) comes from snapshot_for when `results` holds only this bidder's part."""
    lots = [
        lot_letter(lot, bid, (ranked or {}).get(lot.lot_id))
        for lot in results.lots
        for bid in lot.bids
        if bid.organisation_id == bidder.id
    ]
    if not lots:
        raise ValueError(f"{bidder.name} has no bid in the approved results")
    proposer = award.proposed_by
    return LetterData(
        authority=authority_of(tender, proposer.full_name, proposer.email),
        bidder_name=bidder.name,
        bidder_address_lines=_lines(bidder.address),
        tender_reference=tender.reference,
        tender_title=tender.title,
        regime=tender.dps.regime,
        letter_date=award.letters_sent_at or award.approved_at,
        standstill_end=award.standstill_ends_at if award.standstill_applies else None,
        criteria=criteria(tender, results),
        quality_weight=results.quality_weight,
        price_weight=results.price_weight,
        lots=lots,
        price_method=f"lowest hourly rate ÷ your hourly rate × {_plain(results.price_weight)}.",
    )


def message_text(tender: Tender, data: LetterData) -> tuple[str, str]:
    """The inbox message (and e-mail) that carries the letter."""
    heading = "Assessment summary" if data.regime == "pa2023_dynamic_market" else "Outcome"
    subject = f"{heading}: {tender.title} ({tender.reference})"
    outcomes = "\n".join(f"- {lot.lot_title}: {lot.outcome}" for lot in data.lots)
    standstill = (
        f"The standstill period ends at {standstill_end_description(data.standstill_end)}."
        if data.standstill_end is not None
        else "There is no standstill period for this award."
    )
    body = (
        f"We have finished evaluating the bids for {tender.title} ({tender.reference}).\n\n"
        f"{outcomes}\n\nYour letter, with your scores, the winning bid's scores and the "
        f"reasons, is attached to this message as a PDF.\n\n{standstill}"
    )
    return subject, body
