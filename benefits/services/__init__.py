"""Writes of the benefits app, one module per subject. `enrolment_create` and `category_share` stay importable
from here: applications.services.applications calls them when the county approves an application."""

from benefits.compute import category_share
from benefits.services.enrolments import enrolment_create

__all__ = ["category_share", "enrolment_create"]
