"""text71: the CLI's streamed answers (generate, ask, chat, text continue) draw an emoji sequence spread over tokens
whole, in the colour of the token that ends it, as score, the chat and the Text tab draw it: written token by token
as they came, the colour codes between its pieces broke "👨‍👩‍👧‍👦" into four people and three joiners on a terminal.
The pieces of a cluster not yet complete wait for it (or for the stream's end); ordinary text is written as it comes."""

from __future__ import annotations

import re

from desktop_app.cli.model_cmds import StreamedTokens
from desktop_app.core.grapheme_cells import settled_count
from test_left70_leftovers import _written_on_a_terminal

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # 👨‍👩‍👧‍👦: one glyph, seven characters
COLOUR_CODE = re.compile(r"\x1b\[[\d;]*m")


def _streamed(records, stop_at: int | None = None) -> str:
    """What a terminal shows of ``records`` streamed one at a time (``stop_at``: the stream ends after so many)."""
    def stream(terminal):
        with StreamedTokens(terminal) as writer:
            for record in records[:stop_at]:
                writer(record)
    return _written_on_a_terminal(stream)


def test_a_streamed_family_emoji_is_drawn_whole_where_it_ends(tiny_model):
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, f"Hi {FAMILY} family")
    spread = [r for r in records if set(r.text) & set(FAMILY)]
    assert len(spread) > 1, "the family is spread over tokens"
    sent = _streamed(records)
    assert FAMILY in sent, repr(sent)
    assert COLOUR_CODE.sub("", sent) == "".join(r.text for r in records)


def test_a_stream_that_ends_inside_the_sequence_writes_what_it_held(tiny_model):
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, f"Hi {FAMILY}")
    joined = [r.text for r in records]
    middle = next(i for i in range(len(joined)) if "\u200d" in "".join(joined[:i]))
    assert settled_count(joined[:middle]) < middle, "the sequence's pieces so far are held back"
    assert COLOUR_CODE.sub("", _streamed(records, middle)) == "".join(joined[:middle])


def test_ordinary_text_is_not_held_back():
    assert settled_count(["Once", " upon", " a"]) == 3
    assert settled_count(["Once", " upon", " \U0001F468"]) == 2, "an emoji a joiner may follow waits"
    assert settled_count(["Caf", "e", "\u0301", " au"]) == 4
