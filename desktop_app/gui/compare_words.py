"""The compare view's words and figures, free of Qt (tests read them without widgets): what
the picker's marks mean, the whole answer's change, and the pair a better answer makes with
the model's answer it replaces.

The picker's items carry a key: a message id (an answer), minus a branch id (a Text mode
continuation), or ``better_key`` of either (the better text the person wrote for it)."""

from __future__ import annotations

import html
import math
import re

from desktop_app.core.adapters import adapter_name
from desktop_app.core.conversation_rows import BETTER, DISLIKED, LIKED, TOKENS
from desktop_app.core.palette import CHANGE_LESS_NAME, CHANGE_MORE_NAME, change_color, css_colours
from desktop_app.core.percent_words import percent
from desktop_app.core.precision import label as precision_label
from desktop_app.core.taught_words import clip_at_word
from desktop_app.core.conflict_words import text_place
from desktop_app.core.rating_conflicts import TOKEN_KINDS
from desktop_app.core.token_words import spoken_label

GREEN, PURPLE = "#1b7837", "#762a83"  # core.palette.CHANGE_PALETTE's ends: more likely, less likely
# what the change colours mean, in the compare view's legend, the Text tab's key and the exported PNG's caption
COLOUR_KEY = (f"{CHANGE_MORE_NAME.capitalize()}: more likely under the adapter than before it; "
              f"{CHANGE_LESS_NAME}: less likely; white: about as likely.")
LEGEND_TITLE = "Under the adapter:"  # before the colour bar's ends ("20\u00d7 less likely" .. "20\u00d7 more likely")
# ✎ a better text the person wrote; ± tokens of it rated good or bad (a Latin-1 sign every font has: the white
# rectangle it replaces read as the box a missing glyph draws): the conversation list's marks too
BETTER_MARK, TOKENS_MARK = BETTER, TOKENS
PICKER_TIP = ("The answers you rated and the better ones you wrote: \u25b2 one you liked, \u25bc one you disliked, "
              f"{TOKENS_MARK} one you rated token by token, "
              f"{BETTER_MARK} a better answer you wrote (listed under the answer it replaces), no mark: one you "
              "opened the compare view from, unrated, \u2260 a question you never rated whose fact the last run changed (its answer before "
              "and after the run). Your own better answers should become more likely, the answers you disliked less "
              "likely.")
LATER_TIP = ("{done} after run {run} started, so that run did not learn from it: its colours show how "
             "{what} spilled over to it")
HEADING = "WHAT THE FINE-TUNE CHANGED"
END_CELL = " \u23ce end"  # the end-of-text token's cell: the model stopped the answer there
BETTER = "better:"


def whitespace_words(text: str) -> str | None:
    """A token of whitespace only, said in words for a chip ("(space)", "(2 spaces)", "(line break)"):
    a lone "\u2423" in a pale chip read as an empty one (usertest 11). None for any other token."""
    if not text or text.strip():
        return None
    kinds = [(text.count("\n"), "line break"), (text.count(" "), "space"), (text.count("\t"), "tab")]
    return "(" + ", ".join(f"{n} {name}s" if n > 1 else name for n, name in kinds if n) + ")"


def better_key(key: int) -> str:
    """The picker's key of the better text written for answer ``key`` (or continuation ``-key``)."""
    return f"{BETTER}{key}"


def better_of(data) -> int | None:
    """The answer (message id) or continuation (minus its branch id) whose better text the
    picker key ``data`` names; None for any other key."""
    if isinstance(data, str) and data.startswith(BETTER):
        return int(data[len(BETTER):])
    return None


def better_label(key: int, text: str) -> str:
    """The picker's line for a better text the person wrote (``key``: as ``better_of`` gives),
    right under the answer or continuation it replaces."""
    words = " ".join(text.split())
    if key < 0:
        return f"{BETTER_MARK} your continuation: \u2026{words[:48]}"
    return f"{BETTER_MARK} your better answer: \u201c{_cut(words, 48)}\u201d"


def answer_label(text: str, position: int = 1, count: int = 1) -> str:
    """The picker's line for a model's answer, in the chat's words: its first words, and where
    several answer one prompt, which of them as the chat's \u2039 \u203a arrows count it
    ("answer 2 of 3"); the message's number in the database was shown before, which the chat never shows."""
    words = f"\u201c{_cut(' '.join(text.split()), 60)}\u201d"
    return f"{words} (answer {position} of {count})" if count > 1 else words


def _cut(words: str, most: int) -> str:
    """After a whole word ("harbour every m…" read as a typo in the picker: leftovers61)."""
    return clip_at_word(words, most)


