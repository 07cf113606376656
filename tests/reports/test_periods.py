"""A period's length is read from the periods themselves: months for month starts, else days."""

from datetime import date

from pipelines.reports.periods import PeriodStep, period_step


def test_month_starts_step_by_their_shortest_gap_in_months():
    assert period_step([date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)]) == PeriodStep(
        months=3
    )
    assert period_step([date(2026, 1, 1), date(2026, 2, 1), date(2026, 6, 1)]) == PeriodStep(
        months=1
    )


def test_a_single_month_start_is_a_month_and_a_single_other_day_is_a_day():
    assert period_step([date(2026, 2, 1)]) == PeriodStep(months=1)
    assert period_step([date(2026, 2, 15)]) == PeriodStep(days=1)


def test_other_dates_step_by_their_shortest_gap_in_days():
    assert period_step([date(2026, 1, 5), date(2026, 1, 12), date(2026, 2, 2)]) == PeriodStep(
        days=7
    )


def test_the_period_after_december_is_next_january():
    assert PeriodStep(months=1).after(date(2025, 12, 1)) == date(2026, 1, 1)
    assert PeriodStep(months=3).after(date(2025, 11, 1)) == date(2026, 2, 1)
    assert PeriodStep(days=7).after(date(2025, 12, 29)) == date(2026, 1, 5)
