"""A stored time as a person reads it: the store writes UTC (``store.now``), a person reads their own clock.

"12-04 16:33" (the stored UTC, month first) was hours off a person's clock outside UTC and read as the
12th of April in most of the world (usertest 24): "Dec 4 16:33", in local time, the year only when it is
not this year's. Month names are English whatever the locale, as every other word of the app is."""

from __future__ import annotations

from datetime import datetime, timezone

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _local(stamp) -> datetime | str:
    """``stamp`` (ISO; a time without a zone is the store's UTC) in the local time zone; "" for none, the text
    itself if it is not a time."""
    text = str(stamp or "")
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone()


def local_stamp(stamp, now: datetime | None = None) -> str:
    """``stamp`` as "Dec 4 16:33" in the local time zone, "Dec 4 2025 16:33" in another year than ``now``'s
    (default: now); "" for none, the text itself if it is not a time."""
    when = _local(stamp)
    if isinstance(when, str):
        return when
    year = "" if when.year == (now or datetime.now().astimezone()).year else f" {when.year}"
    return f"{MONTHS[when.month - 1]} {when.day}{year} {when:%H:%M}"


def dated_stamp(stamp) -> str:
    """``stamp`` for a file read elsewhere and later (an exported model card): "Dec 7 2026 15:52 local time
    (UTC+01:00)", the year always, the zone said; "" for none, the text itself if it is not a time."""
    when = _local(stamp)
    if isinstance(when, str):
        return when
    offset = when.strftime("%z")
    return f"{MONTHS[when.month - 1]} {when.day} {when.year} {when:%H:%M} local time (UTC{offset[:3]}:{offset[3:]})"


def day_words(stamp, now: datetime | None = None) -> str:
    """``stamp`` as a list row says when it was last used, short enough for a narrow side panel: "today 14:05",
    "yesterday", "Dec 3", "Nov 2 2025" (local time; the month first, as ``local_stamp`` and the row's tooltip
    say it); "" for none, the text itself if it is not a time. Among sixty conversations a person back after
    weeks looks for the one from last Tuesday, not for its minute (rows92)."""
    when = _local(stamp)
    if isinstance(when, str):
        return when
    today = (now or datetime.now().astimezone()).astimezone(when.tzinfo).date()
    days = (today - when.date()).days
    if days <= 0:  # today, or a clock that was ahead: the time is what tells it apart
        return f"today {when:%H:%M}"
    if days == 1:
        return "yesterday"
    year = "" if when.year == today.year else f" {when.year}"
    return f"{MONTHS[when.month - 1]} {when.day}{year}"
