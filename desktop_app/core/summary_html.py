"""An analysed text's summary as a section of its HTML page (core/heatmap_html.py): GLTR's rank buckets, how
surprising the text was, and how sure the model was of its first guesses against how often they were right, as
the Text tab's summary and its charts say them. Tables, not pictures: a reader can copy the figures into a report.
"""

from __future__ import annotations

import html

from desktop_app.core.calibration import calibration_rows, calibration_words
from desktop_app.core.plain_figures import surprise_sentence

SUMMARY_STYLE = """
.sum{margin:1.5em 0 0;font-size:14px}
.sum h2{font-size:1.1em;margin:1.2em 0 .3em}
.sum table{border-collapse:collapse}
.sum td,.sum th{padding:.15em .8em .15em 0;text-align:right}
.sum td:first-child,.sum th:first-child{text-align:left}
.sum .few{color:#777}
@media (prefers-color-scheme:dark){.sum .few{color:#999}}
"""


def summary_html(summary, about: str = "") -> str:
    """A TextSummary (core/documents.py) as a section: ``about`` says which tokens it is of ("Your text, without
    the model's continuation"), then the rank buckets, the surprise figures and the first guesses' table."""
    if summary is None or not summary.tokens:
        return ""
    lead = f"<p>{html.escape(about)}</p>" if about else ""
    return (f"<section class=\"sum\">\n<h2>Summary</h2>\n{lead}{_ranks(summary)}{_surprise(summary)}"
            f"{_first_guesses(summary.calibration)}</section>\n")


def _ranks(summary) -> str:
    rows = "".join(f"<tr><td>{html.escape(label)}</td><td>{count:,}</td><td>{share * 100:.1f}%</td></tr>"
                   for label, count, share in zip(summary.bucket_labels, summary.bucket_counts, summary.bucket_shares))
    return ("<table><tr><th>The model ranked the token</th><th>tokens</th><th>share</th></tr>"
            f"{rows}</table>\n")


def _surprise(summary) -> str:
    """The Text tab's words for the figures (plain_figures.surprise_sentence: one source), after the count."""
    return f"<p>{summary.tokens:,} tokens scored. {html.escape(surprise_sentence(summary))}.</p>\n"


def _first_guesses(result) -> str:
    """The first guesses' sentence and one row per bin of sureness (a bin of few tokens greyed: rough)."""
    if result is None or not result.tokens:
        return ""
    rows = []
    for row in calibration_rows(result):
        right = "" if row["share_right"] is None else f"{row['share_right'] * 100:.0f}%"
        sure = "" if row["mean_sureness"] is None else f"{row['mean_sureness'] * 100:.0f}%"
        few = " class=\"few\"" if row["few"] and row["tokens"] else ""
        rows.append(f"<tr{few}><td>{row['low'] * 100:.0f}\u2013{row['high'] * 100:.0f}% sure</td>"
                    f"<td>{row['tokens']:,}</td><td>{right}</td><td>{sure}</td></tr>")
    return (f"<h2>First guesses</h2>\n<p>{html.escape(calibration_words(result))} Calibration error "
            f"{result.calibration_error * 100:.1f} points (a bin greyed holds fewer than 10 tokens: rough).</p>\n"
            "<table><tr><th>The model's first guess was</th><th>tokens</th><th>right</th><th>mean sureness</th></tr>"
            f"{''.join(rows)}</table>\n")
