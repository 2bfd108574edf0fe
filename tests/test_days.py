"""The one strict day-count parser of /stats, /unanswered and --days."""

from __future__ import annotations

import argparse

import pytest

from bot.days import MAX_DAYS, parse_days, positive


@pytest.mark.parametrize(("args", "days"), [
    (None, 7), ([], 7), (["30"], 30), (["３０"], 30), ([" 5 "], 5), ([str(MAX_DAYS)], MAX_DAYS),
    (["²"], None), (["٣"], None), (["0"], None), (["-3"], None), (["3.5"], None),
    (["lots"], None), (["1", "2"], None), ([str(MAX_DAYS + 1)], None), (["99999"], None),
])
def test_parse_days(args: list[str] | None, days: int | None) -> None:
    assert parse_days(args) == days


def test_positive_rejects_what_parse_days_rejects() -> None:
    assert positive("14") == 14
    with pytest.raises(argparse.ArgumentTypeError):
        positive("²")
