"""The exit codes: a contract with CI pipelines (see README, "Exit codes")."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # every SLO evaluated and within the gate
    GATE_BREACHED = 1  # at least one SLO breaches the gate
    USAGE = 2  # usage error or invalid spec
    SOURCE_FAILED = 3  # the data source failed (unreachable, auth, query error, partial data)
    NO_DATA = 4  # no data / too little data for at least one SLO (unless allowed)
    INTERNAL = 70  # a bug: short message, traceback only with --debug
