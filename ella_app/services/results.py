"""What a deposit or change reports: which objects it created, updated or left unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# (description, done, total) — the CLI turns this into a progress bar on a terminal.
ProgressFn = Callable[[str, int, int], None]


def no_progress(description: str, done: int, total: int) -> None:
    return None


@runtime_checkable
class Summarized(Protocol):
    """A change result with a one-line summary (what the audit log keeps of it)."""

    def summary(self) -> str: ...


@dataclass
class ChangeReport:
    kind: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.extra.get("changed"))

    def summary(self) -> str:
        deleted = f"{len(self.deleted)} deleted ({', '.join(self.deleted)})"
        if self.deleted and not (self.created or self.updated or self.unchanged):
            return f"{self.kind}: {deleted}"
        text = f"{self.kind}: {len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
        return f"{text}, {deleted}" if self.deleted else text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "changed": self.changed,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "deleted": len(self.deleted),
            "names": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "deleted": self.deleted,
            },
        }
        data.update({k: v for k, v in self.extra.items() if k != "changed"})
        if self.messages:
            data["messages"] = self.messages
        return data
