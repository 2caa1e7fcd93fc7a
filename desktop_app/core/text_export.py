"""Exports of an analysed text (Text mode, ``gpt2-desk analyse``): its records as JSON and
GLTR's summary as CSV. The heatmap as PNG needs Qt and lives in gui/text_export.py.

Both front ends write the same files through these functions.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from pathlib import Path

from desktop_app.core.calibration import calibration_rows
from desktop_app.core.documents import HISTOGRAM_BINS, TextSummary
from desktop_app.core.errors import UserFacingError
from desktop_app.core.palette import MAX_ENTROPY_BITS
from desktop_app.core.records import RECORD_UNITS

CSV_COLUMNS = ("section", "label", "low", "high", "count", "share", "value")


def summary_json(summary: TextSummary) -> dict:
    """The summary's figures as plain JSON values (nan, for an empty text, becomes null); with a
    model's continuation in the text, ``model_tokens`` and ``your_text``: the person's own figures."""
    def number(x: float):
        return x if math.isfinite(x) else None

    mine = {} if summary.yours is None else {"model_tokens": summary.model_tokens,
                                            "your_text": summary_json(summary.yours)}
    return mine | {"tokens": summary.tokens,
            "rank_buckets": [{"label": label, "count": count, "share": share} for label, count, share in
                             zip(summary.bucket_labels, summary.bucket_counts, summary.bucket_shares)],
            "mean_surprisal_bits": number(summary.mean_surprisal_bits),
            "perplexity": number(summary.perplexity),
            "probability_histogram": _histogram(summary.probability_histogram, 1.0),
            "entropy_bits_histogram": _histogram(summary.entropy_histogram, MAX_ENTROPY_BITS)} | _first_guesses(summary)


def _first_guesses(summary: TextSummary) -> dict:
    """How sure the model was of its first guesses against how often they were right (core/calibration.py)."""
    result = summary.calibration
    if result is None:
        return {}
    return {"first_guesses": {"tokens": result.tokens, "share_right": result.accuracy,
                              "mean_sureness": result.mean_sureness, "overconfidence": result.overconfidence,
                              "calibration_error": result.calibration_error, "bins": calibration_rows(result)}}


def _histogram(counts, top: float) -> list[dict]:
    """Bins as {low, high, count}; the entropy's last bin also holds everything above ``top``."""
    width = top / HISTOGRAM_BINS
    return [{"low": round(i * width, 6), "high": round((i + 1) * width, 6), "count": c} for i, c in enumerate(counts)]


def analysis_json(scored, summary: TextSummary, written=None, ratings=None, **about) -> dict:
    """An analysed text: ``about`` (title, model, ...), the summary, the text nothing
    predicts ("" when the model reads plain text after a start token, else its first token)
    and one record per token after it (TokenRecord.to_json: text,
    prob, logprob, rank, entropy, top alternatives), each with ``by``: "model" for a token a
    model's continuation wrote (``written[i]``, documents.written_by_model), else "you", and
    ``rating``: the person's +1 / -1 on that token (``ratings``: token index -> value), else null."""
    written = written or [False] * len(scored.records)
    ratings = ratings or {}
    return dict(about, complete=scored.complete, summary=summary_json(summary),
                unscored_prefix=scored.unscored_prefix, units=RECORD_UNITS,
                tokens=[r.to_json() | {"by": "model" if by_model else "you", "rating": ratings.get(i)}
                        for i, (r, by_model) in enumerate(zip(scored.records, written))])


def summary_rows(summary: TextSummary) -> list[dict]:
    """GLTR's summary as CSV rows: one per rank bucket and histogram bin (count and share of
    the tokens), then the figures (value)."""
    share = (lambda c: c / summary.tokens) if summary.tokens else (lambda c: 0.0)
    rows = [{"section": "rank_bucket", "label": label, "count": count, "share": share(count)}
            for label, count in zip(summary.bucket_labels, summary.bucket_counts)]
    for section, counts, top in (("probability", summary.probability_histogram, 1.0),
                                 ("entropy_bits", summary.entropy_histogram, MAX_ENTROPY_BITS)):
        for b in _histogram(counts, top):
            rows.append({"section": section, "label": f"{b['low']:g}-{b['high']:g}", "low": b["low"],
                         "high": b["high"], "count": b["count"], "share": share(b["count"])})
    rows += _first_guess_rows(summary, share)
    rows += [{"section": "figure", "label": "tokens", "value": summary.tokens},
             {"section": "figure", "label": "mean_surprisal_bits", "value": summary.mean_surprisal_bits},
             {"section": "figure", "label": "perplexity", "value": summary.perplexity}]
    if summary.yours is not None:  # the whole text's rows above; the person's own figures and the model's share
        yours = summary.yours
        rows += [{"section": "figure", "label": "model_tokens", "value": summary.model_tokens},
                 {"section": "figure", "label": "your_text_tokens", "value": yours.tokens},
                 {"section": "figure", "label": "your_text_mean_surprisal_bits", "value": yours.mean_surprisal_bits},
                 {"section": "figure", "label": "your_text_perplexity", "value": yours.perplexity}]
    return rows


