"""Filter configurations, versioned (superseded rows are kept), and their links to user groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ella_app.db.base import Base, created_at, intpk


class FilterConfig(Base):
    __tablename__ = "filterconfig"
    __table_args__ = (Index("uq_filterconfig_active_name", "name", unique=True, postgresql_where=text("active")),)

    id: Mapped[intpk]
    name: Mapped[str]
    filterconfig: Mapped[dict[str, Any]] = mapped_column(JSONB)
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    active: Mapped[bool] = mapped_column(default=True)
    date_created: Mapped[created_at]
    date_superceeded: Mapped[dt.datetime | None]
    previous_filterconfig_id: Mapped[int | None] = mapped_column(ForeignKey("filterconfig.id"))
    schema_version: Mapped[int | None]  # ELLA's filter config schema version (configs migrated from ELLA)

    usergroups: Mapped[list[UserGroupFilterConfig]] = relationship(back_populates="filterconfig")


class UserGroupFilterConfig(Base):
    __tablename__ = "usergroupfilterconfig"
    __table_args__ = (UniqueConstraint("usergroup_id", "filterconfig_id"),)

    id: Mapped[intpk]
    usergroup_id: Mapped[int] = mapped_column(ForeignKey("usergroup.id", ondelete="CASCADE"))
    filterconfig_id: Mapped[int] = mapped_column(ForeignKey("filterconfig.id", ondelete="CASCADE"))
    order: Mapped[int]

    filterconfig: Mapped[FilterConfig] = relationship(back_populates="usergroups")
