"""What business-time arithmetic costs (servicedesk.calendars).

Times ``add_business_time`` on the Globex calendar (Monday to Friday 08:30–17:00 Europe/London,
English bank holidays) for 15 minutes, 2 hours and 25 business days, from a few starting points
(inside opening hours, Friday afternoon, Christmas Eve), plus measuring a year and the 24×7 shortcut.
Holiday years are cached after the first call, as in a running service: the figures are warm.

Run:  .venv/bin/python bench/calendar_arithmetic.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from servicedesk.calendars import (  # noqa: E402
    BusinessCalendar,
    add_business_time,
    business_days_after,
    business_time_between,
)

ROUNDS, ROUND_SECONDS = 25, 0.02
LONDON = ZoneInfo("Europe/London")


def _median_microseconds(fn: Callable[[], object]) -> float:
    """Median over ROUNDS rounds of the mean time per call; each round runs about ROUND_SECONDS."""
    start = time.perf_counter()
    fn()  # also warms the holiday cache
    calls = max(5, int(ROUND_SECONDS / max(time.perf_counter() - start, 1e-7)))
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def _adding(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> Callable[[], object]:
    return lambda: add_business_time(calendar, start, duration)


def main() -> None:
    globex = BusinessCalendar.weekly_hours(
        "Europe/London", dict.fromkeys(range(5), [("08:30", "17:00")]), country="GB", subdivision="ENG"
    )
    always = BusinessCalendar.always_open("Europe/London")
    business_day = timedelta(hours=8, minutes=30)
    starts = {
        "Wed 11:00": datetime(2026, 11, 18, 11, 0, tzinfo=LONDON),
        "Fri 16:55": datetime(2026, 11, 20, 16, 55, tzinfo=LONDON),
        "Christmas Eve 16:55": datetime(2026, 12, 24, 16, 55, tzinfo=LONDON),
    }
    durations = {
        "15 minutes": timedelta(minutes=15),
        "2 hours": timedelta(hours=2),
        "25 business days": 25 * business_day,
    }

    print(f"add_business_time on the Globex calendar, median of {ROUNDS} rounds (microseconds per call):")
    print(f"  {'':<18}" + "".join(f"{name:>22}" for name in starts))
    for label, duration in durations.items():
        row = "".join(f"{_median_microseconds(_adding(globex, start, duration)):>22.1f}" for start in starts.values())
        print(f"  {label:<18}{row}")

    year_start, year_end = datetime(2026, 1, 1, tzinfo=LONDON), datetime(2027, 1, 1, tzinfo=LONDON)
    print("\nOther figures (microseconds):")
    others: dict[str, Callable[[], object]] = {
        "business_time_between, one year (Globex)": lambda: business_time_between(globex, year_start, year_end),
        "business_days_after 25 (Globex)": lambda: business_days_after(globex, year_start.date(), 25),
        "add_business_time 15 minutes (24x7)": lambda: add_business_time(
            always, starts["Fri 16:55"], timedelta(minutes=15)
        ),
    }
    for label, fn in others.items():
        print(f"  {label:<44}{_median_microseconds(fn):>10.1f}")


if __name__ == "__main__":
    main()
