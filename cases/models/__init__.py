from cases.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationTimes,
    Category,
    DemocraticReview,
    Document,
    HomeVisit,
    Objection,
    StepLimit,
)
from cases.models.economic import CheckObjection, EconomicCheck, EconomicCheckItem, EconomicContradiction
from cases.models.help import (
    AidKind,
    AidMatch,
    AidNeed,
    AidOffer,
    EmploymentChange,
    JobSupport,
    Lead,
    LeadVisit,
    Pairing,
    PairingVisit,
    SchoolRecord,
    StudentAid,
)
from cases.models.households import MONEY, HardshipCause, Household, Person
from cases.models.imports import ImportBatch, ImportIssue

__all__ = [
    "MONEY", "AidKind", "AidMatch", "AidNeed", "AidOffer", "Application", "ApplicationEvent", "ApplicationTimes",
    "Category", "CheckObjection", "DemocraticReview", "Document", "EconomicCheck", "EconomicCheckItem",
    "EconomicContradiction", "EmploymentChange", "HardshipCause", "HomeVisit", "Household", "ImportBatch",
    "ImportIssue", "JobSupport",
    "Lead", "LeadVisit", "Objection", "Pairing", "PairingVisit", "Person", "SchoolRecord", "StepLimit",
    "StudentAid",
]