def prompt_words(question: str) -> str:
    """The line above an answer: the question it answers."""
    return f"Prompt: \u201c{' '.join(question.split())[:200]}\u201d"


def text_prompt_words(prompt: str) -> str:
    """The line above a Text continuation: the end of the text it continues."""
    return f"After the text: \u201c\u2026{' '.join(prompt.split())[-200:]}\u201d"


def rating_marks(thumbs: int | None, tokens_rated: bool) -> str:
    """An answer's or continuation's marks before its label: its thumb, then whether tokens of it were
    rated ("\u25bc \u00b1 "; usertest 14: an answer with a token rated bad had no mark at all, beside
    the marked thumbs and better answers)."""
    return {1: f"{LIKED} ", -1: f"{DISLIKED} "}.get(thumbs, "") + (f"{TOKENS_MARK} " if tokens_rated else "")


def mark_words(label: str, conflicts: list = (), message_id: int | None = None, continuation: bool = False) -> str:
    """What an item's marks in the picker mean (its tooltip). ``conflicts``: the ratings of answer ``message_id``
    that disagree with another's (core.rating_conflicts.conflicts_of it): the view's own words for them replace
    the thumb's "expect … (green)", as they do over the answer (words108: the tip still promised green).
    ``continuation``: a Text continuation (or the better one written for it), said as that: its tip had said
    "You liked this answer" (loose69)."""
    what = "continuation" if continuation else "answer"
    if label.startswith(BETTER_MARK):
        return (f"{BETTER_MARK} You wrote this better {what}: expect it to have become more likely (green), "
                f"and the model's {what} above it less likely.")
    said = []
    if label.startswith("\u25b2"):
        said.append(f"\u25b2 You liked this {what}: expect it to have become more likely (green).")
    if label.startswith("\u25bc"):
        said.append(f"\u25bc You disliked this {what}: expect it to have become less likely (purple).")
    if label.removeprefix("\u25b2 ").removeprefix("\u25bc ").startswith(TOKENS_MARK):
        said.append(f"{TOKENS_MARK} You rated tokens of it: expect those you marked good to have become more "
                    "likely (green), those you marked bad less likely (purple); they are marked below.")
    if conflicts and message_id is not None:
        said = [plain_words(w) for w in with_disagreement(said, conflicts, message_id)]
    return " ".join(said) or ("Not rated: opened from the Text tab." if continuation
                              else "Not rated: opened from its answer.")


def plain_words(rich: str) -> str:
    """A sentence of the view's rich text as a tooltip's plain text: tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", rich))


def better_expectation(continuation: bool, thumbs: int | None = None) -> str:
    """What to expect of a better text the person wrote; ``thumbs``: their thumb on the
    model's text it replaces (1 up, -1 down, None none): the words follow it, as a liked
    answer that was also corrected trains both ways (usertest 7)."""
    what = "continuation" if continuation else "answer"
    head = f"You wrote this {what}, so expect it to become <b style='color:{GREEN}'>more likely (green)</b>: "
    if thumbs == 1:
        return head + (f"it is what you taught, preferred over the model's {what}, which you had liked. "
                       f"Both signals were used: your thumbs-up on the model's {what}, and the pair that "
                       f"prefers yours.")
    if thumbs == -1:
        return head + f"it is what you taught, in place of the model's {what} you disliked."
    return head + f"it is what you taught, in place of the model's {what} you corrected."


# what the view says, once, in place of a comparison while no adapter is in use (an expectation beside it, "expect
# green", would promise colours of nothing)
NO_ADAPTER_NOTE = ("No adapter is in use, so nothing changed yet: fine-tune on your ratings, or use an adapter from "
                   "the history (Ctrl+H), to see what it made more or less likely.")


def answer_expectation(thumbs: int | None, corrected: bool, tokens_rated: bool) -> list[str]:
    """What to expect of a model's answer the person rated (``thumbs``: 1, -1 or None;
    ``corrected``: they wrote a better one; ``tokens_rated``: they rated some of its tokens),
    so the colours can be read against it."""
    words = []
    if thumbs == 1 and corrected:
        words.append(liked_and_corrected_words())
    elif thumbs == 1:
        words.append(f"You liked this answer, so expect <b style='color:{GREEN}'>green</b> (more likely).")
    elif thumbs == -1 or corrected:
        words.append("You " + ("disliked" if thumbs == -1 else "corrected") + " this answer, so expect "
                     f"<b style='color:{PURPLE}'>purple</b> (less likely).")
    if corrected:
        words.append(f"The better answer you wrote is listed under it ({BETTER_MARK}): expect it to rise.")
    if tokens_rated:
        words.append("Tokens you rated are underlined (solid: good, dashed: bad).")
    return words


def with_disagreement(words: list[str], conflicts: list, message_id: int) -> list[str]:
    """``answer_expectation``'s words for answer ``message_id`` where ratings of its text disagree
    (``conflicts``: core.rating_conflicts.conflicts_of it): the thumb's or correction's expectation, its
    first line, replaced by what the two ratings did together; a token rated the other way elsewhere said after."""
    whole = [c for c in conflicts if c.kind not in TOKEN_KINDS]
    tokens = [c for c in conflicts if c.kind in TOKEN_KINDS]
    if whole and words:
        words = [answer_disagrees_words(whole[0], message_id), *words[1:]]
    if tokens:
        words = [*words, token_disagrees_words(tokens[0], message_id)]
    return words


_SIDE_WORDS = {"liked": "liked", "disliked": "disliked", "corrected": "wrote a better answer in place of"}


def answer_disagrees_words(conflict, message_id: int) -> str:
    """This answer's (or Text continuation's) text rated one way here and the other way in another
    (core.rating_conflicts)."""
    here, there = (conflict.up, conflict.down) if conflict.up.message_id == message_id else (conflict.down, conflict.up)
    text_mode = there.branch_id is not None
    head = (f"You {_SIDE_WORDS[here.how]} this {'continuation' if text_mode else 'answer'}, but "
            f"{_SIDE_WORDS[there.how]} the same text in {_place_words(there)}")
    if conflict.same_question:
        return (head + f", {'continuing the same text' if text_mode else 'answering the same question'}: the run "
                "pushed it up and down at once, so expect little "
                f"change, neither clearly <b style='color:{GREEN}'>green</b> nor <b style='color:{PURPLE}'>purple</b>.")
    colour = (f"<b style='color:{GREEN}'>green</b>" if here is conflict.up
              else f"<b style='color:{PURPLE}'>purple</b>")
    other = "continuing another text" if text_mode else "answering another question"
    return head + f", {other}: expect {colour} here only as far as the run told the two apart."


def _place_words(place) -> str:
    """Where the other side is: "conversation 7", or a continuation's text by its title (escaped: rich text)."""
    if place.branch_id is not None:
        return text_place(place, html.escape)
    return f"conversation {place.conversation_id}"


