from benefits.models.enrolments import Arrear, Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.models.followups import ConfirmedFact, CountyTask, ShareReduction, Supplement
from benefits.models.relief import FundMovement, ReliefGrant, ReserveFund
from benefits.models.rolls import PaymentCorrection, PaymentLine, PaymentRoll, PaymentRollTotal

__all__ = [
    "Arrear",
    "ConfirmedFact",
    "CountyTask",
    "ShareReduction",
    "Supplement",
    "Enrolment",
    "EnrolmentMember",
    "EnrolmentPeriod",
    "FundMovement",
    "PaymentCorrection",
    "PaymentLine",
    "PaymentRoll",
    "PaymentRollTotal",
    "ReliefGrant",
    "ReserveFund",
    "EnrolmentReview",
]
