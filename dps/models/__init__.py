"""Every model, imported here so that Alembic and the app see the whole schema."""

from dps.models.audit import AuditEvent, AuditHead
from dps.models.messaging import Document, EmailMessage, LoginFailure, Message, OutboxJob
from dps.models.organisation import Organisation, OrganisationKind, ProviderSize, Role, User

__all__ = [
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
