"""What the Text tab tells the person about its text and its continuations, in words (Qt-free):
a paste or file whose long lines were broken, Ctrl+V over the coloured text, an edit that made a new
branch, why a continuation ended, the summary's figures while one is written, a continuation the app stopped in."""

from __future__ import annotations

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.count_words import counted
from desktop_app.core.local_time import local_stamp
from desktop_app.core.sentence_end import run_on_words

PASTE_ON_COLOURS_WORDS = ("The coloured text takes no paste: Edit (Ctrl+E) opens it for writing, "
                          "New (Ctrl+N) starts a new text.")
STOPPED_CONTINUATION = "You stopped this continuation before it ended."  # as the chat's STOPPED_WORDS
STOPPED_EMPTY = "Stopped before the first token; nothing was kept."
# a continuation cut at the settings' limit ended mid-sentence with nothing said (usertest 25): the
# words name the setting and its key, in words: "(30, Ctrl+,)" read as a code (text98); within the status bar's
# room for a hovered token's figures (token_words.STATUS_SAMPLE) at the largest limit, 8,192
AT_THE_LIMIT = "Stopped at {count:,} new tokens, the limit set in Settings (Ctrl+,)"
# in the summary's dimmed figures while a continuation is written: they are still the text's before it
# (after a "Continue with…" from mid-text, those of words no longer on screen), until its analysis comes;
# in the shares' line, which it fits at 800 px
FIGURES_BEFORE_CONTINUATION = "Figures for the text before the continuation, until it is analysed"
# the window's status bar while a continuation is written (the tab's own status says "writing…", which fits its bar:
# the longer words had gone beside the Chat | Text tabs, where a new user did not connect them with the text)
WRITING_CONTINUATION = "Writing a continuation\u2026"
WRITING_FROM_CURSOR = f"{WRITING_CONTINUATION} \u2014 the text after the cursor stays in its branch"
WRITING = "writing\u2026"  # the tab's short status words while a continuation is written


def writing_words(written: int, max_new_tokens: int) -> str:
    """The status words while a continuation streams in: "writing… 40%", the share of Max new tokens written
    (usertest43: a bare "writing…" stood for the 40 s of a continuation on a CPU, with nothing to say how far it
    was). A share, as colouring_words, so the bar's room for its words holds; 99% at most, as the model may
    stop sooner than its limit, and "writing…" alone before the first token."""
    if written <= 0 or max_new_tokens <= 0:
        return WRITING
    return f"{WRITING} {min(99, 100 * written // max_new_tokens)}%"


def writing_tip(tip: str, written: int, max_new_tokens: int) -> str:
    """The status words' tooltip (``tip``: what is written, from where) with what the share counts."""
    if written <= 0 or max_new_tokens <= 0:
        return tip
    run_on = run_on_words(max_new_tokens)
    return (f"{tip}\n{counted(written, 'token')} of at most {max_new_tokens:,} (Max new tokens in Settings, Ctrl+,): "
            f"it may end sooner{', or run on mid-sentence ' + run_on if run_on else ''}")


def broken_lines_notice(count: int) -> str:
    """A pasted or opened text's ``count`` over-long lines were broken (documents.break_long_lines)."""
    lines = "a line" if count == 1 else f"{count:,} lines"
    return (f"The text had {lines} longer than {documents.MAX_LINE_CHARS:,} characters, which the editor "
            f"cannot lay out quickly, so {'it was' if count == 1 else 'they were'} broken into lines of about "
            f"{documents.PIECE_CHARS:,} characters (after sentences, or at spaces). Nothing else changed; "
            "an opened file itself is untouched.")


def forked_notice(by_id: dict, ratings: dict, source: int, new: int) -> str:
    """What became of an edit before a continuation, or of a rated one's words (BranchTree.fork), in one
    sentence (words, not emoji: a display without an emoji font showed a box). ``by_id``: the tree's
    branches; ``ratings``: the ratings of branch ``source`` (thumbs, tokens, correction)."""
    tokens = len(ratings["tokens"])
    kept = [words for present, words in (
        (ratings["thumbs"] == 1, "your thumbs up"), (ratings["thumbs"] == -1, "your thumbs down"),
        (tokens, counted(tokens, "rated token")),
        (ratings["correction"], "your better continuation")) if present]
    rated = f", with {' and '.join(kept)}" if kept else ""

    def named(branch_id: int) -> str:
        return f"\u201c{tb.first_words(tb.label(by_id[branch_id]), 28)}\u201d"

    if by_id[new]["start"] >= by_id[source]["start"]:  # an edit of the continuation's own words
        return (f"Your edit is a new branch, {named(new)}. Your rating is of the words the model wrote, so that "
                f"continuation stays as it was in its own branch, {named(source)}{rated}.")
    return (f"Your edit is a new branch, {named(new)}. The model wrote its italic words after your earlier wording, "
            f"so that continuation stays as it was in its own branch, {named(source)}{rated}.")


