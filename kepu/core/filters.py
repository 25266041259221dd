"""What a view is narrowed to: the period, towns and bureaus every page shares, plus any drill-down."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from kepu.core.errors import UserError
from kepu.core.glossary import DIMENSIONS


@dataclass(frozen=True, order=True)
class Period:
    """Whole calendar years, first to last inclusive. Written 2024 or 2021-2025."""

    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–至~]\s*(\d{4})\s*)?", str(text))
        if not m:
            raise UserError(f"期间“{text}”无法识别，应写作年份（如 2024）或起止年份（如 2021-2025）")
        first, last = int(m[1]), int(m[2] or m[1])
        if first > last:
            raise UserError(f"期间“{text}”的起始年份晚于结束年份")
        return cls(first, last)

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))

    @property
    def start(self) -> dt.date:
        return dt.date(self.first, 1, 1)

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive bound)."""
        return dt.date(self.last + 1, 1, 1)

    def label(self) -> str:
        return f"{self.first}年" if self.first == self.last else f"{self.first}—{self.last}年"


def offered(period: Period, periods: list[str]) -> bool:
    """Whether a view may show `period`: one of the periods offered (each plan's whole period, its years, the
    years outside plans), or any run of years from one offered year to another (2023-2024 in a 2021-2025 plan)."""
    return str(period) in periods or all(str(y) in periods for y in (period.first, period.last))


@dataclass(frozen=True)
class Filters:
    """A period and, for each dimension, the values kept (empty: all). Activities count by their start date."""

    period: Period
    town: tuple[str, ...] = ()
    bureau: tuple[str, ...] = ()
    cohort: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    task: tuple[str, ...] = ()
    activity_type: tuple[str, ...] = ()
    campaign: tuple[str, ...] = ()  # 活动主题 (全国科普日…); UNSPECIFIED: activities of no campaign
    month: tuple[str, ...] = ()  # YYYY-MM
    as_of: dt.date | None = None  # the view as it stood on that day: activities begun after it left out

    def narrowed(self, **values: str | tuple[str, ...]) -> Filters:
        """These filters narrowed further: narrowed(town="沙土镇") keeps only that town."""
        unknown = set(values) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown dimensions: {sorted(unknown)}")
        dims: dict[str, object] = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in values.items()}
        return dataclasses.replace(self, **dims)  # type: ignore[arg-type]  # checked above: only dimensions

    def with_period(self, period: Period) -> Filters:
        return dataclasses.replace(self, period=period)

    def as_it_stood(self, day: dt.date | None) -> Filters:
        """These filters as the view stood on `day` (None: as it stands)."""
        return dataclasses.replace(self, as_of=day)

    def dimension_values(self) -> dict[str, tuple[str, ...]]:
        """The dimensions this view is narrowed on, with their values."""
        return {d: getattr(self, d) for d in DIMENSIONS if getattr(self, d)}