def token_disagrees_words(conflict, message_id: int) -> str:
    """A token of this answer rated the other way in another answer after the same words."""
    there = conflict.down if conflict.up.message_id == message_id else conflict.up
    return (f"The token \u201c{html.escape(conflict.text)}\u201d you rated here was rated the other way in "
            f"{_place_words(there)}, after the same words: expect it to barely move.")


def continuation_expectation(thumbs: int | None, corrected: bool) -> list[str]:
    """``answer_expectation`` for a rated Text continuation (no token ratings there)."""
    words = {1: f"You liked this continuation, so expect <b style='color:{GREEN}'>green</b> (more likely).",
             -1: f"You disliked this continuation, so expect <b style='color:{PURPLE}'>purple</b> (less likely)."}
    text = words.get(thumbs) or ("You wrote a better continuation for it, so expect "
                                 f"<b style='color:{PURPLE}'>purple</b> (less likely)." if corrected else "")
    if thumbs == 1 and corrected:
        text = liked_and_corrected_words("continuation")
    if corrected:
        text += f" Your better continuation is listed under it ({BETTER_MARK}): expect it to rise."
    return [text] if text else []


def later_expectation(run: int | None, written: bool = False, what: str = "the fine-tune") -> str:
    """In place of the expectation, for a text rated after ``run`` started; ``written``: a better text the person
    wrote, which they did not rate (leftovers77: "You rated this" over their own answer); ``what``: whose change
    the colours show (``changed_words``)."""
    done = "You wrote this" if written else "You rated this"
    return (f"{done} after run {run} started, so that run did not learn from it: "
            f"its colours show how {what} spilled over to it, not what you taught.")


def changed_words(in_use: str | None, against: str | None) -> str:
    """Whose change the colours show: "the fine-tune" against the base model, else "the change from
    adapter 2 to adapter 3" (``in_use``, ``against``: the adapters by number)."""
    if against is None or in_use is None:
        return "the fine-tune"
    return f"the change from {against} to {in_use}"


def heading(in_use: str | None, against: str | None) -> str:
    """The view's heading: what it shows the change of ("WHAT CHANGED FROM ADAPTER 2 TO ADAPTER 3"; by
    number alone, without the adapters' names, so that it fits an 800 px window)."""
    if against is None or in_use is None:
        return HEADING
    return f"WHAT CHANGED FROM {against.upper()} TO {in_use.upper()}"