def _first_guess_rows(summary: TextSummary, share) -> list[dict]:
    """One row per bin of the first guess's sureness: its tokens (count, share of the text's) and the share of
    them where the guess was the text's token (value), then the whole text's calibration error."""
    result = summary.calibration
    if result is None:
        return []
    rows = [{"section": "first_guess_right", "label": f"{b['low']:g}-{b['high']:g} sure", "low": b["low"],
             "high": b["high"], "count": b["tokens"], "share": share(b["tokens"]), "value": b["share_right"]}
            for b in calibration_rows(result)]
    return rows + [{"section": "figure", "label": "first_guess_share_right", "value": result.accuracy},
                   {"section": "figure", "label": "first_guess_mean_sureness", "value": result.mean_sureness},
                   {"section": "figure", "label": "calibration_error", "value": result.calibration_error}]


def summary_csv(summary: TextSummary) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary_rows(summary))
    return out.getvalue()


# a CSV is opened in a spreadsheet: Excel on Windows reads a file without a byte-order mark in the system's
# code page, and a non-ASCII text ("首都", "café") came out as mojibake (glyph70); Python reads it back with
# "utf-8-sig", LibreOffice and pandas skip the mark
SPREADSHEET_ENCODING = "utf-8-sig"


def write_text_atomically(path, text: str, encoding: str = "utf-8") -> Path:
    """Write beside the target and rename: a failed export leaves no half file (and an
    existing file whole)."""
    path = Path(path).expanduser()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding=encoding)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserFacingError(f"{path} could not be written: {exc.strerror or exc}. Nothing was exported.") from exc
    return path


def write_analysis_json(path, scored, summary: TextSummary, written=None, ratings=None, **about) -> Path:
    return write_text_atomically(path, json.dumps(analysis_json(scored, summary, written, ratings, **about),
                                                  ensure_ascii=False) + "\n")


def write_summary_csv(path, summary: TextSummary) -> Path:
    return write_text_atomically(path, summary_csv(summary), SPREADSHEET_ENCODING)


# one row per scored token, for a spreadsheet or pandas: the summary CSV alone was read as "only the summary"
# by a researcher who wanted the tokens (cli102). Entropy in both units, as the JSON records carry it
TOKEN_CSV_COLUMNS = ("index", "text", "id", "prob", "logprob", "rank", "entropy_nats", "entropy_bits",
                     "surprisal_bits", "top_alternative", "top_alternative_prob")


def token_rows(records) -> list[dict]:
    """One row per record: its index among the scored tokens (0 = the first scored, as --json's "tokens"
    list counts), its figures, and the likeliest token other than itself with its probability."""
    rows = []
    for index, r in enumerate(records):
        other = next((a for a in r.top if a.id != r.id), None)
        rows.append({"index": index, "text": r.text, "id": r.id, "prob": r.prob, "logprob": r.logprob,
                     "rank": r.rank, "entropy_nats": r.entropy, "entropy_bits": r.entropy_bits,
                     "surprisal_bits": r.surprisal_bits, "top_alternative": other.text if other else "",
                     "top_alternative_prob": other.prob if other else ""})
    return rows


def write_tokens_csv(path, records) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, TOKEN_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(token_rows(records))
    return write_text_atomically(path, out.getvalue(), SPREADSHEET_ENCODING)


def first_sentence(title: str) -> str:
    """The title up to its first sentence's end when a second sentence follows ("The river runs through the
    old town. In spring…" had suggested "The river runs through the old town In.html": usertest54); a first
    "sentence" of under three words is more likely an abbreviation ("Dr. Who") and keeps the whole title."""
    parts = re.split(r"(?<=[.!?])\s+", title.strip(), maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 3 and any(ch.isalnum() for ch in parts[1]):
        return parts[0]
    return title


def file_stem(title: str, limit: int = 40) -> str:
    """A file name's stem from a text's title: letters, digits, spaces, - and _ only, its first sentence
    only, cut at a word's end (an elided title's "…" and half a word make a poor name), "text" for none."""
    title = first_sentence(title.replace("\u2026", ""))
    for suffix in (".txt", ".md", ".markdown", ".text"):  # a file's own name: not "story md.txt"
        if title.lower().endswith(suffix):
            title = title[:-len(suffix)]
    kept = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in title)
    words = kept.split()
    stem = ""
    for word in words:
        if stem and len(stem) + 1 + len(word) > limit:
            break
        stem = f"{stem} {word}" if stem else word[:limit]
    return stem or "text"
