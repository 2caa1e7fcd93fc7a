"""How sure the model was of its first guess against how often that guess was the text's token.

At each token of a scored text the model had a first guess, its likeliest next token, with some chance;
the guess was right where the text has that token (rank 1). A model whose sureness can be taken at its
word is right about 70% of the time where it was 70% sure (a reliability diagram: machine-learning's
"calibration"). Over a person's text this says how far to trust the heatmap's colours there: a model
over-confident on the text (sure, yet often wrong) is reading a kind of text it knows less than it thinks.

Few bins (``CALIBRATION_BINS``): a text has hundreds of tokens, not the many thousands finer bins need to
be more than noise; a bin with few tokens says so rather than hide (``calibration_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass

CALIBRATION_BINS = 5  # 0-20%, 20-40%, ... 80-100% sure
FEW_TOKENS = 10  # a bin with fewer says its share is rough


@dataclass(frozen=True)
class Calibration:
    """Per bin of the first guess's chance (``CALIBRATION_BINS`` equal bins of [0, 1]): how many tokens
    fell in it (``counts``), at how many the guess was the text's token (``right``), and the sum of the
    guesses' chances there (``sureness``: over ``counts``, the bin's mean sureness)."""

    counts: tuple[int, ...]
    right: tuple[int, ...]
    sureness: tuple[float, ...]

    @property
    def tokens(self) -> int:
        return sum(self.counts)

    @property
    def accuracy(self) -> float:
        """The share of tokens where the first guess was right (0 with no tokens)."""
        return sum(self.right) / self.tokens if self.tokens else 0.0

    @property
    def mean_sureness(self) -> float:
        return sum(self.sureness) / self.tokens if self.tokens else 0.0

    @property
    def overconfidence(self) -> float:
        """Mean sureness minus accuracy, in shares: above 0 the model was surer than it was right."""
        return self.mean_sureness - self.accuracy

    @property
    def calibration_error(self) -> float:
        """The expected calibration error: over the bins, weighted by their tokens, how far the share right
        is from the mean sureness (0: every bin right as often as it was sure)."""
        if not self.tokens:
            return 0.0
        return sum(abs(right - sure) for right, sure in zip(self.right, self.sureness)) / self.tokens


def first_guess_chance(record) -> float | None:
    """The chance the model gave its likeliest token at ``record``'s place: the first alternative's, or the
    token's own where it was that guess; None where neither is known (a record kept without alternatives)."""
    if record.top:
        return record.top[0].prob
    return record.prob if record.rank == 1 else None


def _bin(chance: float) -> int:
    return min(CALIBRATION_BINS - 1, max(0, int(chance * CALIBRATION_BINS)))


def calibration(records) -> Calibration:
    """The Calibration of TokenRecords (an empty list gives zeros)."""
    counts, right, sureness = [0] * CALIBRATION_BINS, [0] * CALIBRATION_BINS, [0.0] * CALIBRATION_BINS
    for record in records:
        chance = first_guess_chance(record)
        if chance is None:
            continue
        index = _bin(chance)
        counts[index] += 1
        right[index] += record.rank == 1
        sureness[index] += chance
    return Calibration(tuple(counts), tuple(right), tuple(sureness))


def bin_range(index: int) -> tuple[float, float]:
    width = 1.0 / CALIBRATION_BINS
    return round(index * width, 6), round((index + 1) * width, 6)


def calibration_rows(result: Calibration) -> list[dict]:
    """One dict per bin: its range of sureness, tokens, share right, mean sureness (None with no tokens) and
    whether it holds too few tokens for its share to be more than rough."""
    rows = []
    for index, (count, right, sure) in enumerate(zip(result.counts, result.right, result.sureness)):
        low, high = bin_range(index)
        rows.append({"low": low, "high": high, "tokens": count, "right": right,
                     "share_right": right / count if count else None,
                     "mean_sureness": sure / count if count else None, "few": count < FEW_TOKENS})
    return rows


def calibration_words(result: Calibration) -> str:
    """One sentence: how often the first guess was right against how sure it was, and which way it leans."""
    if not result.tokens:
        return "No token to judge the model's first guesses by."
    right, sure = result.accuracy * 100, result.mean_sureness * 100
    lean = round(result.overconfidence * 100)
    verdict = ("about as sure as it was right" if abs(lean) < 3 else
               f"over-confident by {lean} points" if lean > 0 else f"under-confident by {-lean} points")
    return (f"The model's first guess (its likeliest token) was the text's token {right:.0f}% of the time, where it was {sure:.0f}% sure on "
            f"average: {verdict}.")