def liked_and_corrected_words(what: str = "answer") -> str:
    """The model's text the person both liked and corrected: the two signals pull apart."""
    return (f"You liked this {what} and also wrote a better one for it. Both signals were used: the thumbs-up "
            f"pushes it <b style='color:{GREEN}'>up</b>, the pair with your better {what} pushes it "
            f"<b style='color:{PURPLE}'>down</b> against yours, so it may move either way.")


# what a token's two figures are read under against the base model; two adapters are named instead (compared_names)
BEFORE_AFTER = ("before", "after")


def token_change_tip(before, after, delta: float, label, *, end: bool = False,
                     names: tuple[str, str] = BEFORE_AFTER) -> str:
    """The change of one token (``label``: a token's text as the view shows it); ``end``: the
    end-of-text token that ended the answer; ``names``: what the two figures were read under
    (``compared_names``: "adapter 2", "adapter 3" where the view compares two adapters)."""
    how = token_change_words(delta)
    name = ("<b>the end of the answer</b> (the model stopped here: what thumbs for short answers teach)" if end
            else f"<b><code>{html.escape(label(after.text))}</code></b>")
    return (f"<div style='white-space:pre'>{name}<br>"
            f"{names[0]} {before.prob * 100:.2f}% &rarr; {names[1]} {after.prob * 100:.2f}%<br>"
            f"change in log-prob <b>{delta:+.3f}</b> ({how})<br>"
            f"rank {before.rank} &rarr; {after.rank}</div>")


def token_change_words(delta: float) -> str:
    """One token's change of ``delta`` nats: "3.20\u00d7 more likely", "unchanged"."""
    word = "more" if delta > 0 else "less"
    ratio = math.exp(abs(delta))
    times = f"{ratio:.2f}\u00d7" if ratio < 10 else times_words(delta)  # not "485165195.41x"
    return "unchanged" if abs(delta) < 0.005 else f"{times} {word} likely"


def change_said(label: str, delta: float, *, end: bool = False, names: tuple[str, str] = BEFORE_AFTER) -> str:
    """A token of the compare view as a screen reader hears it when the keys reach it, by what its colour shows
    (its change, as its tooltip words it), not by its chance: "moon, 3.20\u00d7 more likely under the adapter";
    between two adapters "\u2026 under adapter 3 than under adapter 2"."""
    token = "the end of the answer" if end else spoken_label(label)
    under = "under the adapter" if names == BEFORE_AFTER else f"under {names[1]} than under {names[0]}"
    return f"{token}, {token_change_words(delta)} {under}"


def deltas(before, after) -> list[float]:
    """after.logprob - before.logprob per token (the same tokens in both)."""
    return [a.logprob - b.logprob for b, a in zip(before, after)]


NICE_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def nice_scale(values: list[float]) -> float:
    """The colour scale: the 95th percentile of |change|, rounded up to a round number."""
    mags = sorted(abs(v) for v in values if math.isfinite(v))
    if not mags:
        return 1.0
    p95 = mags[min(len(mags) - 1, int(0.95 * len(mags)))]
    return next((s for s in NICE_SCALES if p95 <= s), NICE_SCALES[-1])


MOST_TIMES = 1e6  # beyond it a ratio says nothing a person can use, and "a billion times" alarmed (usertest 11)


def times_words(change: float) -> str:
    """How many times as likely a change of ``change`` nats makes a text, rounded as a person
    reads it: "1.8\u00d7", "81\u00d7", "about 600,000\u00d7", "over a million times"."""
    ratio = math.exp(min(abs(change), 700))
    if ratio >= MOST_TIMES:
        return "over a million times"
    if ratio < 10:
        return f"{ratio:.1f}\u00d7"
    digits = len(str(int(ratio))) - 2  # two significant digits: 613,000 reads as 610,000
    rounded = int(round(ratio, -digits)) if digits > 0 else int(round(ratio))
    return f"{'about ' if digits > 0 else ''}{rounded:,}\u00d7"


def legend_words(scale: float, values: list[float]) -> tuple[str, str]:
    """The colour bar's two ends: "about 3,000\u00d7 less likely", and ", or more" after an end
    that some token's change goes past (its cell shows the end's colour: usertest 13 saw +9.4 and
    -15.3 nats under a legend that stopped at about 3,000\u00d7, 8 nats)."""
    times = times_words(scale)
    low = any(v < -scale for v in values if math.isfinite(v))
    high = any(v > scale for v in values if math.isfinite(v))
    return (f"{times} less likely{', or more' if low else ''}", f"{times} more likely{', or more' if high else ''}")


SAME_LIKELIHOOD = 0.05  # nats: a whole text's change under it reads "about as likely"


