"""Every model, imported here so that Alembic and the app see the whole schema."""

from dps.models.audit import AuditEvent, AuditHead
from dps.models.award import AwardDecision, AwardLetter, Contract
from dps.models.bid import Bid, BidVersion
from dps.models.cost_of_care import (
    AuthorityCostTemplate,
    ContractRateChange,
    CostScenario,
    UpliftRound,
)
from dps.models.dps import Category, DynamicPurchasingSystem, Zone, dps_partner
from dps.models.evaluation import (
    ConflictDeclaration,
    ConsensusMark,
    DeclaredConflict,
    EvaluationAssignment,
    Mark,
    PriceReview,
    price_explanation_document,
)
from dps.models.messaging import Document, EmailMessage, LoginFailure, Message, OutboxJob
from dps.models.organisation import (
    Organisation,
    OrganisationKind,
    ProviderSize,
    RecoveryCode,
    Role,
    User,
)
from dps.models.provider import (
    Application,
    ApplicationDocument,
    ApplicationScope,
    Clarification,
    CqcRating,
    InsurancePolicy,
    Membership,
    MembershipScope,
    Reconfirmation,
    ReconfirmationResponse,
)
from dps.models.tender import (
    Invitation,
    Lot,
    QualityQuestion,
    Tender,
    TenderClarification,
    TenderDocument,
    lot_zone,
)

__all__ = [
    "RecoveryCode",
    "AuthorityCostTemplate",
    "ContractRateChange",
    "CostScenario",
    "UpliftRound",
    "AwardDecision",
    "AwardLetter",
    "Contract",
    "ConflictDeclaration",
    "ConsensusMark",
    "DeclaredConflict",
    "EvaluationAssignment",
    "Mark",
    "PriceReview",
    "price_explanation_document",
    "Bid",
    "BidVersion",
    "Invitation",
    "Lot",
    "QualityQuestion",
    "Tender",
    "TenderClarification",
    "TenderDocument",
    "lot_zone",
    "Application",
    "ApplicationDocument",
    "ApplicationScope",
    "Category",
    "Clarification",
    "CqcRating",
    "DynamicPurchasingSystem",
    "InsurancePolicy",
    "Membership",
    "MembershipScope",
    "Reconfirmation",
    "ReconfirmationResponse",
    "Zone",
    "dps_partner",
    "AuditEvent",
    "AuditHead",
    "Document",
    "EmailMessage",
    "LoginFailure",
    "Message",
    "Organisation",
    "OrganisationKind",
    "OutboxJob",
    "ProviderSize",
    "Role",
    "User",
]
