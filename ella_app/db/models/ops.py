"""Operational tables: the CLI audit log, the request log, UI errors, broadcasts, annotation configs and jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ella_app.db.base import Base, created_at, intpk, jsonb


class CliLog(Base):
    """One row per data-changing ``ella-cli`` command: who, when, what, why, and what it reported."""

    __tablename__ = "clilog"

    id: Mapped[intpk]
    time: Mapped[created_at] = mapped_column(index=True)
    user: Mapped[str]
    group: Mapped[str | None]
    groupcommand: Mapped[str]
    command: Mapped[str]
    argv: Mapped[list[str]] = mapped_column(JSONB)
    reason: Mapped[str | None]
    output: Mapped[str | None] = mapped_column(Text)


class ResourceLog(Base):
    """One row per API request (the request audit of ELLA): who, when, what, how it ended, how long it took
    (milliseconds) and, for POST/PUT/PATCH/DELETE, the body with passwords redacted."""

    __tablename__ = "resourcelog"
    __table_args__ = (Index("ix_resourcelog_user_id_time", "user_id", "time"),)

    id: Mapped[intpk]
    remote_addr: Mapped[str | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    usersession_id: Mapped[int | None] = mapped_column(ForeignKey("usersession.id", ondelete="SET NULL"))
    time: Mapped[created_at] = mapped_column(index=True)
    duration: Mapped[float | None]
    method: Mapped[str]
    resource: Mapped[str]
    query: Mapped[str | None]
    statuscode: Mapped[int]
    response_size: Mapped[int | None]
    payload: Mapped[str | None] = mapped_column(Text)
    payload_size: Mapped[int | None]
    response: Mapped[str | None] = mapped_column(Text)  # the response body ELLA logged (migrated rows)


class UiException(Base):
    """An error the web UI caught in the browser and reported (``POST /api/v1/ui/exceptionlog/``)."""

    __tablename__ = "uiexception"

    id: Mapped[intpk]
    time: Mapped[created_at] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    usersession_id: Mapped[int | None] = mapped_column(ForeignKey("usersession.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    stacktrace: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Broadcast(Base):
    __tablename__ = "broadcast"

    id: Mapped[intpk]
    date_created: Mapped[created_at]
    message: Mapped[str]
    active: Mapped[bool] = mapped_column(default=True)


class AnnotationConfig(Base):
    __tablename__ = "annotationconfig"

    id: Mapped[intpk]
    deposit: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    view: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    date_created: Mapped[created_at]


class AnnotationJob(Base):
    """A job at the annotation service: SUBMITTED → RUNNING → ANNOTATED → DONE, or FAILED (…)."""

    __tablename__ = "annotationjob"

    id: Mapped[intpk]
    task_id: Mapped[str | None]
    status: Mapped[str] = mapped_column(default="SUBMITTED", index=True)
    status_history: Mapped[jsonb]
    mode: Mapped[str | None]
    data: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    date_submitted: Mapped[created_at]
    date_last_update: Mapped[created_at]
    genepanel_name: Mapped[str | None]
    genepanel_version: Mapped[str | None]
    properties: Mapped[jsonb]
    sample_id: Mapped[str | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt: Mapped[dt.datetime | None]