def likelihood_words(change: float, tokens: int = 0, against: str | None = "before") -> str:
    """A change of a text's log-probability (``change`` nats) in words a person reads first:
    "much more likely (about 600,000\u00d7)", "a little less likely (1.3\u00d7)", "about as likely as before".
    ``against``: what the change is measured against, said after "about as likely as" ("under adapter 2");
    None: nothing after it. Past a million times, a text of ``tokens`` tokens says how much each token moved
    on average: the whole text's factor grows with its length and sounded alarming (usertest 11)."""
    if abs(change) < SAME_LIKELIHOOD:
        return "about as likely" if against is None else f"about as likely as {against}"
    word = "more" if change > 0 else "less"
    how = "a little " if abs(change) < 0.7 else "much " if abs(change) >= 2.3 else ""
    if tokens > 1 and math.exp(min(abs(change), 700)) >= MOST_TIMES:
        each = times_words(change / tokens)
        return f"{how}{word} likely (on average each of its {tokens} tokens {each} {word} likely)"
    return f"{how}{word} likely ({times_words(change)} {word} likely)"


def chance_words(logprob: float) -> str:
    """The probability a whole text has (``logprob``), as a percentage a person can read."""
    percent = math.exp(logprob) * 100
    if percent < 1e-4:
        return "under 0.0001%"
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"


def nats_detail(total_before: float, total_after: float) -> str:
    """The figures behind the words, for those who want them: log-probabilities and nats."""
    return (f"log-probability {total_before:.1f} \u2192 {total_after:.1f}, "
            f"{total_after - total_before:+.1f} nats")


def shown_part(scored_text: str, answer_text: str) -> str | None:
    """The subject's words when the scoring holds only the start of the answer (what fits the model's
    window): "The whole answer" was said of an answer cut at "2 + 2 = 4," (usertest16); None: all of it."""
    scored = scored_text.rstrip()
    if not scored or len(scored) >= len(answer_text.rstrip()) or not answer_text.startswith(scored):
        return None
    return "The part of the answer that fits the model's window (the rest was not scored)"


def summary_words(before, after, ended: bool, whole: str = "The whole answer",
                  adapters: tuple[str, str] | None = None) -> str:
    """The whole text's change (its end token included when ``ended``: it is the last
    record) and how many tokens rose and fell, in words first (how many times as likely,
    the chance of exactly this text before and after), the log-probabilities and nats after
    them in small grey type (usertest 10: the nats led and were not for a new user). ``adapters``:
    (the earlier adapter, the one in use) where the view compares the two, not the base model
    with the adapter: the words name both rather than say "now"."""
    values = deltas(before, after)
    total_before = sum(r.logprob for r in before)
    total_after = sum(r.logprob for r in after)
    change = total_after - total_before
    # the end token counts in the rose and fell as in the average (usertest 13: "each of its 16 tokens"
    # beside "3 of 15 tokens rose" in one paragraph); the sentence after says which way it went
    up, down = sum(1 for d in values if d > 0.01), sum(1 for d in values if d < -0.01)
    per_token = math.exp(min(abs(change) / len(values), 50))
    word = "more" if change > 0 else "less"
    whole = f"{whole}, its end included," if ended else whole
    was, now = chance_words(total_before), chance_words(total_after)
    tiny = was == now == chance_words(-math.inf)  # a long text: exactly these words are always unlikely
    chance = ("" if tiny else f" The chance the model gives exactly this text went from {was} to {now}."
              if was != now else f" The chance the model gives exactly this text stays at about {now}.")
    text = (f"{_summary_head(whole, change, len(values), adapters)}.{chance} "
            f"{up} of {len(values)} tokens{' (the end included)' if ended else ''} rose, {down} fell.")
    if ended:
        b, a = before[-1], after[-1]
        moved = "rose" if a.logprob > b.logprob else "fell"
        text += (f" The end of the answer (\u201c{END_CELL.strip()}\u201d: stopping here) {moved}: "
                 f"{b.prob * 100:.1f}% \u2192 {a.prob * 100:.1f}%.")
    small = (f"; as for any text this long, the chance of exactly these words is tiny with either model ({now})"
             if tiny else "")
    return (text + f"<br><small style='color:@muted'>In figures: {nats_detail(total_before, total_after)}; "
            f"on average each token {per_token:.2f}\u00d7 {word} likely{small}.</small>")


