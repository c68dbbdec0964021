"""Domain errors: each carries the message the user should see (one error path per interface)."""

from __future__ import annotations


class MentorError(Exception):
    """Base class; `str(err)` is shown to the user as it is."""

    exit_code = 1
    status_code = 500


class BadInput(MentorError):
    """The user asked for something invalid (a section 21, an empty message ...)."""

    exit_code = 2
    status_code = 422


class NotFound(MentorError):
    """No such section, task, card or conversation (for this owner)."""

    exit_code = 2
    status_code = 404


class KnowledgeError(MentorError):
    """A knowledge file cannot be parsed; the message names the file and line (exit 1, 500)."""


class StoreUnavailable(MentorError):
    """The database refused a read or write (locked, read-only, unreachable); retry later."""

    exit_code = 1
    status_code = 503
    retry_after = 5
