"""How a token and its alternatives are written as words and percents: its text with blanks made
visible, the figures the status bar shows for it, its alternatives' percentages (ties told apart, or
said) and the tooltip over it. The heatmap, the inspector, the Text tab and the CLI say a token the
same way through these; they import no Qt (a tooltip is rich-text HTML, a string).
"""

from __future__ import annotations

import html
import math
import unicodedata

from desktop_app.core.grapheme_cells import cluster_window, token_cluster
from desktop_app.core.percent_words import percent
from desktop_app.core.records import TokenRecord


def shown_text(text: str, coloured: bool) -> str:
    """What a token looks like in the view. Coloured, whitespace stays visible: a newline
    gets a ↵ on the coloured span, a tab an arrow; an empty piece (the first bytes of a
    character finished by a later token) a thin dot."""
    if not coloured:
        return text
    if text == "":
        return "\u00b7"
    return text.replace("\t", "\u2192   ").replace("\n", "\u21b5\n")


# the scripts whose letters join their neighbours (Arabic, Syriac, N'Ko, Mandaic, Mongolian, Manichaean, Psalter
# Pahlavi, Hanifi Rohingya, Sogdian, Adlam, and the Arabic presentation forms); unicodedata has no joining type,
# so whole blocks: a few that do not join (Thaana, Samaritan) lose only a mark that did them no harm
JOINING_SCRIPTS = ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0x1800, 0x18AF), (0x10AC0, 0x10AFF),
                   (0x10B80, 0x10BAF), (0x10D00, 0x10D3F), (0x10F30, 0x10F6F), (0x1E900, 0x1E95F))


def in_joining_script(ch: str) -> bool:
    return ch != "" and any(low <= ord(ch) <= high for low, high in JOINING_SCRIPTS)


def cell_texts(drawn: list[str], coloured: bool) -> list[str]:
    """What each token's cell shows (``shown_text``), given what it draws (``grapheme_cells.drawn_texts``). A cell
    that draws nothing before a character of a joining script shows no mark either: a "\u00b7" inside an Arabic
    word cut its letters apart, each in its isolated form (glyph70). No ZERO WIDTH JOINER in its place: beside a
    letter that joins on one side only (\u0627, \u062f, \u0631) it would draw the next letter joined to nothing."""
    shown, after = [], ""  # after: the first character drawn after the cell
    for text in reversed(drawn):
        shown.append("" if coloured and text == "" and in_joining_script(after) else shown_text(text, coloured))
        after = text[:1] or after
    return shown[::-1]


def written_places(raw: str, drawn: list[str], starts: list[int], ends: list[int], coloured: bool) -> list[tuple[str, int, int]]:
    """Each character of a heatmap's text as written, with the document positions its shown form takes: (character,
    start, end). ``raw``: the document's text (a line break "\n"); ``drawn``: what each token's cell draws
    (``grapheme_cells.drawn_texts``); ``starts``/``ends``: each token's span. A token's
    marks (a \u00b7 for the first bytes of a split character, \u21b5 before a line break, \u2192 for a tab) are
    not text: a copy carried them and Find missed "\u9996\u90fd" shown "\u9996\u00b7\u90fd" (intl69). Positions
    count UTF-16 units, as Qt's do: an emoji takes two."""
    places, raw_at = [], (0, 0)  # raw_at: (index into raw, its document position)
    for index, text in enumerate(drawn):
        raw_at = _raw_run(raw, raw_at, starts[index], places)  # text between tokens: a prefix, kept as shown
        at = starts[index]
        for ch in text:
            width = utf16_length(shown_text(ch, coloured))
            places.append((ch, at, at + width))
            at += width
        raw_at = _raw_run(raw, raw_at, ends[index], None)  # the token's shown form, read above from its text
    _raw_run(raw, raw_at, utf16_length(raw), places)
    return places


def _raw_run(raw: str, raw_at: tuple[int, int], until: int, places: list | None) -> tuple[int, int]:
    """``raw``'s characters from ``raw_at`` (index, document position) up to position ``until``, each kept in
    ``places`` with its positions (None: passed over); where that leaves off."""
    index, at = raw_at
    while index < len(raw) and at < until:
        width = utf16_length(raw[index])
        if places is not None:
            places.append((raw[index], at, at + width))
        index, at = index + 1, at + width
    return index, at