def _summary_head(whole: str, change: float, tokens: int, adapters: tuple[str, str] | None) -> str:
    """"The whole answer is now <b>more likely …</b>"; between two adapters (the earlier one, the one in use)
    "Under adapter 3, the whole answer is <b>more likely …</b> than under adapter 2": "than before" would be a
    lie there, as it is another adapter's "before"."""
    if adapters is None:
        return f"{whole} is now <b>{likelihood_words(change, tokens)}</b>"
    earlier, in_use = adapters
    against = f"under {earlier}"
    than = "" if abs(change) < SAME_LIKELIHOOD else f" than {against}"
    return f"Under {in_use}, {whole[:1].lower()}{whole[1:]} is <b>{likelihood_words(change, tokens, against)}</b>{than}"


def movers_words(before, after, values: list[float], scale: float, chip, label, dark: bool = False,
                 names: tuple[str, str] = BEFORE_AFTER) -> str:
    """The tokens that rose and fell most, as chips coloured as the heatmap colours them (a tint at least: `chip_color`)
    (``chip(i)``: token ``i``'s chip text; ``label``: a token's text as the view shows it), and
    what the first of the risen that did took the place of (``displaced_words``); ``dark``: the dark
    window's colours; ``names``: what the two scorings were read under (``token_change_tip``)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    fell = [i for i in order[:4] if values[i] < -0.01]
    rose = [i for i in reversed(order[-4:]) if values[i] > 0.01]
    # a token that rose may have pushed out the base model's first choice (a wrong fact taught)
    displaced = next((w for i in rose if (w := displaced_words(before[i], after[i], label, names))), "")
    chips = [_chips(indices, before, after, values, scale, chip, dark) for indices in (rose, fell)]
    return (f"<table cellspacing='0' cellpadding='3'><tr><td>Rose most</td><td>{chips[0]}"
            f"</td></tr><tr><td>Fell most</td><td>{chips[1]}</td></tr></table>"
            + (f"<div>{html.escape(displaced)}</div>" if displaced else ""))


def _chips(indices: list[int], before, after, values: list[float], scale: float, chip, dark: bool) -> str:
    """Each token's chip and how sure the model was of it before and after ("70.0% → 1.1%"), not its
    log-probability's change: usertest 20 read "Fell most  The -4.14" with nothing saying what -4.14 was
    (each token's tooltip in the view still gives the change in log-prob)."""
    out = []
    for i in indices:
        bg, fg = css_colours(chip_color(values[i], scale, dark))
        # one token, one chip: "(part of a character)" broken at a line's end read as two tokens (usertest38)
        text = html.escape(chip(i)).replace(" ", "&nbsp;")
        out.append(f"<span style='background:{bg}; color:{fg};'>&nbsp;"
                   f"{text}&nbsp;</span>&nbsp;{html.escape(percent(before[i].prob))}&nbsp;→&nbsp;"
                   f"{html.escape(percent(after[i].prob))}")  # "<0.0001%" read as a tag: usertest69
    return " &nbsp; ".join(out) or "none"


def chip_color(value: float, scale: float, dark: bool = False) -> tuple[int, int, int]:
    """A mover's chip colour: the heatmap's, but at least a third of the way to its end. A chip for a
    token that moved little is the neutral's near-white, the window's own colour, and read as a token
    shown without its chip beside the others (its figures beside it still say how far it moved)."""
    return change_color(math.copysign(max(abs(value), scale / 3), value), scale, dark)


def totals(before, after) -> tuple[float, float]:
    """The whole text's log-probability under each model (every scored token, its end included)."""
    return sum(r.logprob for r in before), sum(r.logprob for r in after)


def change_words(total_before: float, total_after: float) -> str:
    """"81\u00d7 more likely (0.0001% \u2192 0.0055%)", coloured as the heatmap colours it, the
    log-probabilities and nats after it in small grey type."""
    change = total_after - total_before
    word, colour = ("more", GREEN) if change > 0 else ("less", PURPLE)
    was, now = chance_words(total_before), chance_words(total_after)
    chance = f"({was} \u2192 {now}) " if was != now else ""
    return (f"<b style='color:{colour}'>{times_words(change)} {word} likely</b> {chance}"
            f"<small style='color:@muted'>{nats_detail(total_before, total_after)}</small>")


# why the person's better answer has no figures beside the model's: it is scored only under the adapter in use,
# once the chat model wears it (CompareScoring._scorable_under)
BETTER_OFF = "not scored here: a text you wrote is scored only under the adapter in use, once the model wears it"


def pair_words(answer_id: int, yours: tuple[float, float] | None, theirs: tuple[float, float] | None,
               adapter: str, *, later_run: int | None = None, answer_shown: bool = False,
               liked: bool = False, yours_scoring: bool = False, yours_off: bool = False,
               against: str = "base model") -> str:
    """The pair a better answer makes with the model's answer ``answer_id`` it replaces: one
    line each, the whole text's log-probability under the base model and under ``adapter``
    (``yours``/``theirs``: those two totals, or None when not scored yet). Taught well, the
    person's answer rose and the model's fell. ``later_run``: the adapter's run, when the pair
    was written after it started (that run did not learn it); ``answer_shown``: the model's
    answer is the one picked, its scores on their way; ``liked``: the person gave the model's
    answer a thumbs-up (its mark is ▲, not ▼); ``yours_scoring``: the person's answer is the one
    picked and being scored now (usertest 10: "pick … above" was said of the item already picked), or scored
    beside the model's answer picked; ``yours_off``: it cannot be scored here, and the line says why;
    ``against``: what "before" was read under ("base model", or an earlier adapter: "adapter 2")."""
    mine = (change_words(*yours) if yours is not None else "scoring\u2026" if yours_scoring
            else BETTER_OFF if yours_off
            else f"not scored yet: pick \u201c{BETTER_MARK} your better answer\u201d above")
    waiting = ("being scored under both models\u2026" if answer_shown
               else "not scored under both models yet: pick it above, just over your better answer")
    model = change_words(*theirs) if theirs is not None else waiting
    mark = "\u25b2" if liked else "\u25bc"
    title = ("The pair you taught" if later_run is None
             else f"Your pair, written after run {later_run} started (that run did not learn it)")
    return (f"<b>{title}</b> <span style='color:@muted'>(how likely the whole text is, {against} "
            f"\u2192 {adapter})</span><br>"
            f"{BETTER_MARK} Your answer: {mine}<br>"
            f"{mark} The model's answer: {model}")


def top_words(record, label, count: int = 2, also=None, digits: int = 0) -> str:
    """"“Madrid” 41% · “Barcelona” 14%": a position's most likely tokens under one model, the
    chosen one among them (its own share when it is not in the list), and ``also`` (an
    Alternative: the token a sentence names) when it is not: "“Madrid” 3%", or "“Madrid” <2%" once
    it fell out of the alternatives kept (below the least of them). ``digits``: decimals of a share."""
    chosen = label(record.text)
    # the chosen token among the alternatives goes by its own label: the end of an answer is
    # "⏎ end" in the view, not the tokenizer's "<|im_end|>"
    shown = [(chosen if a.id == record.id else label(a.text), _share(a.prob, digits)) for a in record.top[:count]]
    if chosen not in (text for text, _ in shown):
        shown.append((chosen, _share(math.exp(record.logprob), digits)))
    if also is not None and label(also.text) not in (text for text, _ in shown):
        kept = next((a.prob for a in record.top if a.id == also.id), None)
        least = math.ceil(min(a.prob for a in record.top) * 100)
        shown.append((label(also.text), _share(kept, digits) if kept is not None else f"<{max(least, 1)}%"))
    return "\u00a0\u00b7 ".join(_token_share(text, share) for text, share in shown)


def _share(prob: float, digits: int) -> str:
    """A share with ``digits`` decimals, or under 1% with two significant digits as everywhere else (``percent``):
    whole percentages gave "“␣Fr” came closer to “�”: before “�” 1% · “Q” 0% · “␣Fr” 0%" under a line that
    had "␣Fr 0.32% → 0.39%" (usertest34)."""
    return percent(prob) if 0 < prob < 0.01 else f"{prob * 100:.{digits}f}%"


def _token_share(text: str, share: str) -> str:
    """A token quoted as the sentence quotes it, held to its figure by a non-breaking space (as
    is the "·" after it, by ``top_words``): a bare "." or "," beside its share read as punctuation
    of the line, and broke from its figure over lines (". 16% · , 13%")."""
    return f"\u201c{text}\u201d\u00a0{share}"


def displaced_words(before, after, label, names: tuple[str, str] = BEFORE_AFTER) -> str:
    """What a token that rose took the place of: "“Barcelona” took the place of “Madrid”: before
    “Madrid” 41% · “Barcelona” 14% → after “Barcelona” 37% · “Madrid” 29%" (or is now as likely as it,
    or came closer to it, as the percentages read); "" when the base model's first choice was this
    token already or the scores keep no alternatives. The "after" figures name the token it took
    the place of even when that fell out of the top two (usertest 7: "after han 0% · o 0%")."""
    if not before.top or not after.top or _first_choice(before):
        return ""
    label = _cell_label(label)
    return (f"\u201c{label(after.text)}\u201d {_overtook(before, after)} \u201c{label(before.top[0].text)}\u201d: "
            f"{_before_after(before, after, label, names)}")


def _cell_label(label):
    """``label`` for every token but the end cell, which reads as the view shows it ("⏎ end"): through
    token_label its " ⏎ end" read "“␣⏎␣end” took the place of “␣This”" (usertest 19)."""
    return lambda text: END_CELL.strip() if text == END_CELL else label(text)


def _before_after(before, after, label, names: tuple[str, str] = BEFORE_AFTER) -> str:
    """"before … → after …" in whole percentages, or with one decimal where whole ones read the
    same on both sides (usertest 18: "came closer to “␣of”: before ␣of 39% · ␣so 8% → after ␣of 39%
    · ␣so 8%" named a change its figures did not show)."""
    for digits in (0, 1):
        was, now = top_words(before, label, digits=digits), top_words(after, label, also=before.top[0], digits=digits)
        if was != now:
            break
    return f"{names[0]} {was} \u2192 {names[1]} {now}"


def _overtook(before, after) -> str:
    """How the risen token now stands to the base model's first choice, as the shown percentages
    read: both at 18% is a tie, not "took the place of" (usertest 7)."""
    old = before.top[0].text
    theirs = next((a.prob for a in after.top if a.text == old), 0.0)  # out of the top: about 0%
    mine, theirs = round(math.exp(after.logprob) * 100), round(theirs * 100)
    if mine > theirs:
        return "took the place of"
    return "is now as likely as" if mine == theirs else "came closer to"


def _first_choice(record) -> bool:
    """The model's likeliest token was the one chosen (by id: the end cell's text is not the token's)."""
    return record.top[0].id == record.id or record.top[0].text == record.text


BASE_CHOICE = "base model"  # the "Compared with" list's first entry: what the view compared with before compare90


def compared_choice_words(row: dict) -> str:
    """An earlier adapter in the "Compared with" list, named as the adapter history names it:
    "adapter 2 (run 2, kept)", "adapter 1 \u201cterse\u201d (imported)"."""
    m = row.get("metrics") or {}
    if row.get("run_id") is None:
        origin = "imported" if m.get("imported") else "added"
    else:
        origin = f"run {row['run_id']}, {'used though the check advised against it' if m.get('use_anyway') else 'kept'}"
    return f"{adapter_name(row['id'], row.get('name'))} ({origin})"


def compared_gone_words(row: dict, where: str) -> str:
    """Why ``where`` ("the compare view") is back to the base model: the earlier adapter it was compared with is gone."""
    return (f"{adapter_name(row['id'], row.get('name'), start=True)} is no longer in the adapter history (deleted, or "
            f"its files gone): {where} compares with the base model again.")


def compared_names(in_use: str, against: str | None) -> tuple[str, str]:
    """What a token's two figures were read under, for its tooltip and the movers' line: "before" and
    "after" against the base model (``against`` None), else both adapters by name."""
    return BEFORE_AFTER if against is None else (against, in_use)


def compared_title(in_use: str | None, against: str | None) -> str:
    """The compare window's title: what it compares."""
    if against is None or in_use is None:
        return "Compare: before and after the fine-tune"
    return f"Compare: {in_use} against {against}"


def legend_title(in_use: str | None, against: str | None) -> str:
    """Before the colour bar's ends: whose change the colours are ("Adapter 3 against adapter 2:")."""
    if against is None or in_use is None:
        return LEGEND_TITLE
    return f"{in_use[:1].upper()}{in_use[1:]} against {against}:"


def colour_key(in_use: str | None, against: str | None) -> str:
    """``COLOUR_KEY`` against the base model; against an earlier adapter, both named."""
    if against is None or in_use is None:
        return COLOUR_KEY
    return (f"{CHANGE_MORE_NAME.capitalize()}: more likely under {in_use} than under {against}; "
            f"{CHANGE_LESS_NAME}: less likely; white: about as likely.")


def weights_words(before, after, chat_precision: str | None = None) -> str:
    """Which weights read the two sides (their records' precision): "Both read with Exact (float32) weights.",
    and where the chat's weights differ, that its figures can differ a little (on Fast a kept run re-scores
    with its float32 training copy: a token read 73.7% here and 75.4% in the inspector, unexplained: usertest56).
    Two sides read by different weights are said to be, since part of each change is then the rounding's."""
    first = next((r.precision for r in before if r.precision), None)
    second = next((r.precision for r in after if r.precision), None)
    if first is None or second is None:
        return ""
    if first != second:
        return (f"Before read with {precision_label(first)} weights, after with {precision_label(second)}: "
                "part of each change is the weights' rounding, not the fine-tune.")
    said = f"Both read with {precision_label(first)} weights"
    if chat_precision and chat_precision != first:
        said += f"; the chat's figures come from {precision_label(chat_precision)} weights and can differ a little"
    return said + "."
