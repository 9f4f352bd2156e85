"""Every "may this user do this (to this record)" decision, as a named function.

Scope (which records a user sees, by division code) is decided only by `accounts.scope`; this module adds
the role: who takes which step, who reads which overview, who sees full ID numbers. Views, services,
selectors, serializers and templates ask these functions (templates through the `may` context processor,
`accounts.context_processors.may`) and never compare roles themselves; `tests/test_permissions_one_place.py`
greps the tree for role comparisons outside this module, `accounts/models.py` and `accounts/scope.py`.

Full ID numbers in rolls and their bank exports: county officers of the roll's county (they send the roll to
the bank, which needs the full number) and superusers. Everyone else who may read a roll (city and province
officers, auditors) sees masked numbers (3601**********123X): they oversee totals, not payees.

Extracts, runs and review tasks of the cross-department comparison (ledgers):

* County, city and province officers upload extracts for their region (or a county/city inside it),
  decide whether to load them, and start or restart runs for their region or a county/city inside it.
* Street officers and above, and auditors, read run reports within their scope.
* Caseworkers resolve the review tasks of their community; a task that is not tied to a community (a
  person a department lists whom we do not know) is resolved by the officers whose scope holds its
  region (the county office, or the province for a province-wide list without regions).
* Department API clients upload and decide on their own extracts only (see `ledgers.api`).

Auditors read (their scope is the whole province) and never write: no function here lets them act.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import PROVINCE_CODE, Region, User
from accounts.scope import can_write_region, in_scope, scope_filter

Role = User.Role
DEPARTMENT = "department"  # the role a DepartmentPrincipal (accounts.api_auth) carries

LEDGER_OFFICERS = (Role.COUNTY, Role.CITY, Role.PROVINCE)
LEDGER_READERS = (Role.STREET, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR)
OVERSIGHT = (Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR)  # reports, rolls, overdue lists
IMPORTERS = (Role.CASEWORKER, Role.STREET, Role.COUNTY)
OFFER_MANAGERS = (Role.CASEWORKER, Role.STREET, Role.COUNTY)
API_CLIENT_MANAGERS = (Role.COUNTY, Role.PROVINCE)

# Application steps: action → the role that takes it (applications.services.applications.ACTIONS holds the
# states each may be taken from and what it is called), and how that role is named in refusals.
STEP_ROLES = {
    "document": Role.CASEWORKER,
    "visit": Role.CASEWORKER,
    "review": Role.CASEWORKER,
    "street_approve": Role.STREET,
    "street_return": Role.STREET,
    "street_reject": Role.STREET,
    "notice_start": Role.STREET,
    "objection": Role.STREET,
    "county_approve": Role.COUNTY,
    "county_reject": Role.COUNTY,
}
STEP_TAKER_NAMES = {
    Role.CASEWORKER: "本社区的社区工作人员",
    Role.STREET: "本街道的民政专干",
    Role.COUNTY: "本县（区）的民政部门",
}


# --- who the user is ------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    )


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def _staff(user) -> bool:
    """An active signed-in person (not a department API client)."""
    return _active(user) and _role(user) != DEPARTMENT


def _superuser(user) -> bool:
    return _staff(user) and bool(getattr(user, "is_superuser", False))


def has_staff_role(user) -> bool:
    """A signed-in person with a role, or a superuser (the API's staff side; activity is checked by login)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and _role(user) != DEPARTMENT
        and (_role(user) or getattr(user, "is_superuser", False))
    )


def is_caseworker(user) -> bool:
    """Community caseworkers record case data, resolve review tasks and handle help for their community."""
    return _staff(user) and _role(user) == Role.CASEWORKER


def is_street_officer(user) -> bool:
    return _staff(user) and _role(user) == Role.STREET


def is_county_officer(user) -> bool:
    return _staff(user) and _role(user) == Role.COUNTY


def is_city_or_province_officer(user) -> bool:
    return _staff(user) and _role(user) in (Role.CITY, Role.PROVINCE)


def is_auditor(user) -> bool:
    return _staff(user) and _role(user) == Role.AUDITOR


def is_county_officer_for(user, code: str | None) -> bool:
    return is_county_officer(user) and in_scope(user, code)


def is_street_officer_for(user, code: str | None) -> bool:
    return is_street_officer(user) and in_scope(user, code)


# --- applications ---------------------------------------------------------------------------------


def takes_step(user, action: str) -> bool:
    """Whether the user's role takes this application step (anywhere)."""
    return _staff(user) and STEP_ROLES.get(action) is not None and _role(user) == STEP_ROLES[action]