def utf16_length(text: str) -> int:
    """``text``'s length in UTF-16 units, Qt's count of a string's positions."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# what token_label's marks mean, on the inspector's token and its alternatives (words45: a new user
# met "␣" and nothing said it was a space)
MARKS_TIP = ("\u2423 marks a space at the start of a token (the model reads \u201c\u2423cat\u201d and "
             "\u201ccat\u201d as different tokens); \u21b5 is a new line, \u2192 a tab.")


# the marks in plain words, said where they show (usertest 21: "␣" still puzzled a new user, whose
# eyes never met MARKS_TIP's tooltip): under the inspector's token, at the foot of a token's tooltip
MARK_NAMES = (("\u2423", "a space"), ("\u21b5", "a new line"), ("\u2192", "a tab"), ("\u237d", "a no-break space"))


def marks_words(labels) -> str:
    """"␣ = a space · ↵ = a new line" for the marks among ``labels`` (token_label's texts), else ""."""
    found = [f"{mark} = {name}" for mark, name in MARK_NAMES if any(mark in label for label in labels)]
    return " \u00b7 ".join(found)


PIECE_WORDS, SHORT_PIECE_WORDS = "(part of a character)", "(a piece)"  # a token that is only part of a character


def token_label(text: str) -> str:
    """A token's text with whitespace made visible, for tooltips and the inspector: a space
    ␣, a newline ↵, a tab →, any other blank or invisible character a mark of its own
    (``_invisible_mark``: a no-break space was a blank row among the inspector's alternatives,
    usertest 11)."""
    if text == "":
        return PIECE_WORDS
    return unseen_marked(text.replace(" ", "\u2423").replace("\n", "\u21b5").replace("\t", "\u2192"))


def unseen_marked(text: str) -> str:
    """``text`` with each character that paints nothing shown by its mark (``_invisible_mark``): a control or format
    character, a blank other than a space, and a variation selector with nothing before it in the token to select
    (a token of U+FE0F alone, the emoji before it in another token, read as an empty row: glyph70)."""
    if text.isprintable() and not _is_selector(text[:1]):
        return text
    return "".join(_invisible_mark(ch) if not ch.isprintable() or (at == 0 and _is_selector(ch)) else ch
                   for at, ch in enumerate(text))


def _is_selector(ch: str) -> bool:
    """A variation selector (or the combining grapheme joiner): it changes how the character before it is drawn
    and draws nothing itself."""
    return ch != "" and ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef" or ch == "\u034f")


PIECE_LOOKAHEAD = 3  # a UTF-8 character has at most 4 bytes: the token(s) after a piece complete it within 3


def completed_character(records, index: int) -> str:
    """The character token ``index`` holds part of, where other tokens hold the rest: for a piece of one (its first
    bytes, text ""), the character the token(s) after it complete ("首" for the pieces e9 a6 / 96); for a token
    that is part of a grapheme cluster spread over tokens, the whole cluster ("👩‍👩‍👧", "🇫🇷", "👍🏽": glyph70);
    "" for a token whose characters are its own, a piece at the text's end, or bytes that never made a character
    (inspect69: the inspector said "(part of a character)" and never which)."""
    if not 0 <= index < len(records) or _plain_between(records, index):
        return ""
    if records[index].text == "" and not any(r.text for r in records[index + 1:index + 1 + PIECE_LOOKAHEAD]):
        return ""
    window = cluster_window(len(records), index)
    cluster = token_cluster([records[i].text for i in window], index - window.start)
    return "" if cluster.startswith("\ufffd") else cluster


def _plain_between(records, index: int) -> bool:
    """Token ``index`` and the characters either side of it are ASCII, which joins no neighbour: a cheap answer
    for most tokens, whose tooltips are written as the heatmap is laid out."""
    text = records[index].text
    before = records[index - 1].text[-1:] if index else ""
    after = records[index + 1].text[:1] if index + 1 < len(records) else " "
    return bool(text) and text.isascii() and before.isascii() and bool(after) and after.isascii()


def piece_label(text: str, completes: str = "", label=None) -> str:
    """``token_label``, naming the character a piece of one helps to write where it is known: "(part of “首”)";
    a token that is part of a cluster spread over tokens names the cluster after its own text: "<U+200D> (part
    of “👩‍👩‍👧”)". ``label``: how the token's own text is shown, where not as ``token_label`` shows it (the CLI's
    table keeps its spaces)."""
    label = label or token_label
    if not completes:
        return label(text)
    whole = f"(part of \u201c{completes}\u201d)"
    return whole if text == "" else f"{label(text)} {whole}"


def piece_said(text: str, short: bool = False) -> str:
    """``text`` with the "\ufffd" that a piece of a character decodes to said as such, where no tokenizer is at hand
    to name its bytes: the Surprises' "Likeliest other" column read \u201c\u2423\ufffd\u201d (regress69). ``short``: in
    a list's narrow column, whose row's tooltip says it whole (the long words took the inspector's list's room and
    cut its headers at 1024x600)."""
    return text.replace("\ufffd", SHORT_PIECE_WORDS if short else PIECE_WORDS)


def spoken_label(label: str) -> str:
    """A token's label (``token_label``'s, its blanks made marks) as a screen reader says it: the word without the
    marks of the blanks around it ("\u2423moon": "moon"), a token of blanks alone by their marks' names
    ("\u21b5": "a new line"), where the mark itself was read as a symbol's name ("open box")."""
    names = dict(MARK_NAMES)
    return label.strip("".join(names)) or ", ".join(names.get(mark, mark) for mark in label)


def likely_said(label: str, shown_percent: str) -> str:
    """A token and its chance in words, for a screen reader: "moon, 42.0% likely"."""
    return f"{spoken_label(label)}, {shown_percent} likely"


def token_said(records, index: int) -> str:
    """Token ``index`` of ``records`` and its probability as the heatmap's keys reach it, for a screen reader;
    its figure the one its tooltip and the inspector show, a piece of a character named by the character."""
    record = records[index]
    return likely_said(piece_label(record.text, completed_character(records, index)), token_percent(record))


def listed_label(alt, record: TokenRecord) -> str:
    """An alternative's label in a token's tooltip: the written token's row as the token itself reads, another
    that holds only part of a character "(part of a character)". Decoded alone, such a token's text is only
    "\ufffd", and the tooltip's rows read "\ufffd 100.0%" under "\u9996" (intl69: the last byte of a split
    Japanese character); the inspector's rows name their bytes with the tokenizer, which a tooltip has not."""
    if alt.id == record.id:
        return token_label(record.text)
    return token_label("" if alt.text and not alt.text.strip("\ufffd") else alt.text)


def _invisible_mark(ch: str) -> str:
    """``ch`` itself, or what shows it when it paints nothing: ⍽ for a no-break space (the sign
    for one), ␣ for another width of space, \\r or \\xNN for a control character, <U+200B> for
    a zero-width one or a variation selector."""
    if ch == "\u00a0":
        return "\u237d"
    kind = unicodedata.category(ch)
    if kind == "Zs" or kind in ("Zl", "Zp"):
        return "\u2423"
    if kind == "Cc":
        return "\\r" if ch == "\r" else f"\\x{ord(ch):02x}"
    if kind == "Cf" or _is_selector(ch):
        return f"<U+{ord(ch):04X}>"
    return ch


def token_status_words(index: int, record: TokenRecord) -> str:
    """A hovered token's figures, for the status bar (chat and Text alike)."""
    return (f"token {index + 1}: \u201c{token_label(record.text)}\u201d  p={token_percent(record)}  "
            f"rank {record.rank}  entropy {record.entropy_bits:.2f} bits")  # the inspector's unit (ux42: "5.30" alone)


# as wide as most tokens' figures: the status bar keeps this much room for them (main_window)
STATUS_SAMPLE = "token 125: \u201c\u2423lighthouse\u201d  p=29.35%  rank 12  entropy 4.86 bits"


def percent_cell(text: str, width: int) -> str:
    """A percentage of one width in a fixed-width font: the alternatives' column starts and ends at
    one place ("10.5%" above " 6.7%" looked shifted left, usertest9)."""
    return text.rjust(width).replace(" ", "&nbsp;")


def ordered_alternatives(record: TokenRecord) -> list:
    """``record.top`` with the written token first among alternatives of the same probability: its rank
    counts a tie in its favour, and "rank 1" above " but 26.5%", then "▸ with 26.5%" read as a
    contradiction (usertest 14); else the model's order, by probability."""
    return sorted(record.top, key=lambda a: (-a.prob, a.id != record.id))


def percent_texts(probs: list[float]) -> tuple[list[str], list[bool]]:
    """Each probability as everywhere else (``percent``: one decimal, under 1% two significant digits,
    "0.012%": usertest 25's "probability 0.0%"), and where two that differ read the same, those two
    only with as many decimals (up to 3) as tell them apart ("26.49%" and "26.48%", not "26.5%" twice);
    and whether it ties another as shown (the model found them equally likely, as 16-bit weights often
    do). The decimals went to every row: a near tie made the rest read "95.570%" (leftovers62)."""
    texts = [percent(p) for p in probs]
    for decimals in (2, 3):
        for i in _read_alike(texts, probs):
            finer = f"{probs[i] * 100:.{decimals}f}%"
            texts[i] = finer if len(finer) > len(texts[i]) else texts[i]
    return texts, [texts.count(t) > 1 for t in texts]


def _read_alike(texts: list[str], probs: list[float]) -> list[int]:
    """The places whose text another of a different probability shares."""
    return [i for i, (t, p) in enumerate(zip(texts, probs))
            if any(u == t and q != p for u, q in zip(texts, probs))]


TIE = "tie"  # beside alternatives of the same probability as shown


def listed_alternatives(record: TokenRecord) -> list:
    """The alternatives as the inspector's chart lists them: ``ordered_alternatives``, and the written
    token last when it is not among them (a TokenRecord has its id, text and prob)."""
    ordered = ordered_alternatives(record)
    return ordered if any(a.id == record.id for a in ordered) else [*ordered, record]


def listed_figures(record: TokenRecord) -> list[tuple[float, int]]:
    """(log-probability, rank in the whole vocabulary) per row of ``listed_alternatives``: the written token's
    as its record has them, another's from its probability and its place in the list (the top alternatives are
    the vocabulary's likeliest, so the list's order is their rank)."""
    return [(record.logprob, record.rank) if alt.id == record.id else (math.log(max(alt.prob, 1e-300)), place)
            for place, alt in enumerate(listed_alternatives(record), start=1)]


def alternative_tip(record: TokenRecord, row: int, shown_percent: str) -> str:
    """A row of the alternatives' chart in full: its probability as the row shows it, its log-probability and its
    rank (inspector78: a researcher found the probability alone there, the rest only for the written token)."""
    listed = listed_alternatives(record)
    logprob, rank = listed_figures(record)[row]
    written = " (the written token)" if listed[row].id == record.id else ""
    return (f"\u201c{token_label(listed[row].text)}\u201d{written}: probability {shown_percent}, "
            f"log-probability {logprob:.3f}, rank {rank:,} of the whole vocabulary")


def listed_percents(record: TokenRecord) -> tuple[list[str], list[bool]]:
    """``percent_texts`` over ``listed_alternatives``: the figures every view of a token shows."""
    return percent_texts([alt.prob for alt in listed_alternatives(record)])


def token_percent(record: TokenRecord) -> str:
    """The written token's probability as its row among the alternatives shows it, so the tooltip's
    first line, the inspector's figure and the status bar say what the rows say (not always two
    decimals above a row of three: "26.49%" over "26.487%")."""
    listed = listed_alternatives(record)
    texts, _tied = percent_texts([alt.prob for alt in listed])
    return next(text for alt, text in zip(listed, texts) if alt.id == record.id)


def rows_through_ties(texts: list[str], rows: int) -> int:
    """``rows``, or more where the last row ties the ones after it: a lone "tie" on the last row, its
    equal cut off under it, read as a tie with nothing (usertest 25: "knew 3.6% tie" under "said 5.3%")."""
    count = min(rows, len(texts))
    while 0 < count < len(texts) and texts[count] == texts[count - 1]:
        count += 1
    return count


def tooltip_html(record: TokenRecord, alternatives: int = 5, completes: str = "") -> str:
    """A token's figures and its first alternatives, for its tooltip; ``completes``: the character it holds a
    piece of (``completed_character``), named in its title."""
    # the percentages and ties are read over every alternative kept, as the inspector reads them, then cut:
    # the tooltip's last row "6 1.8%" had no "tie" while the inspector said "6 tie 1.79%, 4 tie 1.79%" (usertest 19)
    texts, tied = listed_percents(record)
    count = rows_through_ties(texts, alternatives)
    texts, tied, shown = texts[:count], tied[:count], ordered_alternatives(record)[:count]
    width = max((len(t) for t in texts), default=0)
    rows = "".join(
        f"<tr><td>{'&#9656;' if alt.id == record.id else ''}</td>"
        f"<td><code>{html.escape(listed_label(alt, record))}</code></td>"
        f"<td align='right'><code>{percent_cell(text, width)}</code></td>"
        f"<td><code>{'&nbsp;' + TIE if tie else ''}</code></td></tr>"
        for alt, text, tie in zip(shown, texts, tied))
    marks = marks_words([token_label(record.text), *(listed_label(alt, record) for alt in shown)])
    return (
        f"<div style='white-space:pre'><b><code>{html.escape(piece_label(record.text, completes))}</code></b><br>"
        f"probability {token_percent(record)} &nbsp; log-prob {record.logprob:.3f}<br>"
        # the surprisal beside the entropy, both in bits, as the inspector and features.md have them (usertest34:
        # the hover had the entropy alone, and "surprise" only in the inspector)
        f"rank {record.rank} &nbsp; entropy {record.entropy_bits:.2f} bits &nbsp; "
        f"surprisal {record.surprisal_bits:.2f} bits</div>"
        + (f"<table cellspacing='2'>{rows}</table>" if rows else "")
        + (f"<div style='color:gray'>{html.escape(marks)}</div>" if marks else ""))
