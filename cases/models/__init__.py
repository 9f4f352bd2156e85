from cases.models.households import MONEY, HardshipCause, Household, Person

__all__ = ["MONEY", "HardshipCause", "Household", "Person"]