def step_taker(action: str) -> str:
    """Who takes the step, as refusals name them ("本街道的民政专干")."""
    return STEP_TAKER_NAMES[STEP_ROLES[action]]


def can_take_application_step(user, action: str, application_region: str | None) -> bool:
    return takes_step(user, action) and in_scope(user, application_region)


def can_receive_application(user, community_code: str | None) -> bool:
    return is_caseworker(user) and in_scope(user, community_code)


def can_set_step_limits(user) -> bool:
    """A county officer sets the time limits of their county."""
    return is_county_officer(user) and getattr(user, "region_id", None) is not None


def sees_overdue(user) -> bool:
    """County, city and province officers, auditors and superusers see every overdue application of their area."""
    return _staff(user) and (_role(user) in OVERSIGHT or _superuser(user))


# --- benefits -------------------------------------------------------------------------------------


def can_recompute(user, community_code: str) -> bool:
    """The caseworker of the community (who records the change) or the county officer."""
    return can_write_region(user, community_code) or is_county_officer_for(user, community_code)


def can_decide_enrolment(user, community_code: str) -> bool:
    """Exit, suspend, resume: the county office that approves enrolments decides their end too."""
    return is_county_officer_for(user, community_code)


def manages_rolls(user) -> bool:
    """County officers draw up the payment rolls of their county."""
    return is_county_officer(user)


def can_manage_roll(user, county_code: str) -> bool:
    return is_county_officer(user) and user.region_id == county_code


def can_approve_correction(user, county_code: str, requested_by_id: int | None) -> bool:
    """A 冲正 is approved by the county office, and never by the officer who asked for it (four eyes: the
    person who says a paid amount was wrong is not the one who lets the money move)."""
    return can_manage_roll(user, county_code) and user.pk != requested_by_id


def can_read_rolls(user) -> bool:
    """County, city and province officers, auditors and superusers (a caseworker or street officer does not)."""
    return _staff(user) and (_role(user) in OVERSIGHT or _superuser(user))


def sees_full_ids(user, county_code: str) -> bool:
    return _superuser(user) or is_county_officer_for(user, county_code)


def can_apply_relief(user, community_code: str) -> bool:
    """The community caseworker, or the street office's unified window (统一受理窗口)."""
    return can_write_region(user, community_code) or is_street_officer_for(user, community_code)


def receives_relief(user) -> bool:
    """Caseworkers and street officers take in temporary relief applications."""
    return is_caseworker(user) or is_street_officer(user)


def relief_desk(user) -> str | None:
    """Which relief decisions wait for the user: "street" (applications, filings), "county" (approvals), or None."""
    if is_street_officer(user):
        return "street"
    if is_county_officer(user):
        return "county"
    return None


def can_read_relief_filings(user) -> bool:
    """County, city and province officers and auditors read what streets paid from their reserve funds."""
    return _staff(user) and _role(user) in OVERSIGHT


# --- standards ------------------------------------------------------------------------------------


def can_enter_standard(user, region: Region | None) -> bool:
    """County officers for their own county, province officers for their province, superusers for any."""
    if not _active(user) or region is None:
        return False
    if user.is_superuser:
        return True
    if _role(user) == Role.COUNTY:
        return region.level == Region.Level.COUNTY and region.code == user.region_id
    if _role(user) == Role.PROVINCE:
        return region.level == Region.Level.PROVINCE and region.code == user.region_id
    return False


