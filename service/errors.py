"""The service's domain errors. No HTTP here: ``service.app`` maps each class to a status once.

    LydhorError
    ├── Unauthenticated   no key, an unknown key, or a revoked key
    ├── Forbidden         the key's role or teams do not allow this
    ├── NotFound          no such note, customer, follow-up, team, user or key (or not visible to the key)
    ├── Conflict          an idempotency key reused with other content; a name already taken
    ├── Invalid           well-formed input that breaks a rule (unknown team, empty text after trimming)
    ├── TooLarge          a body over the size limit
    └── RateLimited       too many requests with one key in a minute
"""

from __future__ import annotations

__all__ = ["LydhorError", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "Invalid", "TooLarge", "RateLimited"]


class LydhorError(Exception):
    code = "error"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Unauthenticated(LydhorError):
    code = "unauthenticated"


class Forbidden(LydhorError):
    code = "forbidden"


class NotFound(LydhorError):
    code = "not_found"


class Conflict(LydhorError):
    code = "conflict"


class Invalid(LydhorError):
    code = "invalid"


class TooLarge(LydhorError):
    code = "too_large"


class RateLimited(LydhorError):
    code = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
