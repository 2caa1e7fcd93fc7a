"""usertest 20: Compare's "Rose most / Fell most" row read "Fell most  The -4.14  ␣begin -4.02": a new
user has no way to know what -4.14 is (a change of log-probability, in nats). Each chip now says how sure
the model was of the token before and after the fine-tune, as the CLI's `change` does."""

from __future__ import annotations

import math

from desktop_app.core.records import TokenRecord
from desktop_app.gui.compare_words import deltas, movers_words

TEXTS = ["The", " way", " to", " boil"]


def _records(probs):
    return [TokenRecord(id=i, text=t, logprob=math.log(p), rank=1, entropy=0.5) for i, (t, p) in enumerate(zip(TEXTS, probs))]


def test_the_movers_say_each_tokens_chance_before_and_after_not_a_bare_log_probability():
    before, after = _records([0.7, 0.2, 0.5, 0.004]), _records([0.011, 0.3, 0.5, 0.0031])
    values = deltas(before, after)
    words = movers_words(before, after, values, 4.0, lambda i: TEXTS[i].strip(), str)
    fell = words[words.index("Fell most"):]
    assert "The&nbsp;</span>&nbsp;70.0%&nbsp;\u2192&nbsp;1.1%" in fell
    assert "boil&nbsp;</span>&nbsp;0.40%&nbsp;\u2192&nbsp;0.31%" in fell
    assert "way&nbsp;</span>&nbsp;20.0%&nbsp;\u2192&nbsp;30.0%" in words[:words.index("Fell most")]
    assert "-4.1" not in words and "+0.41" not in words, "no bare log-probability change"
