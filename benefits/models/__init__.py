from benefits.models.enrolments import Arrear, Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.models.relief import FundMovement, ReliefGrant, ReserveFund
from benefits.models.rolls import PaymentCorrection, PaymentLine, PaymentRoll, PaymentRollTotal

__all__ = [
    "Arrear",
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
