"""Every type that crosses HTTP: msgspec Structs. Inputs forbid unknown fields and carry their limits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

__all__ = [
    "Channel", "Source", "Role", "NoteCreate", "NoteOut", "NoteThemeOut", "NotePatch", "NoteBatch",
    "BatchItemResult", "BatchOut", "NotePage", "AnalyzeIn", "AnalyzeOut", "FollowUpCreate", "FollowUpPatch",
    "FollowUpOut", "CustomerSummary", "ThemeOut", "ThemePut", "MeOut", "TeamOut", "TeamCreate", "UserCreate",
    "UserOut", "KeyCreate", "KeyOut", "KeyCreated", "ErrorOut", "Health",
]

Channel = Literal["phone", "email", "chat", "store", "social", "other"]
Source = Literal["extension", "api", "web", "import"]
Role = Literal["agent", "manager", "admin", "integration"]
Sentiment = Literal["negative", "neutral", "positive", "mixed"]

Text = Annotated[str, Meta(min_length=1, max_length=4000, description="The remark, 1–4,000 characters after trimming.")]
CustomerRef = Annotated[
    str, Meta(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$", description="The CRM's customer id.")
]
Tag = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")]
Tags = Annotated[list[Tag], Meta(max_length=20)]
Mood = Annotated[int, Meta(ge=-2, le=2, description="The agent's estimate of the customer's mood, -2..2.")]
ThemeId = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
ThemeIds = Annotated[list[ThemeId], Meta(max_length=12)]
Name = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Wire policy of every request body: unknown fields are an error, fields are named."""


class NoteCreate(Input):
    text: Text
    customer_ref: CustomerRef | None = None
    channel: Channel = "other"
    verbatim: bool = True
    tags: Tags = []
    mood: Mood | None = None
    captured_at: dt.datetime | None = None
    client_key: uuid.UUID | None = None
    team: Name | None = None
    agent: Name | None = None
    themes: ThemeIds = []
    source: Source = "api"


class NoteBatch(Input):
    notes: list[dict[str, Any]]


class NotePatch(Input):
    themes: ThemeIds | None = None
    tags: Tags | None = None


class NoteThemeOut(msgspec.Struct, kw_only=True):
    id: str
    source: Literal["nlp", "agent"]
    score: float


class NoteOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    team: str
    agent: str
    customer_ref: str | None
    channel: str
    verbatim: bool
    text: str
    lang: str
    sentiment: str
    sentiment_score: float
    themes: list[NoteThemeOut]
    tags: list[str]
    keyphrases: list[str]
    mood: int | None
    captured_at: dt.datetime
    received_at: dt.datetime
    source: str
    client_key: uuid.UUID | None
    repeat: bool
    repeat_of: list[uuid.UUID]
    follow_up: int | None = None


class ErrorOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    error: str
    detail: str
    field: str | None = None


class BatchItemResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    index: int
    status: int
    note: NoteOut | None = None
    error: ErrorOut | None = None


class BatchOut(msgspec.Struct, kw_only=True):
    results: list[BatchItemResult]
    created: int
    existing: int
    failed: int


class NotePage(msgspec.Struct, kw_only=True):
    items: list[NoteOut]
    next: str | None


class AnalyzeIn(Input):
    text: Text
    lang: Literal["da", "nb", "nn"] | None = None


class ThemeSuggestion(msgspec.Struct, kw_only=True):
    id: str
    label: str
    score: float
    evidence: list[str]


class AnalyzeOut(msgspec.Struct, kw_only=True):
    lang: str
    lang_confidence: float
    supported: bool
    redacted: str
    themes: list[ThemeSuggestion]
    sentiment: str
    sentiment_score: float
    keyphrases: list[str]


class FollowUpCreate(Input):
    assignee: Name | None = None
    due: dt.date | None = None


class FollowUpPatch(Input):
    status: Literal["open", "done"] | None = None
    resolution: Annotated[str, Meta(max_length=4000)] | None = None
    assignee: Name | None = None
    due: dt.date | None = None


class FollowUpOut(msgspec.Struct, kw_only=True):
    id: int
    note_id: uuid.UUID
    team: str
    assignee: str | None
    due: dt.date | None
    status: str
    resolution: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    overdue: bool


class ThemeCount(msgspec.Struct, kw_only=True):
    theme: str
    month: str
    count: int
    negative: int


class RepeatComplaint(msgspec.Struct, kw_only=True):
    theme: str
    notes: list[uuid.UUID]
    first: dt.datetime
    last: dt.datetime


class CustomerSummary(msgspec.Struct, kw_only=True):
    customer_ref: str
    notes: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    sentiment: dict[str, int]
    themes: list[ThemeCount]
    open_follow_ups: list[FollowUpOut]
    repeat_complaints: list[RepeatComplaint]
    recent: list[NoteOut]


class ThemeTermsIn(Input):
    terms: Annotated[list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=500)] = []
    exact: Annotated[list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=500)] = []
    phrases: Annotated[list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=500)] = []
    weak: Annotated[list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=500)] = []
    block: Annotated[list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=500)] = []


class ThemePut(Input):
    label: dict[Literal["da", "nb", "nn", "en"], Name]
    about: Annotated[str, Meta(max_length=500)] = ""
    terms: dict[Literal["da", "nb", "nn"], ThemeTermsIn] = {}
    enabled: bool = True


class ThemeOut(msgspec.Struct, kw_only=True):
    id: str
    label: dict[str, str]
    about: str
    custom: bool
    enabled: bool
    terms: dict[str, dict[str, list[str]]]


class TeamOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    language: str
    timezone: str


class TeamCreate(Input):
    name: Name
    language: Literal["da", "nb", "nn", "en"] = "da"
    timezone: Annotated[str, Meta(max_length=64)] = "Europe/Copenhagen"


class UserCreate(Input):
    name: Name
    role: Role
    teams: Annotated[list[Name], Meta(max_length=50)] = []


class UserOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    role: str
    active: bool
    teams: list[str]


class MeOut(msgspec.Struct, kw_only=True):
    user: UserOut
    key_prefix: str


class KeyCreate(Input):
    user: Name
    label: Annotated[str, Meta(max_length=80)] = ""


class KeyOut(msgspec.Struct, kw_only=True):
    prefix: str
    user: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class KeyCreated(msgspec.Struct, kw_only=True):
    key: str
    info: KeyOut


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = {}
