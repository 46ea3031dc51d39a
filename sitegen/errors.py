"""Problems found in content, each tied to a file and line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a content file: PATH relative to the content folder, LINE 1-based."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (an error) or suspicious (a warning) in the content."""

    location: Location
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{self.location}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised when content has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


class Problems:
    """A collector: every phase adds to it, and the build fails once at the end."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message))

    def warn(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, warning=True))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' hint, or '' when nothing is close. A choice that differs only
    by case or by characters that look alike (l and 1, O and 0) comes first."""
    ordered = sorted(set(choices))
    alike = [c for c in ordered if _folded(c) == _folded(str(word))]
    close = alike[:1] if len(alike) == 1 else difflib.get_close_matches(str(word), ordered, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


_LOOK_ALIKE = str.maketrans("lIO", "110")


def _folded(word: str) -> str:
    return word.translate(_LOOK_ALIKE).lower().translate(_LOOK_ALIKE)
