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
    "UserOut", "KeyCreate", "KeyOut", "KeyCreated", "ErrorOut", "Health", "Quote", "Share", "VolumeSection",
    "SentimentWeek", "SentimentSection", "ThemeSection", "EmergingTopic", "DigestRepeat", "FollowUpItem",
    "FollowUpSection", "Digest", "SubscriptionCreate", "SubscriptionOut", "DeliveryOut",
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


# --- the weekly digest --------------------------------------------------------------------------


class Quote(msgspec.Struct, kw_only=True):
    """A customer's remark as stored (redacted), quoted in a digest."""

    note_id: uuid.UUID
    text: str
    customer_ref: str | None
    verbatim: bool
    sentiment: str
    channel: str
    captured_at: dt.datetime


class Share(msgspec.Struct, kw_only=True):
    key: str
    count: int


class VolumeSection(msgspec.Struct, kw_only=True):
    notes: int
    previous_week: int
    change_pct: float | None  # against the week before; None when that week had no notes
    agents: int
    by_channel: list[Share]
    by_lang: list[Share]


class SentimentWeek(msgspec.Struct, kw_only=True):
    week: str
    index: float | None  # positive share minus negative share, -100..100; None without notes
    notes: int


class SentimentSection(msgspec.Struct, kw_only=True):
    """The net sentiment index: the number that replaces the survey score, and how many notes it rests on."""

    index: float | None
    notes: int
    positive: int
    negative: int
    neutral: int
    mixed: int
    change: float | None  # points against the week before
    trend: list[SentimentWeek]  # the last 8 weeks, oldest first, this week last


class ThemeSection(msgspec.Struct, kw_only=True):
    id: str
    label: str
    count: int
    last_week: int
    average_4w: float  # notes per week over the 4 weeks before this one
    change_pct: float | None  # against last week
    change_vs_average_pct: float | None
    negative_share: float  # 0..1
    positive_share: float
    trend: Literal["new", "rising", "flat", "falling"]
    about: list[str]  # the phrases its notes use most this week
    quotes: list[Quote]


class EmergingTopic(msgspec.Struct, kw_only=True):
    phrase: str
    count: int
    baseline_per_week: float
    ratio: float | None  # this week's rate over the baseline rate; None when it is entirely new
    themes: list[str]  # theme ids its notes were given; empty when no theme covers it yet
    quotes: list[Quote]


class DigestRepeat(msgspec.Struct, kw_only=True):
    customer_ref: str
    theme: str
    theme_label: str
    notes: int  # the customer's negative notes on this theme within the repeat window
    first: dt.datetime
    last: dt.datetime
    latest: Quote


class FollowUpItem(msgspec.Struct, kw_only=True):
    id: int
    note_id: uuid.UUID
    text: str
    customer_ref: str | None
    assignee: str | None
    due: dt.date | None
    overdue: bool
    link: str


class FollowUpSection(msgspec.Struct, kw_only=True):
    opened: int  # this week
    closed: int  # this week
    open: int  # at the end of the week
    overdue: int  # open at the end of the week and past their due date
    items: list[FollowUpItem]  # the open ones, overdue first


class Digest(msgspec.Struct, kw_only=True):
    """A team's (or the whole company's) week, from the customers' own words."""

    team: str | None  # None: the whole company
    title: str
    week: str
    first_day: dt.date
    last_day: dt.date
    timezone: str
    language: str
    generated_at: dt.datetime
    link: str
    summary: list[str]
    volume: VolumeSection
    sentiment: SentimentSection
    themes: list[ThemeSection]
    emerging: list[EmergingTopic]
    repeat_complaints: list[DigestRepeat]
    follow_ups: FollowUpSection
    praise: list[Quote]


class SubscriptionCreate(Input):
    email: Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    team: Name | None = None  # None: the whole company's digest (admins)


class SubscriptionOut(msgspec.Struct, kw_only=True):
    id: int
    team: str | None
    email: str
    created_at: dt.datetime


class DeliveryOut(msgspec.Struct, kw_only=True):
    team: str | None
    week: str
    email: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None