# a regenerated continuation the same, word for word, as one beside it: the tree gained a branch that looked like
# none, and nothing said why (readme71 pressed Ctrl+R twice and saw the same words). Greedy or seeded settings are
# said at the click (generation.same_again_reason); this is the sure model, or a top-k of 1
WRITTEN_AGAIN = ("The model wrote the same continuation again, word for word: at these settings it has little else "
                 "to choose here. "
                 "A higher temperature in Settings (Ctrl+,) gives another.")


def written_again(by_id: dict, branch_id: int | None) -> str | None:
    """WRITTEN_AGAIN where branch ``branch_id`` has a sibling (the same parent, the same place) with its very text;
    None otherwise."""
    branch = by_id.get(branch_id)
    if branch is None or not branch["text"]:
        return None
    same = [b for b in by_id.values() if b["id"] != branch_id and b["parent_id"] == branch["parent_id"]
            and b["start"] == branch["start"] and b["text"] == branch["text"]]
    return WRITTEN_AGAIN if same else None


def end_words(text: str, reason: str, max_new_tokens: int) -> str | None:
    """Why a continuation (its ``text``) ended, where neither the person ended it nor the model:
    stopped, or at the limit of ``max_new_tokens``. None: nothing to say."""
    if reason == "cancelled":
        return STOPPED_CONTINUATION if text else STOPPED_EMPTY
    if reason == "length" and text:
        return AT_THE_LIMIT.format(count=max_new_tokens)
    return None


# the status words while the text's colours are made (after a continuation, the streamed colours are
# replaced by the analysis's): the tab's status line had said nothing for the minutes it could take
READING = "reading\u2026"  # the passes that read the text before its colours
COLOURING = "colouring\u2026"  # as short as "analysing…": the bar keeps its room (text_bar.PASSING_WORDS)


# said after them while a question asked in Chat goes first (the analysis stops for it and goes on after)
PAUSED_FOR_CHAT = " (paused while Chat answers)"


def colouring_words(progress=None) -> str:
    """The status words for an analysis under way (``progress``: its last core.scoring.ScoreProgress, or
    None before its first): "colouring… 15%", "reading… 40%"; the short words once its last pass is done
    (a short text's only pass: its count would flash by). A share, not "1,024 of 3,000 tokens": the bar
    keeps room for its widest form (text_bar.PASSING_WORDS), so its buttons do not slide 83 px as it comes."""
    if progress is None or progress.total <= 0 or (progress.stage == "scoring" and progress.done >= progress.total):
        return COLOURING
    share = min(99, 100 * progress.done // progress.total)
    return f"{READING if progress.stage == 'reading' else COLOURING} {share}%"


def token_place_words(index: int, total: int, continuation_wrote_it: bool, edited_since: bool = False) -> str:
    """The Text inspector's line over its token, as the chat's "Token 7 of 101 · the answer to …" (inspector78: the
    Text tab's inspector said nothing of where its token stood). ``edited_since``: a continuation wrote it, and the
    person has edited that continuation since (its tokens can no longer be rated: usertest55 read "the text" there,
    over a token in italics the model wrote)."""
    where = ("written by a continuation, edited since" if edited_since
             else "written by a continuation" if continuation_wrote_it else "the text")
    return f"Token {index + 1:,} of {total:,} \u00b7 {where}"


SHOW_INTERRUPTED = "Show it"  # the notice's link: the cut continuation's branch shown


def cut_by_a_stop(branches, started: str) -> list[dict]:
    """The continuations the app stopped in (killed, the power gone) before this start (``started``: its time, as
    the store writes times): still marked interrupted (``text_branches.interrupted``), made before it. One this
    start writes carries the mark too until it ends; the tree leaves it out, and its time is after ``started``."""
    return sorted((b for b in branches if tb.interrupted(b) and (b.get("created") or "") < started),
                  key=lambda b: b.get("created") or "")


def interrupted_notice(branch: dict) -> str:
    """The Text tab's notice, once, for a continuation cut off when the app stopped: "The continuation of Dec 7
    13:02 was cut off when the app stopped; its 18 tokens are kept as branch ‹A lighthouse keeper…›." (usertest55
    had only its row's tooltip say so, where nobody looks at a start; textwords107)."""
    tokens = len(branch.get("tokens") or ())
    made = local_stamp(branch.get("created"))
    of = f" of {made}" if made else ""
    kept = f"its {counted(tokens, 'token')} {'is' if tokens == 1 else 'are'} kept" if tokens else "it is kept"
    name = tb.first_words(tb.label(branch).strip(), 28)
    return f"The continuation{of} was cut off when the app stopped; {kept} as branch \u2039{name}\u203a."
