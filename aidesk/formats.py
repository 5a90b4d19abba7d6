"""Dates, numbers and money as a person reads them: local time zone, the language's
conventions (Babel's CLDR data). The database keeps UTC instants and US dollars.

    25/11/2026 14:30      in pt-BR      11/25/26, 2:30 PM   in English
    US$ 0,0012 (R$ 0,01)  costs: what the provider bills, and reais where a rate is set
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from decimal import Decimal, InvalidOperation

from aidesk.i18n import _, babel_locale

USD, BRL = "USD", "BRL"


def local(moment: datetime) -> datetime:
    """The same instant in the computer's time zone (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def date_time(moment: datetime) -> str:
    """25/11/2026 14:30 (pt-BR), 11/25/26, 2:30 PM (en), in local time."""
    from babel.dates import format_datetime

    return format_datetime(local(moment), "short", locale=babel_locale())


def date(moment: datetime) -> str:
    from babel.dates import format_date

    return format_date(local(moment), "short", locale=babel_locale())


def time_of_day(moment: datetime) -> str:
    from babel.dates import format_time

    return format_time(local(moment), "short", locale=babel_locale())


def number(value: float | int, digits: int = 0) -> str:
    """1.234,5 (pt-BR) / 1,234.5 (en)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def bucket(label: str) -> str:
    """A chart bucket, "2026-11-06" or "2026-11", as the language writes it short: 06/11 or
    11/2026 (pt-BR), 11/6 or 11/2026 (en)."""
    from babel.dates import format_skeleton

    day = Date.fromisoformat(label if len(label) > 7 else label + "-01")
    return format_skeleton("Md" if len(label) > 7 else "yMM", day, locale=babel_locale())


def plain(value: float | int) -> str:
    """A number as `:g` writes it (no grouping, at most 3 decimals), with the language's
    decimal sign: 1,5 (pt-BR) / 1.5 (en)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="0.###", locale=babel_locale())


def money(usd: float | None, brl_per_usd: float | None = None) -> str:
    """A cost in US$ as the providers bill it, with reais beside it when a rate is set."""
    if usd is None:
        return _("unknown price")
    text = _currency(usd, USD)
    if brl_per_usd:
        text += f" ({_currency(usd * brl_per_usd, BRL)})"
    return text


def _currency(value: float, code: str) -> str:
    """US$ always written so (a bare "$" reads as reais in Brazil); other currencies by
    their locale symbol (R$)."""
    from babel.numbers import format_currency

    sign = "US$" if code == USD else "¤"
    if 0 < abs(value) < 0.0001:
        return _("under {amount}").format(amount=format_currency(
            0.0001, code, format=f"{sign}\u00a0#,##0.0000", locale=babel_locale(),
            currency_digits=False))
    digits = 2 if value == 0 or abs(value) >= 0.01 else 4
    return format_currency(value, code, format=f"{sign}\u00a0#,##0." + "0" * digits,
                           locale=babel_locale(), currency_digits=False)


def parse_decimal(text: str) -> float:
    """A number typed by a person: `50,00` and `50.00` both work; `1.234,50` (pt) and
    `1,234.50` (en) too. Raises ValueError with nothing but the text in it."""
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    for symbol in ("R$", "US$", "$"):
        raw = raw.removeprefix(symbol)
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        group = "." if decimal_mark == "," else ","
        raw = raw.replace(group, "").replace(decimal_mark, ".")
    elif raw.count(",") == 1:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return float(value)
