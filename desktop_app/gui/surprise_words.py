"""The Text tab's Surprises list in words (Qt-free): its orders' names and what they mean, a row's
cells and its tooltip, the line over the list."""

from __future__ import annotations

import html

from desktop_app.core.palette import visible_whitespace
from desktop_app.core.percent_words import percent
from desktop_app.core.surprises import COLD_TOKENS, Surprise
from desktop_app.core.token_words import piece_said
from desktop_app.gui.recited_words import ORDER_NAME as RECITED_ORDER, tokens_listed

TITLE = "Surprises"
# (order, its name in the picker, what it means): the picker's tooltip says both
ORDER_NAMES = (
    ("least_likely", "Least likely",
     "the tokens the model gave the lowest probability, wherever they are (GLTR's rare tokens)"),
    ("sure_and_wrong", "Sure of something else",
     "the tokens that surprised the model most for how sure it was there: its surprisal minus its "
     "uncertainty (entropy). High where the model was confident of another token: a fact it does not "
     "know, a twist, a slip in the text. A place where anything could follow ranks low"),
    RECITED_ORDER,  # passages, not tokens: recited_words.py's rows
)
TOGGLE_TIP = ("List the text's most surprising tokens, least likely first or where the model was sure of "
              "something else, or the passages it knows by heart; click one to see it in the text and the "
              "inspector (F3 / Shift+F3: the next / previous one in the text)")
NEXT_TIP = "The next one in the text, after the selected token (F3)"
PREVIOUS_TIP = "The previous one in the text, before the selected token (Shift+F3)"
# previous / next over an empty list, turned off (usertest 24: they stayed on and did nothing)
NOTHING_TO_JUMP_TIP = "The list is empty: there is nothing to go to in this text"
# usertest69: "Model expected" over a token the model had ranked first (" Paris" 95.6%, rank 1) named its runner-up
# (" L" 0.79%), which a student read as the model expecting " L" there
HEADERS = ("Token", "Probability", "Likeliest other", "Surprisal / uncertainty", "In the text")
# where the whole words do not fit a narrow list (the inspector's at 1024x600 read "Probab" and "In t", inspect69);
# each header's tooltip then names it whole
SHORT_HEADERS = ("Token", "Prob.", "Other", "Bits", "In text")
HEADER_TIPS = (
    "The token, spaces shown as \u2423 and line breaks as \u21b5",
    "How likely the model found this token where it stands",
    "The token the model found likeliest there other than this one, and its probability: what it expected "
    "instead, or, where this token was its first choice (rank 1), its second",
    "Surprisal: how surprising the token was, in bits (1 bit: as likely as a coin's side). Uncertainty "
    "(entropy): how unsure the model was before it, in bits (0: it was certain). Surprisal far above "
    "uncertainty: the model was sure of something else",
    "The words around it; the token between \u2039 \u203a",
)
NOT_ANALYSED = "The text is not analysed yet: its surprises come with its colours."
FINDING = "Finding the surprises\u2026"


def order_tip() -> str:
    rows = "".join(f"<b>{html.escape(name)}</b>: {html.escape(meaning)}.<br>" for _o, name, meaning in ORDER_NAMES)
    return f"Which tokens come first:<br>{rows}"


def shown_token(text: str) -> str:
    """A token on one row, in quotes: spaces and line breaks made visible, as the inspector marks them."""
    return f"\u201c{visible_whitespace(text).replace(chr(10), '')}\u201d"


def cells(surprise: Surprise, around: tuple[str, str, str]) -> tuple[str, ...]:
    """A row's five cells, as HEADERS name them."""
    expected = surprise.expected
    guess = f"{piece_said(shown_token(expected.text), short=True)} {percent(expected.prob)}" if expected else "\u2014"
    return (token_in_word(surprise), percent(surprise.prob), guess,
            f"{surprise.surprisal_bits:.1f} / {surprise.entropy_bits:.1f} bits", in_text(*around))


WORD_REST_CHARS = 10  # the rest of a word beside its token in the narrow Token column, cut past this


def token_in_word(surprise: Surprise) -> str:
    """The Token cell: the token in quotes, within the rest of its word where it is a piece of one, "“␣Har”·row"
    for " Har" of " Harrow", "in·“ter”·est" (usertest70: a writer read "Har" alone as no word at all)."""
    before, after = surprise.word
    head = f"{_cut_start(before.lstrip())}\u00b7" if before.strip() else ""
    tail = f"\u00b7{_cut_end(after)}" if after else ""
    return f"{head}{shown_token(surprise.text)}{tail}"


def _cut_start(text: str) -> str:
    return text if len(text) <= WORD_REST_CHARS else "\u2026" + text[-WORD_REST_CHARS:]


def _cut_end(text: str) -> str:
    return text if len(text) <= WORD_REST_CHARS else text[:WORD_REST_CHARS] + "\u2026"


