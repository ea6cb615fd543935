"""Which configured display goes on which of the machine's screens, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenPlan:
    mapped: dict[str, str]  # display name -> screen name
    missing: dict[str, str]  # display name -> screen name the site asked for, not present
    operator_screen: str | None  # None: the site's operator screen is absent, use the primary

    @property
    def complete(self) -> bool:
        return not self.missing

    def problems(self) -> list[str]:
        return [f"display {d}: no screen named {s!r}" for d, s in self.missing.items()]


def plan_screens(wanted: dict[str, str], operator: str, available: list[str]) -> ScreenPlan:
    """Map each display (name -> wanted screen name) onto the screens present now."""
    have = set(available)
    mapped = {d: s for d, s in wanted.items() if s in have}
    missing = {d: s for d, s in wanted.items() if s not in have}
    op = operator if operator and operator in have and operator not in mapped.values() else None
    return ScreenPlan(mapped, missing, op)
