"""Times in CSV and JSON exports: one reader per column, naive local results."""

from __future__ import annotations

from datetime import datetime

import pytest

from aidesk.imports.timeparse import TimeReader, day_first


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-15T14:30:00", datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15 14:30", datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15T14:30:00.250", datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15T17:30:00Z", datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15T14:30:00-03:00", datetime(2024, 3, 15, 14, 30)),
    ("2024-03-15T18:30:00+0100", datetime(2024, 3, 15, 14, 30)),
    ("15/03/2024 14:30", datetime(2024, 3, 15, 14, 30)),
    ("15/03/2024 14h30", datetime(2024, 3, 15, 14, 30)),
    ("15/03/24, 2:30 PM", datetime(2024, 3, 15, 14, 30)),
    ("15.03.2024 14:30:05", datetime(2024, 3, 15, 14, 30, 5)),
    ("15-03-2024", datetime(2024, 3, 15)),
    ("1710523800", datetime(2024, 3, 15, 14, 30)),
    ("1710523800000", datetime(2024, 3, 15, 14, 30)),
    (1710523800, datetime(2024, 3, 15, 14, 30)),
    (1710523800.0, datetime(2024, 3, 15, 14, 30)),
])
def test_formats(value: object, expected: datetime, sao_paulo: None) -> None:
    assert TimeReader([]).read(value) == expected


@pytest.mark.parametrize("value", ["ontem", "32/01/2024 10:00", "15/13/2024", "2024-02-30",
                                   True, "10:30"])
def test_unreadable_values(value: object) -> None:
    with pytest.raises(ValueError):
        TimeReader(["15/03/2024"]).read(value)


def test_empty_is_none() -> None:
    assert TimeReader([]).read("") is None and TimeReader([]).read(None) is None


def test_the_column_decides_day_or_month_first() -> None:
    us = TimeReader(["03/04/2024 10:00", "03/20/2024 11:00"])
    assert not us.day_first and us.read("03/04/2024 10:00") == datetime(2024, 3, 4, 10)
    br = TimeReader(["03/04/2024 10:00", "20/03/2024 11:00"])
    assert br.day_first and br.read("03/04/2024 10:00") == datetime(2024, 4, 3, 10)


def test_day_first_rules() -> None:
    assert day_first([(13, 1, 2024)]) is True
    assert day_first([(1, 13, 2024)]) is False
    assert day_first([(1, 5, 2024), (1, 10, 2024), (2, 2, 2024)]) is False  # forward as m/d
    assert day_first([(5, 1, 2024), (10, 1, 2024), (2, 2, 2024)]) is True  # forward as d/m
    assert day_first([(1, 2, 2024)], hint=False) is False
    assert day_first([(1, 2, 2024)], hint=lambda: False) is False
    assert day_first([(1, 2, 2024)]) is True
    called: list[bool] = []

    def hint() -> bool:
        called.append(True)
        return False

    assert day_first([(13, 1, 2024)], hint=hint) is True
    assert called == []  # the hint is only looked for when the dates do not tell
    assert day_first([(1, 2, 2024)], hint=hint) is False and called == [True]
