"""The time axis of the period charts: how long a period is, and ticks at the data's frequency.

Shares and HHI hold for a whole period (a month, a quarter), so the charts draw steps, and the
last period is drawn as wide as the others. Pure functions of the periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PeriodStep:
    """The length of one period of a series: months for month-start periods, else days."""

    months: int = 0
    days: int = 0

    def after(self, day: date) -> date:
        """The start of the period after the one starting on day: where day's value ends."""
        if self.months:
            index = day.year * 12 + day.month - 1 + self.months
            return day.replace(year=index // 12, month=index % 12 + 1)
        return day + timedelta(days=self.days)


def period_step(periods: list) -> PeriodStep:
    """The shortest gap between two periods (a survey's gaps are longer than its period); one
    month for a single month start, one day for a single other date."""
    dates = sorted(set(periods))
    pairs = list(zip(dates, dates[1:], strict=False))
    if all(getattr(day, "day", 1) == 1 for day in dates):
        gaps = [(later.year - day.year) * 12 + later.month - day.month for day, later in pairs]
        return PeriodStep(months=min(gaps, default=1))
    return PeriodStep(days=min(((later - day).days for day, later in pairs), default=1))


def period_ticks(axis, periods: list, step: PeriodStep) -> None:
    """Date ticks at the data's own frequency: monthly data gets month starts (every k months,
    or years for long spans), never matplotlib's default of every few days. The axis runs from
    the first period's start to the last one's end: a single period is a period wide, not
    matplotlib's default of years either side of one date (60 month ticks, written over each
    other)."""
    import matplotlib.dates as mdates

    dates = sorted(set(periods))
    if not dates:
        return
    end = step.after(dates[-1])
    axis.set_xlim(dates[0], end)
    monthly = step.months > 0  # month-start periods (period_step)
    span_months = (end.year - dates[0].year) * 12 + end.month - dates[0].month
    if monthly and span_months > 36:
        years = max(1, -(-span_months // 12 // 8))  # at most about 8 ticks
        axis.xaxis.set_major_locator(mdates.YearLocator(base=years))
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    elif monthly:
        interval = max(1, -(-span_months // 8))
        axis.xaxis.set_major_locator(mdates.MonthLocator(bymonthday=1, interval=interval))
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
