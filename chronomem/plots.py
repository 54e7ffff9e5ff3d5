"""Figures of a memory's contents (matplotlib, imported only when a figure is drawn).

Figures are built as plain ``matplotlib.figure.Figure`` objects on an Agg canvas: nothing
touches pyplot or the global backend, so drawing works in scripts, servers and notebooks alike.
In a notebook, display the returned figure (after ``%matplotlib inline``) or save it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from chronomem.errors import InputError
from chronomem.schema import SearchResult, utcnow

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_timeline"]

_MIN_WIDTH_FRACTION: Final = 0.006  # a one-day fact stays visible on a multi-year axis
_MAX_LABEL: Final = 48
_PALETTE: Final = "tab10"
# Axes within these ends get matplotlib's date ticks; wider ones (facts near years 1 or 9999)
# get plain year ticks, since the date locators would place a tick outside the datetime range.
_SAFE_AXIS: Final = (datetime(100, 1, 1, tzinfo=UTC), datetime(9900, 1, 1, tzinfo=UTC))


def plot_timeline(
    results: Sequence[SearchResult],
    path: str | Path | None = None,
    *,
    title: str = "Timeline of facts (valid time)",
    now: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> Figure:
    """One horizontal bar per fact over its valid time, top to bottom in the given order.

    Labels read ``relation: object`` (prefixed by the subject when there are several). A fact
    still open runs to ``now`` (default: the current time) and ends in an arrow; a closed
    fact shows its end date; a fact with an unknown start begins at the earliest time shown,
    with a dashed outline; rows the memory no longer believes (``expired_at`` set) are
    hatched. Bars share a colour per relation. ``window`` (start, end) zooms the time axis:
    facts outside it are left out, bars running past its end stop at the edge with an arrow.
    Results that are not facts are ignored. The figure is saved to ``path`` (format from its
    extension) when given, and returned.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    moment = now or utcnow()
    _check_times(moment, window)
    _check_path(path)
    facts = [r for r in results if r.kind == "fact"]
    if window is not None:
        facts = [f for f in facts if _overlaps(f, window, moment)]
    figure = Figure(figsize=(10, min(0.42 * max(len(facts), 1) + 1.6, 40.0)))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title)
    if not facts:
        axes.text(0.5, 0.5, "no facts to show", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return _save(figure, path)
    known = [t for f in facts for t in (f.valid_at, f.invalid_at) if t is not None]
    first, last = window or (min(known, default=moment), max([*known, moment]))
    _draw_bars(axes, facts, first, last, moment)
    _style_axes(axes, first, last, moment)
    _legend(axes, facts, shows_now=first <= moment <= last)
    figure.tight_layout()
    return _save(figure, path)


def _check_times(moment: datetime, window: tuple[datetime, datetime] | None) -> None:
    for name, value in (("now", moment), *(("window", w) for w in window or ())):
        if value.tzinfo is None:
            raise InputError(f"{name}: give timezone-aware datetimes, e.g. datetime.now(UTC)")
    if window is not None and window[0] >= window[1]:
        raise InputError(f"window: the start {window[0]} must be before the end {window[1]}")


def _check_path(path: str | Path | None) -> None:
    """Refuse a file name whose extension matplotlib cannot write, before anything is drawn
    or created."""
    if path is None:
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    supported = FigureCanvasAgg(Figure()).get_supported_filetypes()
    suffix = Path(path).suffix.lower().removeprefix(".")
    if suffix not in supported:
        given = f".{suffix}" if suffix else "a file without an extension"
        formats = ", ".join(f".{name}" for name in sorted(supported))
        raise InputError(
            f"{path}: cannot save a figure as {given}; use one of {formats} (e.g. timeline.png)"
        )


def _shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, stopping at the ends of the datetime range (years 1 and 9999)
    instead of overflowing, so facts at the edges of time can be drawn."""
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.max if delta > timedelta(0) else datetime.min
        return edge.replace(tzinfo=UTC)


def _overlaps(fact: SearchResult, window: tuple[datetime, datetime], moment: datetime) -> bool:
    starts_in_time = fact.valid_at is None or fact.valid_at <= window[1]
    end = fact.invalid_at or max(moment, window[1])
    return starts_in_time and end >= window[0]


def _num(moment: datetime) -> float:
    """A datetime as a matplotlib date number."""
    from matplotlib import dates as mdates

    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def _label(fact: SearchResult, several_subjects: bool) -> str:
    relation = (fact.relation or "?").lower().replace("_", " ")
    label = f"{relation}: {fact.object or fact.text}"
    if several_subjects and fact.subject:
        label = f"{fact.subject} · {label}"
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 3] + "..."


def _draw_bars(
    axes: Axes, facts: Sequence[SearchResult], first: datetime, last: datetime, moment: datetime
) -> None:
    from matplotlib import colormaps

    floor = timedelta(seconds=max((last - first).total_seconds(), 86_400.0) * _MIN_WIDTH_FRACTION)
    colours = colormaps[_PALETTE]
    relations = list(dict.fromkeys(f.relation or "?" for f in facts))
    several_subjects = len({f.subject for f in facts}) > 1
    labels: list[str] = []
    for row, fact in enumerate(facts):
        start = max(fact.valid_at or first, first)
        stop = fact.invalid_at or moment
        clipped = stop > last
        end = max(min(stop, last), _shift(start, floor))
        colour = colours(relations.index(fact.relation or "?") % colours.N)
        retracted = fact.expired_at is not None
        axes.barh(
            row,
            _num(end) - _num(start),
            left=_num(start),
            height=0.6,
            color=colour,
            alpha=0.45 if retracted else 0.85,
            edgecolor="black" if retracted or fact.valid_at is None else colour,
            linewidth=0.8,
            hatch="///" if retracted else None,
            linestyle="--" if fact.valid_at is None else "-",
            gid=fact.uuid,
        )
        if fact.invalid_at is None or clipped:
            axes.plot(_num(end), row, marker=">", color=colour, markersize=9)
        if fact.invalid_at is not None and not clipped:
            axes.text(
                _num(end),
                row,
                f" {fact.invalid_at.date().isoformat()}",
                va="center",
                fontsize=7,
                color="dimgray",
            )
        labels.append(_label(fact, several_subjects))
    axes.set_yticks(range(len(facts)), labels, fontsize=9)
    axes.invert_yaxis()


def _year_label(value: float, _position: object) -> str:
    """A tick at ``value`` (a matplotlib date number) as its year; blank outside years 1-9999."""
    from matplotlib import dates as mdates

    try:
        return str(mdates.num2date(value).year)  # type: ignore[no-untyped-call]
    except ValueError:
        return ""


def _style_axes(axes: Axes, first: datetime, last: datetime, moment: datetime) -> None:
    from matplotlib import dates as mdates

    if first <= moment <= last:
        axes.axvline(_num(moment), color="gray", linestyle=":", linewidth=1)
    margin = timedelta(seconds=max((last - first).total_seconds(), 86_400.0) * 0.04)
    low, high = _shift(first, -margin), _shift(last, margin * 3)
    axes.set_xlim(_num(low), _num(high))
    axes.xaxis_date()
    if _SAFE_AXIS[0] <= low and high <= _SAFE_AXIS[1]:
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_formatter(formatter)
    else:  # date locators put ticks past year 9999 (or before year 1) and fail: plain years
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(nbins=6))
        axes.xaxis.set_major_formatter(FuncFormatter(_year_label))
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlabel("valid time")


def _legend(axes: Axes, facts: Sequence[SearchResult], *, shows_now: bool) -> None:
    """A key for the markings that occur in this figure."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Line2D([], [], marker=">", color="gray", label="runs on (still true)"),
        Patch(facecolor="gray", alpha=0.85, label="closed (end date shown)"),
    ]
    if any(f.expired_at is not None for f in facts):
        handles.append(
            Patch(facecolor="white", edgecolor="black", hatch="///", label="retracted belief")
        )
    if any(f.valid_at is None for f in facts):
        handles.append(
            Patch(facecolor="white", edgecolor="black", linestyle="--", label="start unknown")
        )
    if shows_now:
        handles.append(Line2D([], [], color="gray", linestyle=":", label="now"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def _save(figure: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial{target.suffix}")
        try:  # drawn into a side file and renamed: a failed save leaves no half-written file
            figure.savefig(partial, dpi=130, bbox_inches="tight")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return figure
