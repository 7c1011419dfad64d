"""The service's tables, as typed SQLAlchemy models. The schema itself comes from Alembic migrations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, UTCDateTime, utcnow

__all__ = [
    "Team", "User", "Membership", "ApiKey", "Note", "NoteTheme", "NoteTag", "NoteRepeat", "NoteCorrection", "FollowUp",
    "CustomTheme", "AuditEntry", "WeekCount", "DigestSubscription", "DigestDelivery", "InstanceSecret",
]

ROLES = ("agent", "manager", "admin", "integration")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="da")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Copenhagen")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teams: Mapped[list[Team]] = relationship(secondary="memberships", lazy="selectin", order_by="Team.name")


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship(lazy="joined")


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_team_received", "team_id", "received_at", "id"),
        Index("ix_notes_customer_captured", "customer_ref", "captured_at"),
        Index("ix_notes_received", "received_at", "id"),
        # A digest reads one week of a team (or of everyone); the id lets it sample without reading rows.
        Index("ix_notes_team_captured", "team_id", "captured_at", "id"),
        Index("ix_notes_captured", "captured_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    verbatim: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    sentiment: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float] = mapped_column(Float, default=0.0)
    keyphrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    mood: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    client_key: Mapped[uuid.UUID | None] = mapped_column(unique=True, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

    team: Mapped[Team] = relationship(lazy="joined")
    agent: Mapped[User] = relationship(foreign_keys=[agent_id], lazy="joined")
    themes: Mapped[list[NoteTheme]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="NoteTheme.theme_id"
    )
    follow_up: Mapped[FollowUp | None] = relationship(lazy="selectin", uselist=False)
    tag_rows: Mapped[list[NoteTag]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="NoteTag.position"
    )
    repeat_links: Mapped[list[NoteRepeat]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", foreign_keys="NoteRepeat.note_id"
    )


class NoteTheme(Base):
    __tablename__ = "note_themes"
    __table_args__ = (Index("ix_note_themes_theme", "theme_id", "note_id"),)

    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # "nlp" or "agent"
    score: Mapped[float] = mapped_column(Float, default=1.0)


class NoteTag(Base):
    __tablename__ = "note_tags"
    __table_args__ = (Index("ix_note_tags_tag", "tag", "note_id"),)

    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class NoteRepeat(Base):
    """A note that repeats a complaint the same customer made before."""

    __tablename__ = "note_repeats"

    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)
    earlier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True)


class NoteCorrection(Base):
    """An agent's correction of a note's themes or tags, kept to learn from."""

    __tablename__ = "note_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)


class FollowUp(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("note_id"), Index("ix_follow_ups_status_due", "status", "due"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due: Mapped[dt.date | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CustomTheme(Base):
    """A company's own theme (or a change to a default one), as its JSON definition."""

    __tablename__ = "custom_themes"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WeekCount(Base):
    """A running count for a digest: notes of one scope (a team, or 0 for the whole company) in one ISO
    week, by dimension (``notes``, ``channel``, ``lang``, ``sentiment``, ``agent``, ``theme``,
    ``theme_negative``, ``theme_positive``, ``lemma``) and value. Kept up to date as notes arrive, so that a
    digest never has to read every note."""

    __tablename__ = "week_counts"
    # Emerging topics look up each of this week's phrases in the weeks before: one seek per phrase.
    __table_args__ = (
        Index("ix_week_counts_lemma", "scope", "value", "week", sqlite_where=text("dim = 'lemma'"), postgresql_where=text("dim = 'lemma'")),
    )

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(160), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class DigestSubscription(Base):
    """Someone who receives a scope's weekly digest by e-mail (scope: a team id, or 0 for the company)."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("scope", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DigestDelivery(Base):
    """One digest e-mail to one recipient: the row that makes sending happen exactly once, whichever
    process gets there first (it takes a lease), with its attempts and the last error."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("scope", "week", "email"), Index("ix_digest_deliveries_status", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[int] = mapped_column(Integer)
    week: Mapped[dt.date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InstanceSecret(Base):
    """Secrets shared by every process of one installation (e.g. the key that signs digest links)."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
