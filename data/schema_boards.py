"""The boards' tables of the RCC Insight store: who may sign in, the append-only audit
trail and board packs as made (migration 0011), and the slow shared results the pages and
packs are cut from, kept per data version (migration 0012). Part of ``data.schema``, which
imports them so one module still names the whole schema."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.schema import Base


class AppUser(Base):
    """A person who may sign in, and what they may see (``analysis/access.py``). People
    signing in through the RCC's identity provider (OIDC) are matched by email and have no
    password here; local accounts (a server without an identity provider) keep an argon2
    hash, never the password. Failed sign-ins are counted and lock the account for a while
    (``data/accounts.py``). Accounts are disabled, never deleted, so the audit trail's
    names stay meaningful."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    rccs: Mapped[str | None] = mapped_column(Text)  # comma-separated RCC ids (trustee, adcs)
    provider: Mapped[str | None] = mapped_column(String(120))  # provider id (provider role)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class AuditEvent(Base):
    """One thing someone did: signed in (or failed to), imported, exported or downloaded a
    table, made a board pack, set a cap, changed the register or RCC membership. Append
    only: the migration adds triggers that refuse UPDATE and DELETE on both SQLite and
    PostgreSQL, so the trail cannot be edited through the app or the store's SQL."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    who: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class BoardPack(Base):
    """A board pack as made: the RCC and meeting date, who made it and when, the frozen data
    version (``manifest``: JSON of every dataset's release and checksum, the case-level
    imports in force, the forecast run, the cap and flag-rule settings), and the PDF and
    XLSX themselves, so a pack link reopens exactly what the board read."""

    __tablename__ = "board_pack"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rcc_id: Mapped[str] = mapped_column(String(20))
    meeting_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(254))
    manifest: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)


class KeptResult(Base):
    """A slow shared result (a needs family, the fee frame, a fee family) as made for one
    data version (``data/kept.py``): one row per name, replaced when the data change. The
    payload is a pickle written only by ``data.kept`` into this store."""

    __tablename__ = "kept_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    data_key: Mapped[str] = mapped_column(Text)  # what it was made from (``kept.data_key``)
    inputs: Mapped[str] = mapped_column(String(64))  # digest of handed-in inputs, or ""
    made_at: Mapped[datetime] = mapped_column(DateTime)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