def word_piece_words(surprise: Surprise) -> str:
    """"“Har”, the start of “Harrow”": which piece of which word the token is; "" for a whole word."""
    before, after = surprise.word
    if not before.strip() and not after:
        return ""
    piece = surprise.text.strip()
    where = "the end" if not after else ("the start" if not before.strip() else "the middle")
    return f"\u201c{piece}\u201d, {where} of \u201c{(before + surprise.text + after).strip()}\u201d"


def in_text(before: str, token: str, after: str) -> str:
    """"…city every ‹banana› year to…": the token's leading space outside its marks, where it reads
    as the gap between words ("every‹ banana›" read as a typo); a token of spaces alone keeps them."""
    word = token.lstrip() or token
    lead = token[:len(token) - len(word)]
    return f"\u2026{before}{lead}\u2039{word}\u203a{after}\u2026"


def row_tip(surprise: Surprise) -> str:
    """A row's tooltip: the figures in a sentence or two."""
    token = html.escape(shown_token(surprise.text))
    piece = word_piece_words(surprise)
    lines = [f"{html.escape(piece)}."] if piece else []  # which piece of which word, first (usertest70)
    lines.append(f"The model gave {token} {html.escape(percent(surprise.prob))} here (rank {surprise.rank:,}).")
    if surprise.expected is not None:
        lines.append(f"{html.escape(expected_words(surprise))}.")
    lines.append(f"{sureness(surprise.entropy_bits)} its uncertainty here was {surprise.entropy_bits:.1f} bits, "
                 f"and this token surprised it by {surprise.surprisal_bits:.1f} bits"
                 f"{_beyond(surprise.beyond_expectation_bits)}.")
    lines.append("Click, or Enter, to show it in the text and the inspector.")
    return "<br>".join(lines)


def expected_words(surprise: Surprise) -> str:
    """What the model expected there, without the HTML: its likeliest other token, named as its second choice
    where this token was its first (a rank-1 token's "It expected “␣L” (0.79%)" contradicted its rank)."""
    other = f"{piece_said(shown_token(surprise.expected.text))} ({percent(surprise.expected.prob)})"
    if surprise.rank == 1:
        return f"It was the model's first choice; its second was {other}"
    return f"It expected {other}"


def sureness(entropy_bits: float) -> str:
    """How sure the model was before the token, in a few words."""
    if entropy_bits < 1:
        return "It was nearly certain:"
    if entropy_bits < 3:
        return "It was fairly sure:"
    return "It was unsure:"


def _beyond(bits: float) -> str:
    return f", {bits:.1f} more than it expected to be" if bits > 0 else ""


def headline(shown: int, tokens: int, order: str, whole: int | None = None) -> str:
    """The line over the list: how many of how many tokens, in which order; ``whole``: the text's
    tokens where the heatmap draws fewer (the list ranks the heatmap's)."""
    name = dict((o, n) for o, n, _m in ORDER_NAMES)[order].lower()
    of = tokens_listed(tokens, whole)
    if not shown:
        return f"No token to list among {of}."
    # (the keys are in Previous's and Next's tooltips and the F1 list: here they wrapped the line at 800x600)
    return f"{shown} of {of}, {name} first{cold_words(order, tokens)}"


def cold_words(order: str, tokens: int) -> str:
    """Where "Least likely" puts a text's first tokens (core.surprises.text_surprises): last, and why; "" for
    the other orders, or a text of no more tokens than those."""
    if order != "least_likely" or tokens <= COLD_TOKENS:
        return ""
    # short: a longer reason wrapped the line at 800x600 and took the text its sixth line (test_left50_short_text_room)
    return f"; the first {COLD_TOKENS} last (no context yet)"


CHAT_KEYS_NOTHING = ("No finished answer to walk: F3 / Shift+F3 go to an answer's least likely tokens once it "
                     "is written (the Text tab lists a text's surprises)")


def chat_jump_words(surprise: Surprise, place: int, count: int) -> str:
    """The status bar's line after F3 / Shift+F3 in Chat: which of the answer's surprises this is, least likely
    first, and what the model expected there (usertest45: F3 did nothing in Chat, silently)."""
    expected = surprise.expected
    said = expected_words(surprise) if expected else ""
    instead = f"; {said[0].lower()}{said[1:]}" if said else ""
    return (f"Surprise {place} of {count} in this answer, least likely first: {shown_token(surprise.text)} "
            f"{percent(surprise.prob)}{instead} \u00b7 F3 next, Shift+F3 previous")


def chat_list_words(count: int) -> str:
    """Over the answer's list in the Token inspector: what it lists, and the keys that walk it."""
    return (f"This answer's {count} least likely tokens, least likely first; a row shows its token "
            f"(F3 / Shift+F3 walk them in the answer's order).")
