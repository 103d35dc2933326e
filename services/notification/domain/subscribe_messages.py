"""WeChat mini program subscribe messages (小程序订阅消息): what each data key lets its value be.

A subscribe template's keys are named by kind and position (`thing1`, `time2`, `amount3`…), and WeChat
refuses a message (47003) whose value does not fit its key's kind, as documented for
`subscribeMessage.send`: thing ≤ 20 characters, number ≤ 32 digits (a decimal allowed), letter ≤ 32
letters, symbol ≤ 5 symbols, character_string ≤ 32 digits, letters or symbols, time a 24-hour time
(optionally after the date, 年月日), date a date (optionally with the time), either of them a range
joined by `~`, amount a currency sign and ≤ 10 digits (a decimal and a closing 元 allowed),
phone_number ≤ 17 digits or symbols, car_number ≤ 8 (Chinese first and last allowed), name ≤ 10
Chinese characters or ≤ 20 letters, phrase ≤ 5 Chinese characters. `const` and `enum` values must be
approved by WeChat one by one, so no template of ours may use them.
"""

from __future__ import annotations

import re
from datetime import date

HAN = "\u4e00-\u9fff"
_MOMENT = r"\d{1,2}:\d{2}"
_DAY = r"\d{4}年\d{1,2}月\d{1,2}日"
_TIME = rf"(?:{_DAY} ?)?{_MOMENT}"
_DATE = rf"{_DAY}(?: {_MOMENT})?"
RULES: dict[str, re.Pattern[str]] = {
    "thing": re.compile(r"^.{1,20}$", re.S),
    "number": re.compile(r"^(?=[\d.]{1,32}$)\d+(?:\.\d+)?$"),
    "letter": re.compile(r"^[A-Za-z]{1,32}$"),
    "symbol": re.compile(r"^[^\w\s]{1,5}$"),
    "character_string": re.compile(r"^[\x21-\x7e]{1,32}$"),
    "time": re.compile(rf"^{_TIME}(?:~{_TIME})?$"),
    "date": re.compile(rf"^{_DATE}(?:~{_DATE})?$"),
    "amount": re.compile(r"^[¥￥$€£]?\d{1,10}(?:\.\d+)?元?$"),
    "phone_number": re.compile(r"^[\d+\-() ]{1,17}$"),
    "car_number": re.compile(rf"^(?=.{{2,8}}$)[{HAN}A-Z0-9][A-Z0-9]*[{HAN}A-Z0-9]$"),
    "name": re.compile(rf"^(?:[{HAN}A-Za-z·]{{1,10}}|[A-Za-z .'\-]{{1,20}})$"),
    "phrase": re.compile(rf"^[{HAN}]{{1,5}}$"),
}
KEY = re.compile(rf"^({'|'.join(sorted(RULES, key=len, reverse=True))})(\d{{1,3}})$")
THING_CHARS = 20
# Our times read `12月1日 23:27` (shared.local_time); WeChat wants the year with the date.
_NO_YEAR = re.compile(r"(?<!年)(?<!\d)(\d{1,2})月(\d{1,2})日")


class FieldError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def kind_of(key: str) -> str:
    """`thing` of `thing1`; a key of no documented kind is refused."""
    found = KEY.match(key)
    if found is None:
        raise FieldError(key, f"{key!r} is not a subscribe template key like thing1 or time2 "
                              f"(kinds: {', '.join(RULES)})")
    return found.group(1)


def _with_year(value: str, today: date) -> str:
    """`12月1日 23:27` → `2026年12月1日 23:27`, the year that puts the day nearest today (a message
    speaks of days close to when it is sent, across a new year too)."""
    def year_of(found: re.Match[str]) -> str:
        month, day = int(found.group(1)), int(found.group(2))
        years = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                years.append((abs((date(year, month, day) - today).days), year))
            except ValueError:  # 2月29日 outside a leap year
                continue
        return f"{min(years)[1]}年{month}月{day}日" if years else found.group(0)

    return _NO_YEAR.sub(year_of, value)


def fit(key: str, value: str, *, today: date) -> str:
    """The value as the key's kind takes it: a long thing cut to 20 characters, a date given its year."""
    kind = kind_of(key)
    value = value.strip()
    if kind == "thing" and len(value) > THING_CHARS:
        return value[:THING_CHARS - 1] + "…"
    if kind in ("time", "date"):
        return _with_year(value, today)
    return value


def refusal(key: str, value: str) -> str | None:
    """Why WeChat would refuse this (fitted) value for the key, or None."""
    kind = kind_of(key)
    if not value:
        return f"{key} may not be empty"
    if RULES[kind].match(value) is None:
        return f"{value!r} does not fit {key} (a {kind} value)"
    return None


def data_of(fields: dict[str, str], variables: dict[str, object], *, today: date) -> dict[str, dict[str, str]]:
    """The message's `data`: each key's value from the variable it is mapped to, fitted to its kind."""
    return {key: {"value": fit(key, "" if variables.get(name) is None else str(variables[name]), today=today)}
            for key, name in fields.items()}


def check_fields(fields: dict[str, str], sample: dict[str, object], *, today: date) -> None:
    """At save: every key of a documented kind, mapped to a variable the template knows, whose sample
    value fits once fitted (a variable that can never fit is found now, not at send time)."""
    if not fields:
        raise FieldError("", "a subscribe template maps its keys (thing1, time2…) to our variables: give fields")
    for key, name in fields.items():
        kind_of(key)
        if name not in sample:
            raise FieldError(key, f"unknown variable {name!r}; this template knows {', '.join(sorted(sample))}")
        value = "" if sample[name] is None else str(sample[name])
        if (why := refusal(key, fit(key, value, today=today))) is not None:
            raise FieldError(key, f"{why}: {name} cannot be sent as {key}")
