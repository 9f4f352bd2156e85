from benefits.models.enrolments import Arrear, Enrolment, EnrolmentMember, EnrolmentPeriod, EnrolmentReview
from benefits.models.followups import ConfirmedFact, CountyTask, Supplement
from benefits.models.relief import FundMovement, ReliefGrant, ReserveFund
from benefits.models.rolls import PaymentLine, PaymentRoll, PaymentRollTotal

__all__ = [
    "Arrear",
    "ConfirmedFact",
    "CountyTask",
    "Supplement",
    "Enrolment",
    "EnrolmentMember",
    "EnrolmentPeriod",
    "FundMovement",
    "PaymentLine",
    "PaymentRoll",
    "PaymentRollTotal",
    "ReliefGrant",
    "ReserveFund",
    "EnrolmentReview",
]
