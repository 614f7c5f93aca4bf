"""Dates -> the words issuepress prints for them: an issue's default title ("November 2024"), a long date."""

from __future__ import annotations

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def default_title(date) -> str:
    return f"{MONTHS[date.month - 1]} {date.year}"


def long_date(date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