def entry_regions(user) -> QuerySet[Region]:
    """The regions `user` may enter standards for (a queryset)."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if user is not None and getattr(user, "is_superuser", False):
        return qs
    if _role(user) in (Role.COUNTY, Role.PROVINCE) and getattr(user, "region_id", None):
        level = Region.Level.COUNTY if _role(user) == Role.COUNTY else Region.Level.PROVINCE
        return qs.filter(code=user.region_id, level=level)
    return qs.none()


def can_model_standards(user) -> bool:
    """County and province officers test a standard change (调标测算) and manage department clients."""
    return _staff(user) and _role(user) in (Role.COUNTY, Role.PROVINCE)


# --- imports, help ----------------------------------------------------------------------------------


def can_import_households(user) -> bool:
    """County, street and community officers upload household workbooks for their region."""
    return _staff(user) and _role(user) in IMPORTERS and getattr(user, "region_id", None) is not None


def can_import_into(user, community_code: str | None) -> bool:
    """Households, members and incomes: a county, street or community officer inside their region."""
    return can_import_households(user) and in_scope(user, community_code)


def imports_enrolments(user) -> bool:
    return is_county_officer(user)


def can_import_enrolments(user, community_code: str | None) -> bool:
    """Enrolments: only the county office that approves them (as can_decide_enrolment)."""
    return is_county_officer_for(user, community_code)


def can_manage_offer(user, region_code: str | None) -> bool:
    return _staff(user) and _role(user) in OFFER_MANAGERS and in_scope(user, region_code)


# --- ledgers (cross-department comparison) ---------------------------------------------------------


def is_officer(user) -> bool:
    """County, city and province officers (extracts and runs)."""
    return _staff(user) and _role(user) in LEDGER_OFFICERS


def officer_regions(user) -> QuerySet[Region]:
    """Counties, cities or the province an officer may upload for and reconcile: their own region and
    those of level county or above inside it."""
    qs = Region.objects.filter(level__lte=Region.Level.COUNTY)
    if not is_officer(user):
        return qs.none()
    return scope_filter(qs, user, "code")


def can_act_for_region(user, region: Region | None) -> bool:
    return (
        region is not None
        and is_officer(user)
        and region.level <= Region.Level.COUNTY
        and in_scope(user, region.code)
    )


def can_read_ledgers(user) -> bool:
    """Street officers and above, auditors and superusers read comparison runs and their findings."""
    return _staff(user) and (_role(user) in LEDGER_READERS or bool(user.is_superuser))


def can_decide_extract(principal, extract) -> bool:
    """The side that uploaded: the same department client, or an officer whose scope holds the region."""
    if _role(principal) == DEPARTMENT:
        return extract.client_id == principal.client.pk
    return is_officer(principal) and in_scope(principal, extract.region_id)


def can_retry_or_abandon_import(user, batch) -> bool:
    """重试 / 放弃 of a stuck import, 确认 / 放弃 of a checked one: its uploader only."""
    return _active(user) and batch.uploaded_by_id == user.pk


def can_retry_or_abandon_extract(principal, extract) -> bool:
    """重试 / 放弃 of a stuck extract: the side that uploaded it (as for loading or discarding it)."""
    return can_decide_extract(principal, extract)


def can_retry_or_abandon_run(user, run) -> bool:
    """重新开始 / 放弃 of a stuck reconciliation: an officer of the run's region (as for starting it)."""
    return can_act_for_region(user, run.region)


def can_retry_or_abandon_roll(user, roll) -> bool:
    """重试 / 放弃 of a payment roll whose generation stopped: the county that manages the roll."""
    return can_manage_roll(user, roll.county_id)


def can_review(user, task) -> bool:
    if not _staff(user):
        return False
    code = task.region_id
    community = len(code) == 12 and not code.endswith("000")
    if _role(user) == Role.CASEWORKER:
        return community and in_scope(user, code)
    if _role(user) in LEDGER_OFFICERS:
        return not community and in_scope(user, code)
    return False


# --- reports, API clients, access log --------------------------------------------------------------


def can_read_reports(user) -> bool:
    """County, city and province officers and auditors (read-only) read the oversight reports."""
    return _staff(user) and (bool(user.is_superuser) or _role(user) in OVERSIGHT)


def can_open_api_clients(user) -> bool:
    """County and province officers (and superusers) open the department-client pages."""
    return _superuser(user) or (_staff(user) and _role(user) in API_CLIENT_MANAGERS)


def sees_all_api_clients(user) -> bool:
    return _superuser(user) or (_staff(user) and _role(user) == Role.PROVINCE)


def can_manage_api_clients(user, region_code: str | None) -> bool:
    """County officers manage clients limited to their county; province officers any client."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or _role(user) == Role.PROVINCE:
        return True
    return _role(user) == Role.COUNTY and in_scope(user, region_code or PROVINCE_CODE)


def can_read_access_log(user) -> bool:
    return _superuser(user) or (_staff(user) and _role(user) in (Role.AUDITOR, Role.PROVINCE))


def can_manage_lockouts(user) -> bool:
    """County, city and province officers (and superusers) see and lift the login lockouts of their staff."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or _role(user) in (Role.COUNTY, Role.CITY, Role.PROVINCE))
    )


def sees_every_lockout(user) -> bool:
    """Superusers see every locked name, even one no account has; officers only their scope's staff."""
    return bool(getattr(user, "is_superuser", False))


def can_administer(user) -> bool:
    return _superuser(user)


def can_download_export(user, job) -> bool:
    """A background export (accounts.ExportJob) is its asker's alone, and only while they keep the region they
    asked from: nobody else sees its page, progress or file — not an officer above, not an auditor."""
    return _active(user) and job.user_id == user.pk and job.region_id == getattr(user, "region_id", None)
