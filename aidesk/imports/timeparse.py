"""Dates and times as exports write them, read into naive local datetimes.

Accepted: ISO 8601 (`2024-03-15T14:30:00`, with `Z` or an offset: converted to this
computer's local time), `15/03/2024 14:30[:05]`, `3/15/24, 2:30 PM`, `15.03.2024`,
`15-03-2024`, a date alone (midnight), and Unix epoch seconds or milliseconds (local
time). Whether `03/04` is day-first is decided from the whole column or file
(`day_first`), never value by value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

NUMERIC = re.compile(
    r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:(?:,\s*|\s+|T)(\d{1,2})[:h.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?"
    r"(?:\s?([aApP])\.?\s?[mM]\.?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?")
EPOCH = re.compile(r"\d{9,13}(?:\.\d+)?")


def day_first(dates: Sequence[tuple[int, int, int]],
              hint: bool | Callable[[], bool | None] | None = None) -> bool:
    """Whether (a, b, year) triples read a/b/year as day/month.

    A field over 12 decides; else the order that keeps the dates going forward in time
    (a chat or an export is written in order); else `hint` (the file's language, or a
    function that tells it, called only then); else day-first, as Brazil writes dates.
    """
    first_over = any(a > 12 for a, _b, _y in dates)
    second_over = any(b > 12 for _a, b, _y in dates)
    if first_over != second_over:
        return first_over
    backwards_dm = _backwards(y * 10000 + b * 100 + a for a, b, y in dates)
    backwards_md = _backwards(y * 10000 + a * 100 + b for a, b, y in dates)
    if backwards_dm != backwards_md:
        return backwards_dm < backwards_md
    told = hint() if callable(hint) else hint
    return True if told is None else told


def _backwards(keys: Iterable[int]) -> int:
    count, previous = 0, -1
    for key in keys:
        if key < previous:
            count += 1
        previous = key
    return count


def full_year(year: int) -> int:
    return year + 2000 if year < 100 else year


def hour_24(hour: int, ampm: str | None) -> int:
    """`hour` on a 24-hour clock; `ampm` is the first letter of AM/PM (a/p), if any."""
    if not ampm:
        return hour
    if ampm in "aA":
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12


class TimeReader:
    """Reads one column's (or one JSON file's) times with one day/month order."""

    def __init__(self, values: Iterable[str], hint: bool | None = None) -> None:
        dates: list[tuple[int, int, int]] = []
        for value in values:
            m = NUMERIC.fullmatch(value.strip())
            if m and len(m.group(1)) <= 2:
                dates.append((int(m.group(1)), int(m.group(2)), full_year(int(m.group(3)))))
        self.day_first = day_first(dates, hint)

    def read(self, value: object) -> datetime | None:
        """The naive local datetime; None for an empty value; ValueError for anything else."""
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int | float):
            return _epoch(float(value))
        text = str(value).strip()
        if not text:
            return None
        if EPOCH.fullmatch(text):
            return _epoch(float(text))
        m = NUMERIC.fullmatch(text)
        if m is None:
            try:
                return _local(datetime.fromisoformat(text))
            except ValueError:
                raise ValueError(text) from None
        a, b, c, hour, minute, second, ampm, zone = m.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif self.day_first:
            day, month, year = int(a), int(b), full_year(int(c))
        else:
            month, day, year = int(a), int(b), full_year(int(c))
        try:
            moment = datetime(year, month, day, hour_24(int(hour), ampm) if hour else 0,
                              int(minute or 0), int(second or 0))
        except ValueError:
            raise ValueError(text) from None
        if zone:
            zone = zone if zone == "Z" or ":" in zone else f"{zone[:3]}:{zone[3:]}"
            moment = datetime.fromisoformat(moment.isoformat() + zone.replace("Z", "+00:00"))
        return _local(moment)


def _epoch(value: float) -> datetime:
    if value > 1e11:  # milliseconds
        value /= 1000
    try:
        return datetime.fromtimestamp(value)
    except (OverflowError, OSError, ValueError):
        raise ValueError(str(value)) from None


def _local(moment: datetime) -> datetime:
    """Aware times become this computer's local time, naive (what every message keeps)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone().replace(tzinfo=None)
