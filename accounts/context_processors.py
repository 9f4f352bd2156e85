"""The `may` template variable: what the signed-in user may do, for menus and buttons.

Templates ask `{% if may.read_rolls %}` instead of comparing roles. Each answer is computed from the
user row the auth middleware already loaded, once per request and only when a template asks (no queries).
"""

from __future__ import annotations

from functools import cached_property

from accounts import permissions


class May:
    def __init__(self, request) -> None:
        self._request = request

    @cached_property
    def _user(self):
        return getattr(self._request, "user", None)

    @cached_property
    def casework(self) -> bool:
        return permissions.is_caseworker(self._user)

    @cached_property
    def street_desk(self) -> bool:
        return permissions.is_street_officer(self._user)

    @cached_property
    def county_desk(self) -> bool:
        return permissions.is_county_officer(self._user)

    @cached_property
    def oversee(self) -> bool:
        return permissions.is_city_or_province_officer(self._user)

    @cached_property
    def audit(self) -> bool:
        return permissions.is_auditor(self._user)

    @cached_property
    def staff(self) -> bool:
        return permissions.has_staff_role(self._user)

    @cached_property
    def read_rolls(self) -> bool:
        return permissions.can_read_rolls(self._user)

    @cached_property
    def read_reports(self) -> bool:
        return permissions.can_read_reports(self._user)

    @cached_property
    def model_standards(self) -> bool:
        return permissions.can_model_standards(self._user)

    @cached_property
    def read_access_log(self) -> bool:
        return permissions.can_read_access_log(self._user)

    @cached_property
    def manage_lockouts(self) -> bool:
        return permissions.can_manage_lockouts(self._user)

    @cached_property
    def administer(self) -> bool:
        return permissions.can_administer(self._user)

    @cached_property
    def read_relief_filings(self) -> bool:
        return permissions.can_read_relief_filings(self._user)

    @cached_property
    def receive_relief(self) -> bool:
        return permissions.receives_relief(self._user)

    @cached_property
    def decide_relief(self) -> bool:
        return permissions.relief_desk(self._user) is not None

    @cached_property
    def import_households(self) -> bool:
        return permissions.can_import_households(self._user)


def may(request) -> dict:
    return {"may": May(request)}
