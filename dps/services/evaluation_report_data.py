"""The evaluation report's data (regulation 84): the results, the value, and conflicts declared.

Everything comes from `tender_results` plus the tender's declarations, so the report says what
the results page says. The estimated annual value is each lot's hours x 52 weeks x the winning
hourly rate (the mean where a lot has several winners; the benchmark rate where none yet).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from dps.documents.evaluation_report import (
    BidderRow,
    ConflictRow,
    ExcludedBidder,
    LotReport,
    ReportData,
    WinnerReason,
    render_evaluation_report,
)
from dps.documents.layout import Authority
from dps.extensions import db
from dps.models.evaluation import ConflictDeclaration, DeclaredConflict
from dps.models.organisation import Organisation, User
from dps.models.tender import Tender
from dps.services import audit
from dps.services.evaluation_results import lot_label, tender_results
from dps.services.results_types import BidResult, LotResult, TenderResults
from dps.state.clock import now
from evaluation.money import plain

WEEKS = Decimal(52)
PROVISIONAL = (
    "These results are provisional: the evaluation is not finished. Still to do: {reasons}"
)


def _status(bid: BidResult) -> str:
    if bid.excluded:
        return "Excluded"
    return "Awarded" if bid.won else "Not awarded"


def _authority(tender: Tender) -> Authority:
    lead = tender.dps.lead_authority
    lines = [part.strip() for part in (lead.address or "").replace("\n", ",").split(",")]
    return Authority(
        name=lead.name,
        address_lines=tuple(line for line in lines if line),
        contact_email=lead.contact_email or "",
    )


def lot_rate(lot: LotResult, benchmark: Decimal | None) -> Decimal | None:
    """The hourly rate the lot's value is estimated at: the winners' mean, else the benchmark."""
    rates = [bid.price for bid in lot.bids if bid.won and bid.price is not None]
    if rates:
        return sum(rates, Decimal(0)) / len(rates)
    return benchmark


def annual_value(results: TenderResults, benchmark: Decimal | None) -> Decimal:
    total = Decimal(0)
    for lot in results.lots:
        rate = lot_rate(lot, benchmark)
        if rate is not None:
            total += lot.hours_per_week * WEEKS * rate
    return total.quantize(Decimal("0.01"))


def _winner_reason(bid: BidResult) -> str:
    return (
        f"Ranked {bid.position} with a combined score of {bid.combined} (quality "
        f"{bid.quality_score} + price {bid.price_score}) at £{bid.price} an hour. {bid.reason}"
    )


def _lot(lot: LotResult, ready: bool) -> LotReport:
    no_award = lot.unfilled_reason
    if not ready and not lot.winner_bid_ids:
        no_award = "The evaluation is not finished."
    return LotReport(
        lot_title=lot_label(lot),
        hours_per_week=lot.hours_per_week,
        bidders=[
            BidderRow(
                name=bid.organisation_name,
                quality=bid.quality_score,
                price=bid.price_score,
                total=bid.combined,
                rank=bid.position,
                status=_status(bid),
                hourly_rate=bid.price,
            )
            for bid in lot.bids
        ],
        excluded=[
            ExcludedBidder(bid.organisation_name, "; ".join(bid.exclusion_reasons))
            for bid in lot.bids
            if bid.excluded
        ],
        winners=[
            WinnerReason(bid.organisation_name, _winner_reason(bid)) for bid in lot.bids if bid.won
        ],
        no_award_reason=None if lot.winner_bid_ids else no_award,
    )


def conflicts(tender_id: int) -> list[ConflictRow]:
    """Every conflict a marker declared on this tender: who, with whom, and how handled."""
    rows = db.session.execute(
        select(
            User.full_name,
            User.role,
            Organisation.name,
            ConflictDeclaration.declared_at,
            DeclaredConflict.nature,
            DeclaredConflict.handling,
        )
        .join(ConflictDeclaration, ConflictDeclaration.id == DeclaredConflict.declaration_id)
        .join(User, User.id == ConflictDeclaration.user_id)
        .join(Organisation, Organisation.id == DeclaredConflict.organisation_id)
        .where(ConflictDeclaration.tender_id == tender_id)
        .order_by(ConflictDeclaration.declared_at, User.full_name, Organisation.name)
    ).all()
    result = []
    for name, role, bidder, declared_at, nature, handling in rows:
        how = handling or "Kept away from this bidder's answers."
        if nature and nature.strip():
            how = f"Declared: {nature.strip()} Handled: {how}"
        result.append(ConflictRow(f"{name} ({role})", bidder, declared_at, how))
    return result


def _subject(tender: Tender, results: TenderResults, value: Decimal) -> str:
    hours = sum((lot.hours_per_week for lot in results.lots), Decimal(0))
    lots = "; ".join(
        f"{lot_label(lot)}, {plain(lot.hours_per_week)} hours a week" for lot in results.lots
    )
    count = len(results.lots)
    basis = "hours a week x 52 weeks x the winning hourly rate"
    if tender.benchmark_rate is not None:
        basis += ", or the benchmark rate where no winner is known yet"
    return (
        f"{tender.title}. {tender.description} {count} lot{'s' if count != 1 else ''} ({lots}): "
        f"{plain(hours)} hours of care a week in all. Estimated annual value "
        f"£{value:,} ({basis})."
    )


def report_data(tender_id: int) -> ReportData:
    tender = db.session.get(Tender, tender_id)
    results = tender_results(tender_id)
    benchmark = None if tender.benchmark_rate is None else Decimal(tender.benchmark_rate)
    value = annual_value(results, benchmark)
    notes = ()
    if not results.ready:
        notes = (PROVISIONAL.format(reasons=" ".join(results.not_ready_reasons)),)
    return ReportData(
        authority=_authority(tender),
        tender_reference=tender.reference,
        tender_title=tender.title,
        dps_reference=tender.dps.reference,
        regime=tender.dps.regime,
        subject=_subject(tender, results, value),
        estimated_value=value,
        lots=[_lot(lot, results.ready) for lot in results.lots],
        conflicts=conflicts(tender_id),
        weighting=(
            f"Quality {plain(results.quality_weight)}%, price {plain(results.price_weight)}%"
        ),
        generated_at=now(),
        notes=notes,
    )


def report_pdf(actor: User, tender_id: int) -> bytes:
    """The evaluation report PDF; producing it is audited."""
    data = report_data(tender_id)
    pdf = render_evaluation_report(data)
    audit.record(
        "evaluation.report_produced",
        "tender",
        tender_id,
        {"provisional": bool(data.notes)},
        actor=actor,
    )
    db.session.commit()
    return pdf
