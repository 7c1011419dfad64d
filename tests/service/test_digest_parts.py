"""The digest's arithmetic on its own: weeks across time zones and DST, the emerging-topic test, the sending
calendar, and numbers as a Danish or Norwegian reader expects them."""

from __future__ import annotations

import datetime as dt

import pytest

from service.errors import Invalid
from service.services.digest.delivery import backoff, due_week, send_moment
from service.services.digest.emerging import log_likelihood, rises, significant_rise
from service.services.digest.text import percent, signed
from service.services.digest.weeks import parse_week, week_of

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("moment", "tz", "week"),
    [
        ("2026-11-22T22:59:00+00:00", "Europe/Copenhagen", "2026-W47"),  # Sunday 23:59 in Copenhagen
        ("2026-11-22T23:00:00+00:00", "Europe/Copenhagen", "2026-W48"),  # Monday 00:00 there
        ("2026-11-22T23:30:00+00:00", "Atlantic/Reykjavik", "2026-W47"),
        ("2026-10-25T22:30:00+00:00", "Europe/Oslo", "2026-W43"),  # Sunday 23:30, the day summer time ended
        ("2026-10-25T23:30:00+00:00", "Europe/Oslo", "2026-W44"),
        ("2026-12-31T23:30:00+00:00", "Europe/Copenhagen", "2026-W53"),  # 2026 has 53 ISO weeks
        ("2027-01-03T12:00:00+00:00", "Europe/Copenhagen", "2026-W53"),
        ("2027-01-04T12:00:00+00:00", "Europe/Copenhagen", "2027-W01"),
    ],
)
def test_a_moment_falls_in_the_iso_week_of_its_time_zone(moment: str, tz: str, week: str) -> None:
    assert week_of(dt.datetime.fromisoformat(moment), tz).name == week


def test_week_bounds_follow_summer_time() -> None:
    start, end = parse_week("2026-W43").bounds("Europe/Copenhagen")  # summer time ends on Sunday 25 October
    assert start == dt.datetime(2026, 10, 18, 22, tzinfo=UTC) and end == dt.datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert end - start == dt.timedelta(days=7, hours=1)


@pytest.mark.parametrize("text", ["2026-47", "W47", "2026-W00", "2026-W54", "2025-W53", "x"])
def test_a_week_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_week(text)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown time zone"):
        week_of(dt.datetime.now(UTC), "Europe/Atlantis")


def test_log_likelihood_grows_with_the_difference_and_is_zero_without_one() -> None:
    assert log_likelihood(10, 100, 80, 800) == pytest.approx(0.0, abs=1e-9)
    assert log_likelihood(20, 100, 80, 800) > log_likelihood(15, 100, 80, 800) > 0


def test_a_phrase_must_be_frequent_and_significantly_more_so_to_emerge() -> None:
    assert significant_rise(12, 40, 0, 200)[0]  # new this week, in 12 notes
    assert not significant_rise(3, 40, 0, 200)[0]  # too few notes to say
    assert not significant_rise(6, 100, 40, 800)[0]  # 6 % against 5 %: the usual level
    assert significant_rise(30, 100, 40, 800)[0]  # 30 % against 5 %


def test_a_longer_phrase_speaks_for_the_word_inside_it() -> None:
    found = rises({"glasskår": 12, "glasskår syltetøj": 11, "pakke": 20}, 100, {"pakke": 160}, 800, 8)
    assert [r.phrase for r in found] == ["glasskår"] or [r.phrase for r in found] == ["glasskår syltetøj"]


def test_the_digest_goes_out_on_monday_at_seven_local_time_and_catches_up_later() -> None:
    week = parse_week("2026-W47")
    moment = send_moment(week, "Europe/Oslo", 1, "07:00")
    assert moment == dt.datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert due_week(moment - dt.timedelta(minutes=1), "Europe/Oslo", 1, "07:00").name == "2026-W46"
    assert due_week(moment, "Europe/Oslo", 1, "07:00").name == "2026-W47"
    assert due_week(moment + dt.timedelta(days=3), "Europe/Oslo", 1, "07:00").name == "2026-W47"
    assert send_moment(week, "Europe/Oslo", 5, "16:30") == dt.datetime(2026, 11, 27, 15, 30, tzinfo=UTC)


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(80.0, "da", "+80 %"), (-12.5, "nb", "−12 %"), (0.0, "da", "0 %"), (33.3, "en", "+33%")],
)
def test_percentages_read_as_in_the_digests_language(value: float, lang: str, expected: str) -> None:
    assert percent(value, lang) == expected


def test_signed_figures_use_a_decimal_comma_and_a_real_minus() -> None:
    assert signed(-37.5, "da") == "−37,5" and signed(8.8, "nb") == "+8,8" and signed(-3.25, "en") == "−3.2"


def test_every_language_has_every_word_of_the_digest() -> None:
    from service.services.digest.text import LANGUAGES, words

    keys = {lang: set(words(lang)) for lang in LANGUAGES}
    assert keys["da"] == keys["nb"] == keys["en"]


@pytest.mark.parametrize(
    ("count", "earlier", "trend"),
    [(5, 2, "rising"), (20, 20, "rising"), (5, 20, "flat"), (4, 0, "new"), (2, 0, "flat"), (1, 40, "falling"), (9, 40, "flat")],
)
def test_a_themes_trend_compares_its_week_with_the_four_before(count: int, earlier: int, trend: str) -> None:
    from service.services.digest.build import _theme_trend

    assert _theme_trend(count, earlier) == trend
