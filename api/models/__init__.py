"""SQLModel tables by topic. Importing this package registers every table's metadata."""

from api.models.audit import LookupAudit
from api.models.channels import ApiKey
from api.models.complaints import (
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintEvent,
    IdempotencyKey,
    OutboxMessage,
)
from api.models.org import CoordinationRegion, Office, PilotRegency
from api.models.regions import District, Province, Regency
from api.models.registry import Beneficiary, Disbursement
from api.models.staff import (
    AdministrationAudit,
    ComplaintExportAudit,
    ResponseTemplate,
    SavedView,
    Staff,
    StaffAccessAudit,
    StaffSession,
)
from api.models.statistics import (
    StatBacklog,
    StatBeneficiaries,
    StatCount,
    StatSnapshot,
    StatWatermark,
)
from api.models.subscriptions import DisbursementSubscription

__all__ = [
    "AdministrationAudit",
    "ApiKey",
    "Beneficiary",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintEvent",
    "ComplaintExportAudit",
    "CoordinationRegion",
    "Disbursement",
    "DisbursementSubscription",
    "District",
    "IdempotencyKey",
    "LookupAudit",
    "Office",
    "OutboxMessage",
    "PilotRegency",
    "Province",
    "Regency",
    "ResponseTemplate",
    "SavedView",
    "Staff",
    "StaffAccessAudit",
    "StaffSession",
    "StatBacklog",
    "StatBeneficiaries",
    "StatCount",
    "StatSnapshot",
    "StatWatermark",
]
