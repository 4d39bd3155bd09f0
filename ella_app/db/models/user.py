"""User groups, users, sessions and old password hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ella_app.db.base import Base, created_at, intpk, jsonb


class UserGroup(Base):
    __tablename__ = "usergroup"
    __table_args__ = (
        ForeignKeyConstraint(
            ["default_import_genepanel_name", "default_import_genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            name="fk_usergroup_default_import_genepanel",
        ),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String, unique=True)
    config: Mapped[jsonb]
    default_import_genepanel_name: Mapped[str | None]
    default_import_genepanel_version: Mapped[str | None]

    genepanels: Mapped[list[UserGroupGenePanel]] = relationship(cascade="all, delete-orphan")
    import_groups: Mapped[list[UserGroupImport]] = relationship(
        cascade="all, delete-orphan", foreign_keys="UserGroupImport.usergroup_id"
    )


class UserGroupGenePanel(Base):
    __tablename__ = "usergroup_genepanel"
    __table_args__ = (
        ForeignKeyConstraint(
            ["genepanel_name", "genepanel_version"],
            ["genepanel.name", "genepanel.version"],
            ondelete="CASCADE",
            name="fk_usergroup_genepanel_genepanel",
        ),
    )

    usergroup_id: Mapped[int] = mapped_column(ForeignKey("usergroup.id", ondelete="CASCADE"), primary_key=True)
    genepanel_name: Mapped[str] = mapped_column(primary_key=True)
    genepanel_version: Mapped[str] = mapped_column(primary_key=True)


class UserGroupImport(Base):
    """Which groups a group may import analyses into."""

    __tablename__ = "usergroup_import"

    usergroup_id: Mapped[int] = mapped_column(ForeignKey("usergroup.id", ondelete="CASCADE"), primary_key=True)
    import_usergroup_id: Mapped[int] = mapped_column(ForeignKey("usergroup.id", ondelete="CASCADE"), primary_key=True)


class User(Base):
    __tablename__ = "user"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String, unique=True)
    first_name: Mapped[str]
    last_name: Mapped[str]
    email: Mapped[str | None]
    group_id: Mapped[int] = mapped_column(ForeignKey("usergroup.id"), index=True)
    password: Mapped[str]
    password_expiry: Mapped[dt.datetime]
    active: Mapped[bool] = mapped_column(default=True)
    incorrect_logins: Mapped[int] = mapped_column(default=0)
    config: Mapped[jsonb]
    date_created: Mapped[created_at]

    group: Mapped[UserGroup] = relationship()


class UserSession(Base):
    """A login session. Only the SHA-256 of the token is stored."""

    __tablename__ = "usersession"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issued: Mapped[created_at]
    lastactivity: Mapped[created_at]
    expires: Mapped[dt.datetime]
    logged_out: Mapped[dt.datetime | None]


class UserOldPassword(Base):
    __tablename__ = "useroldpassword"
    __table_args__ = (UniqueConstraint("user_id", "password"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    password: Mapped[str]
    expired: Mapped[created_at]
