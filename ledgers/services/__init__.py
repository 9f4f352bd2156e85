"""Writes of the ledgers app: extracts (upload, validate, load, discard), runs (start, execute, restart),
review tasks (resolve), stuck work (the sweeper's kinds, 重试 / 放弃)."""

from ledgers.services.extracts import (
    extract_discard,
    extract_load,
    extract_process,
    extract_request_load,
    extract_upload,
    extract_validate,
)
from ledgers.services.reviews import review_resolve
from ledgers.services.runs import (
    run_execute,
    run_fail,
    run_finish,
    run_is_stalled,
    run_restart,
    run_rule_execute,
    run_scheduled,
    run_start,
)
from ledgers.services.stuck import (
    EXTRACT_KIND,
    RUN_KIND,
    extract_abandon,
    extract_is_stuck,
    extract_retry,
    run_abandon,
)

__all__ = [
    "EXTRACT_KIND",
    "RUN_KIND",
    "extract_abandon",
    "extract_is_stuck",
    "extract_retry",
    "run_abandon",
    "extract_discard",
    "extract_load",
    "extract_process",
    "extract_request_load",
    "extract_upload",
    "extract_validate",
    "review_resolve",
    "run_execute",
    "run_fail",
    "run_finish",
    "run_is_stalled",
    "run_restart",
    "run_rule_execute",
    "run_scheduled",
    "run_start",
]
