"""Which tokens of a chat prompt the person can see: the words of the conversation, the system
text of their settings (not shown in the chat), or the chat template the prompt was wrapped in
(role markers, line breaks, a template's own default system text), which no window shows.

"Why this token?" ranks every token the model read; a ranking led by "↵" and "␣by" from the
template names tokens the person cannot find, so each prompt token gets its source here.
"""

from __future__ import annotations

import re

from desktop_app.core.prompts import Turn, render

CONVERSATION = "conversation"  # a message of the conversation, as the chat shows it
SYSTEM = "system"  # the system text of the settings (the person wrote it; the chat does not show it)
TEMPLATE = "template"  # the chat template's own text: nobody wrote it, nothing shows it
# the start token a Text mode text is read after (core.prompts.plain_text_start): nobody wrote it, nothing
# shows it, and attention leans on it, so "Why this token?" gave it the largest figure (usertest34: -4.55 of a
# -5.93 difference, 27% of the weight)
START = "start"

_MARK = "\u2063GPT2DESK{}\u2063"  # stands for one message's text while the template is read
_MARK_RE = re.compile("\u2063GPT2DESK(\\d+)\u2063")


def prompt_sources(tokenizer, turns: list[Turn], system: str | None, pieces: list[str]) -> list[str] | None:
    """The source of each prompt token whose text is ``pieces`` (core.text_pieces.piece_texts of the
    prompt ids), for a prompt ``core.prompts.build_prompt`` made from ``turns`` (the oldest may
    have been left out to fit) and ``system``; None when the pieces are not such a prompt."""
    joined = "".join(pieces)
    for kept in range(len(turns), 0, -1):
        spans = _message_spans(tokenizer, turns[-kept:], system, joined)
        if spans is not None:
            return _token_sources(pieces, spans)
    return None


def _message_spans(tokenizer, turns: list[Turn], system: str | None, joined: str
                   ) -> list[tuple[int, int, str]] | None:
    """(start, end, source) in ``joined`` of every message's text, when ``joined`` is the
    template around these messages (whatever their text became: a long prompt's middle is cut)."""
    sources = ([SYSTEM] if system else []) + [CONVERSATION] * len(turns)
    marked = render(tokenizer, [Turn(t.role, _MARK.format(i + (1 if system else 0))) for i, t in enumerate(turns)],
                    _MARK.format(0) if system else None)
    parts = _MARK_RE.split(marked)  # literal, mark number, literal, ..., literal
    literals, numbers = parts[0::2], [int(n) for n in parts[1::2]]
    if not joined.startswith(literals[0]) or not joined.endswith(literals[-1]):
        return None
    spans, at = [], len(literals[0])
    for k, (number, literal) in enumerate(zip(numbers, literals[1:])):
        last = k == len(numbers) - 1  # the template's end closes the newest prompt, whatever it holds
        end = len(joined) - len(literal) if last else joined.find(literal, at)
        if number >= len(sources) or end < 0:
            return None
        spans.append((at, end, sources[number]))
        at = end + len(literal)
    return spans if at == len(joined) else None


def _token_sources(pieces: list[str], spans: list[tuple[int, int, str]]) -> list[str]:
    """A token with any character of a message's text belongs to that message."""
    sources, start = [], 0
    for piece in pieces:
        end = start + len(piece)
        inside = [source for a, b, source in spans if a < end and start < b]
        sources.append(inside[0] if inside else TEMPLATE)
        start = end
    return sources
