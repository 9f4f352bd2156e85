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

__all__ = [
    "MONEY", "AidKind", "AidMatch", "AidNeed", "AidOffer", "Application", "ApplicationEvent", "ApplicationTimes", "Category",
    "DemocraticReview", "Document", "EmploymentChange", "HardshipCause", "HomeVisit", "Household", "JobSupport",
    "Lead", "LeadVisit", "Objection", "Pairing", "PairingVisit", "Person", "SchoolRecord", "StepLimit",
    "StudentAid",
]
