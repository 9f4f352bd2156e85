from cases.models.applications import (
    Application,
    ApplicationEvent,
    Category,
    DemocraticReview,
    Document,
    HomeVisit,
    Objection,
    StepLimit,
)
from cases.models.households import MONEY, HardshipCause, Household, Person

__all__ = [
    "MONEY", "Application", "ApplicationEvent", "Category", "DemocraticReview", "Document", "HardshipCause",
    "HomeVisit", "Household", "Objection", "Person", "StepLimit",
]
