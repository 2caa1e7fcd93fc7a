"""The words of "Why this token?" that carry logic: where each ranked token came from (the
conversation, or text the chat does not show: the chat template, the settings' system text),
how much of the weight went to that hidden text, and what switching to Exact weights changes;
the attribution's time left, whether its ranking can be trusted, which weights explained the
token, and what the sampler did with it (the settings' own words, shared with the CLI, are
core.sampler_words'). Free of Qt (an import-linter contract holds it), so
tests read them without widgets."""

from __future__ import annotations

import html
import math

from desktop_app.core.adapters import adapter_name
from desktop_app.core.count_words import counted
from desktop_app.core.explain_progress_words import (PROGRESS_TIP, WORKING_WORDS, progress_line,  # noqa: F401
                                                     time_left_words)
from desktop_app.core.percent_words import percent
from desktop_app.core.precision import label
from desktop_app.core.prompt_sources import CONVERSATION, START, SYSTEM, TEMPLATE
from desktop_app.core.prompts import END_OF_TEXT
from desktop_app.core.sampler_words import (chance_words, model_percent, other_settings_words, reread_clause,
                                            stages_words, story_words)

TEMPLATE_WORDS = "chat template, hidden"
SYSTEM_WORDS = "system text (Settings), not shown in the chat"
# plain text is read after <|endoftext|> (core.prompts.plain_text_start): a token nobody typed
START_WORDS = "start of text, hidden"
HIDDEN_NOTE_MIN = 0.01  # below 1% of the weight on hidden text, nothing is said about it


def where_words(a, i: int, in_text: bool = False) -> str:
    """Where token ``i`` of attribution ``a`` stands, for the ranking's grey label."""
    source = a.source(i)
    if source == "answer":
        # "answer 17" read as the 17th answer (usertest23)
        return f"answer, token {i - a.prompt_len + 1}"
    if in_text:
        return START_WORDS if source == START or (i == 0 and a.token_texts[0] == END_OF_TEXT) else "text before"
    return {TEMPLATE: TEMPLATE_WORDS, SYSTEM: SYSTEM_WORDS, CONVERSATION: "conversation"}.get(source, "prompt")


NEIGHBOUR_CHARS = 14  # of the text either side of a ranked token, at most


def neighbourhood(a, i: int) -> tuple[str, str, str]:
    """Token ``i`` of attribution ``a`` with the text either side of it, within its own part
    (its message, the answer, the template) and its line: (before, the token, after), cut to
    about NEIGHBOUR_CHARS each with "…". Two ranked " the" of one conversation read apart as
    "…of the Mona…" and "…by the artist…" (usertest 12: two rows said just "the")."""
    def side(indices, backwards: bool) -> str:
        text = ""
        for j in indices:
            piece = a.token_texts[j]
            if a.source(j) != a.source(i) or "\n" in piece:
                break
            text = piece + text if backwards else text + piece
            if len(text.strip()) > NEIGHBOUR_CHARS:
                break
        return text

    before = side(range(i - 1, -1, -1), True)
    after = side(range(i + 1, len(a.token_texts)), False)
    if len(before) > NEIGHBOUR_CHARS:  # whole words: from the first space of the last few characters
        cut = before[-NEIGHBOUR_CHARS:]
        before = "\u2026" + (cut[cut.index(" "):] if " " in cut else cut)
    if len(after) > NEIGHBOUR_CHARS:
        cut = after[:NEIGHBOUR_CHARS]
        after = (cut[:cut.rindex(" ")] if cut.rfind(" ") > 0 else cut) + "\u2026"
    return before, a.token_texts[i], after


def hidden_kinds(a) -> str:
    """"the chat template", "the system text" or both, for the hidden tokens of ``a``."""
    kinds = {a.source(i) for i in range(a.prompt_len) if a.hidden(i)}
    names = [name for kind, name in ((TEMPLATE, "the chat template"), (SYSTEM, "your system text"),
                                     (START, "the start token")) if kind in kinds]
    return " and ".join(names) or "hidden text"


# in Text mode: the start token's place, and why its figure says little (usertest34: it led the ranking at
# -4.55 of -5.93, "start of text, hidden", with nothing to say why a token nobody wrote mattered most)
START_NOTE = ("{share}% of the weight is on the start token the model reads every text after (hidden): attention "
              "leans on it, so its figure says little about your words. ")


def hidden_note(a, left_out: int | None = None, in_text: bool = False) -> str | None:
    """What the ranking says about hidden text, or None when none took weight; ``left_out``:
    the ranking shows only what the chat (or, ``in_text``, the text) shows, and left out this many of its
    top tokens."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    if in_text:
        note = START_NOTE.format(share=f"{share * 100:.0f}")
    else:
        note = (f"{share * 100:.0f}% of the weight is on text the chat does not show: {hidden_kinds(a)} "
                "(the role markers, line breaks and default instructions the model reads around your messages). ")
    if left_out is None:
        return note + "Those tokens are marked \u201chidden\u201d below."
    return note + (f"Left out of the ranking below: {counted(left_out, 'hidden token')} "
                   f"of the top ones (untick \u201c{shown_only_words(in_text)}\u201d to rank them too)."
                   if left_out else "None of them was among the top ones.")


def overlay_note(a, in_text: bool = False) -> str | None:
    """Under "Show it over the conversation" (or the text): what the colours leave out."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    shown = "your text" if in_text else "the text the chat shows"
    return (f"Only {shown} is coloured: {share * 100:.0f}% of the weight went to {hidden_kinds(a)}, "
            "which has no place on screen.")


SHOWN_ONLY_WORDS = "Only what the chat shows"  # the tick box (short: a tick box's words do not wrap)
SHOWN_ONLY_TEXT_WORDS = "Only your text"  # the same box in Text mode: the start token left out


def shown_only_words(in_text: bool) -> str:
    return SHOWN_ONLY_TEXT_WORDS if in_text else SHOWN_ONLY_WORDS


def exact_switch_words(fast_label: str) -> str:
    """Before the model reloads at Exact: what changes for the whole app, and the way back."""
    return (f"Loading the model with Exact weights (float32) instead of {fast_label}: this token is explained again "
            "once it is in. From now on the chat answers with Exact weights too (slower on this computer); "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d below, or Model\u2026 \u203a Precision, switches back.")


def exact_now_words(fast_label: str) -> str:
    """Once explained at Exact: the app runs on Exact now, and how to go back."""
    return (f"The chat now runs on Exact weights (float32), switched for this explanation. "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d reloads the model with {fast_label} weights.")


def reading_words(switched_from: str | None) -> str:
    """While the layers are read; ``switched_from``: the weights the app ran on before it
    switched to Exact for an explanation (the chat runs on Exact meanwhile)."""
    if switched_from is None:
        return "Reading the layers\u2026"
    return (f"Reading the layers with Exact weights (the chat runs on them too now; the way back to "
            f"{switched_from.split(' ')[0]} comes with the result)\u2026")


PAUSED_FOR_ANSWER = ("Paused: your question goes first. The explanation goes on by itself from where it "
                     "stopped when the answer ends.")


def paused_words(a) -> str:
    """Paused for an answer with figures worked out: none of them is lost."""
    return (f"Paused after {a.steps + 1} passes while your question is answered: they are kept, and it goes on "
            "from there when the answer ends.")


SECTION_TITLE = "Why this token?"  # the section's title and the button that starts it: one name for one thing

# shown before anything is asked: it says what the button does, not what is under way (usertest 18: "show
# in a moment" read as a loading message, and a new user waited for figures nobody had asked for)
HINT = (f"\u201c{SECTION_TITLE}\u201d shows the layer grid and the sampler within seconds. Which earlier words led "
        "here takes longer, step by step: on a CPU a minute or more, many minutes for a long conversation (the time "
        "left shows as it goes). Rough figures show, greyed, once they settle; Cancel keeps them.")


WORK_NAMES = {"continue": "the Text continuation", "analyse": "the Text analysis", "answer": "the answer",
              "score": "scoring your prompts", "compare": "the compare scoring"}


def turn_words(before: tuple[str, ...]) -> str:
    """While the attribution waits behind other work on the model (the grid was read in between)."""
    names = list(dict.fromkeys(WORK_NAMES.get(kind, "other work") for kind in before))
    return f"starts once {' and '.join(names)} ha{'ve' if len(names) > 1 else 's'} finished\u2026"


# the running attribution's words (WORKING_WORDS, PROGRESS_TIP, time_left_words, progress_line) are core's: the
# CLI's explain prints the same line on a terminal (usertest69)


# Figures so far are shown only once their contributions add up within 30%. Further off, they are
# not a rough version of the result but another story: usertest 11 (the bundled model, a haiku answer
# of 257 tokens) read "+13.31 blue, -4.76 of, -3.57 ." after 17 passes where the finished ranking was
# "+1.69 blue, +0.89 endless, +0.70 ,". Not a scaling slip: the path from the blank input is that rough
# (a 69-token version: the objective jumps by up to 7 nats between neighbouring points of an even
# 64-point sweep, whose sum was 238% off; the first 16 points' was 265% off), and the order settles
# as the sum does (there: at 27% off the top four were the finished ones, at 50% the second had the
# wrong sign).
ROUGH_SHOWN_MAX = 0.3
LOG_ODDS_DOUBLE = math.log(2)  # +0.69 in log-probability: twice the odds


FIND_WORD_TIP = "Click a word to see it where it stands, ringed for a moment."
ROUGH_TIP = ("Rough figures from the passes so far (integrated gradients, not finished): each is how much a "
             "word pushed toward the explained token (+) or toward its alternative (\u2212), in log-probability.")


def estimate_settled(a) -> bool:
    """Whether the figures so far are near enough to the result to be shown (greyed, as rough)."""
    return a.complete or a.gap <= ROUGH_SHOWN_MAX


def settled_top(previous, a, top: list[int]) -> list[int]:
    """Of ``top`` (the ranking's indices in estimate ``a``), the ones whose place has settled: among
    the top ones of the estimate before (``previous``) too, with the same sign. None of them before
    a second estimate."""
    if previous is None:
        return []
    before = set(previous.top(len(top) + 2))
    return [i for i in top if i in before and (previous.scores[i] > 0) == (a.scores[i] > 0)]


def contributions_caption(a) -> str:
    """Above the finished ranking, in plain words: what the figures are and their unit."""
    return (f"Which earlier words pushed the model toward “{a.target_text}” rather than "
            f"“{a.other_text}”, its likeliest other choice here. Each figure: how much that word pushed "
            f"toward “{a.target_text}” (+) or toward “{a.other_text}” (−), in "
            f"log-probability (+{LOG_ODDS_DOUBLE:.2f} doubles the odds).")


def contributions_tip(a) -> str:
    """The technical name and figures behind the plain caption (its tooltip)."""
    return (f"Integrated gradients: each token's share of the log-probability difference "
            f"log p(“{a.target_text}”) − log p(“{a.other_text}”) = {a.difference:+.2f} nats, "
            f"counted from a blank input where every token is the padding token (there the difference is "
            f"{a.baseline_difference:+.2f}), over {a.steps} steps; {completeness_words(a)}.")


def completeness_words(a) -> str:
    if a.complete:
        return f"the contributions add up {_within(a)}"
    return f"the contributions {_miss_words(a)} after {a.steps} steps: read them loosely"


def loose_words(a) -> str:
    """Under the plain caption, for a finished ranking that does not add up (on Exact weights)."""
    return f"These figures {_miss_words(a)}: read them loosely."


def estimate_words(a, shown: int = 0, of: int = 0) -> str:
    """Above the ranking while the steps go on: rough figures are not shown until they settle
    (``estimate_settled``), then shown greyed; ``shown`` of the ``of`` top words have settled."""
    if not estimate_settled(a):
        return (f"Which earlier words led to “{a.target_text}” rather than “{a.other_text}”? "
                "The first figures are still too rough to show: "
                f"after {a.steps + 1} passes {_off_by(a)}.")
    head = f"Rough result after {a.steps + 1} passes, still refining\u2026 "
    if not shown:
        # what was measured, not "nearly right": a later pass can add up worse, and "nearly right" followed by
        # "still too rough to show: still far off" five passes on read as the tool contradicting itself (usertest34)
        return head + (f"So far the figures add up to within {a.gap * 100:.0f}%, but no word has kept its place "
                       "from one pass to the next yet.")
    listed = (f"the {shown} of the top {of} words whose place has settled" if shown < of else "the top words")
    return (head + f"Which earlier words led to \u201c{a.target_text}\u201d rather than \u201c{a.other_text}\u201d, "
            f"in log-probability. Listed: {listed}; the figures can still change.")


def listed_rough_words(shown, now, listed: int, of: int) -> str:
    """Above rough figures listed after an earlier pass (``shown``) that the latest one (``now``) no longer lets
    add up within ROUGH_SHOWN_MAX: the list stays, said to be rough, with how far off the check reads now (it had
    given way to "still too rough to show", as if the words listed were withdrawn, usertest69)."""
    which = f"the {listed} of the top {of} words whose place had settled" if listed < of else "the top words"
    return (f"Rough result after {shown.steps + 1} passes, still refining\u2026 Which earlier words led to "
            f"\u201c{shown.target_text}\u201d rather than \u201c{shown.other_text}\u201d, in log-probability. "
            f"Listed: {which}. They are rough: after {now.steps + 1} passes the check reads {_now_off(now)}, so "
            "they can still change a lot.")


def stopped_listed_words(shown, now) -> str:
    """Cancelled while the last rough list stood (``listed_rough_words``): it stays, for what it is worth."""
    return (f"Stopped after {now.steps + 1} passes: the figures below are rough ones from pass {shown.steps + 1}; "
            f"the last check read {_now_off(now)}: read them loosely.")


def _now_off(a) -> str:
    return "far off" if a.gap >= 1 else f"about {a.gap * 100:.0f}% off"


def _off_by(a) -> str:
    """How far rough figures are from adding up, in plain words."""
    if a.gap >= 1:
        return "they are still far off"
    return f"they are still about {a.gap * 100:.0f}% off"


def stopped_words(a) -> str:
    """Cancelled with figures on screen: they stay, for what they are worth."""
    said = f"Stopped after {a.steps + 1} passes: "
    if not estimate_settled(a):
        # the layer grid stays: it is worked out whole before the words' figures start (usertest 20 read
        # "none is shown" as about the grid, which stood on in full); it stands below these words, under
        # the ranking's place (usertest34: "above" sent the eye up to the token's figures)
        return said + ("the figures for the earlier words had not settled, so no word is listed "
                       "(what each layer predicted, below, is complete).")
    said += "the figures below are the last ones worked out; "
    if a.complete:
        return said + f"the contributions add up {_within(a)}."
    return said + f"{_how_far(a)}: read them loosely."


def _within(a) -> str:
    """How closely a complete attribution adds up: a percentage, or in nats where the difference
    explained is near zero (a 74% gap of a 0.005-nat difference is a sum right to 0.004 nats)."""
    from desktop_app.core.attribution import IG_TOLERANCE  # not at the top: it brings torch to startup

    if a.gap <= IG_TOLERANCE:
        return f"within {a.gap * 100:.1f}%"
    return f"to within {abs(a.total - a.expected):.3f} nats of the change explained"


def _how_far(a) -> str:
    """An estimate's gap in words: a percentage while it means something (a sum off by
    hundreds of times a near-zero difference says only that it does not add up)."""
    if a.gap >= 1:
        return "the contributions do not add up"
    return f"the contributions add up only within {a.gap * 100:.0f}%"


def doubtful(result) -> bool:
    """The ranking cannot be trusted: its contributions do not add up, on rounded weights
    (Compact's int8 ones, whose rounding the path's small steps drown in; Fast's 16-bit weights
    are differentiated widened to float32, core.attribution.float32_arithmetic: they get here only where
    the path is too rough for its steps, as Exact ones can: 1 of the 9 tokens in docs/benchmarks.md)."""
    from desktop_app.core.explain import ROUNDING_PRECISIONS

    a = result.attribution
    return a is not None and not a.complete and result.precision in ROUNDING_PRECISIONS


# The verdict on figures that do not add up on rounded weights says how far the ranking's order
# can move, not that the whole ranking is doubtful (usertest 12 read "This ranking is doubtful" after
# minutes of waiting). Measured on the bundled model, one chat token (" Spanish", 100 tokens of
# context, pinned to one core, OMP_NUM_THREADS=1): Fast (bfloat16, differentiated widened to float32)
# 4.9% off after 96 steps, 71.4 CPU-s; Exact (float32) 0.5% off after 112 steps, 84.2 CPU-s (1.18x).
# Top five by size: 4 of 5 the same, the same first row; the rows that differ were fifth, where the
# margins are below Fast's error. Exact costs little more for the attribution, but it is another
# model than the Fast one that wrote the answer (the unrounded weights; switching reloads the model
# and the chat answers slower), so it stays an offer and the verdict says what holds.
def sure_rows(a, top: list[int]) -> int:
    """How many of the ranking's first rows (``top``, by size) lead the next one by more than the
    figures' error (how far their sum misses the push they explain): their order holds."""
    error = abs(a.total - a.expected)
    sizes = [abs(a.scores[i]) for i in top]
    held = 0
    for size, after in zip(sizes, sizes[1:]):
        if size - after <= error:
            break
        held += 1
    return held


def _miss_words(a) -> str:
    """How far rounded weights' figures miss their push: a percentage while it is under 100%; past that
    the sum against the push itself (usertest 29 read "add up only within 807%" on Fast weights: a
    percentage that says nothing once the error is larger than the push it explains)."""
    if a.gap < 1:
        return f"add up only within {a.gap * 100:.0f}% of the push they explain"
    return f"do not add up (their sum is {a.total:+.2f}, the push they explain {a.expected:+.2f})"


# An offer, not a promise: Fast's weights are differentiated widened to float32 already
# (core.attribution.float32_arithmetic), so a miss there is the path's roughness, which other
# weights may smooth or not (measured: one token 16% off on Fast, 0.3% on Exact; " happy" 57% off
# on Exact at 128 steps, where Fast did better).
EXACT_MAY_HELP = "Exact weights may make them add up: the path is read again on other weights."


def doubtful_words(a, precision: str, top: list[int]) -> str:
    """Under the caption of figures that do not add up on rounded weights: by how much, and
    which of the ranking's rows keep their place whatever the error (``sure_rows``)."""
    error = abs(a.total - a.expected)
    said = (f"On {label(precision)} weights these figures {_miss_words(a)} after {a.steps} steps: "
            f"each may be off by about {error:.2f}. ")
    held = sure_rows(a, top)
    if held and held >= len(top) - 1:
        return said + "<b>The order holds</b>: every row leads the next by more than that."
    if held:
        rows = "The first row" if held == 1 else f"The first {held} rows"
        return (said + f"<b>{rows} {'is' if held == 1 else 'are'} sure</b> (each leads the next by more than that); "
                f"the rows below may swap places. {EXACT_MAY_HELP}")
    return said + f"<b>The order may change</b>: the first rows are closer than that. {EXACT_MAY_HELP}"


def precision_line(result) -> str:
    """Which weights the explanation used, and whether they wrote the answer."""
    if result.precision_note:
        return result.precision_note
    if result.context.unwritten:
        return f"Explained with {label(result.precision)} weights (no model wrote this answer here)."
    if result.context.other_writer:
        return f"Explained with {label(result.precision)} weights (another model wrote this answer)."
    if result.context.written_precision is None:
        return f"Explained with {label(result.precision)} weights (the answer's were not recorded)."
    if result.context.in_text:  # the text's analysis scored it; the person may have typed it
        return f"Explained with the weights that analysed the text: {label(result.precision)}."
    return f"Explained with the weights that wrote it: {label(result.precision)}."


def other_writer_words(context) -> str:
    """An answer another model wrote, in its own tokens: what the explained token is instead."""
    return (f"{html.escape(context.other_writer)} wrote this answer, in its own tokens: this explains this "
            "model's token at the same place in the text, which this model did not sample.")


# a Text continuation's first token when the person started it from an alternative: their choice, which the
# sampler's words had told as a draw ("it was drawn at 3.1%")
PICKED_WORDS = ("You picked this token (\u201cContinue with this alternative\u201d); the sampler did not draw it. "
                "The model wrote the continuation after it.")


def sampler_words(result) -> str:
    """What the sampler did with the token, as rich text: its settings, the token's probability
    before and after them, and what the explanation knows of how the answer was written."""
    s = result.told_sampler
    spread = f"95% of the model's probability lies in {counted(s.mass95_size, 'token', grouped=True)}."
    if s.forced:  # no sampling happened: its settings would describe nothing
        who = (PICKED_WORDS if result.context.picked_alternative
               else "You wrote this token; the model did not sample it." if result.context.in_text
               else "This answer was imported: no model here sampled this token." if result.context.unwritten
               else other_writer_words(result.context) if result.context.other_writer
               else "This token was chosen by you (a branch), not sampled.")
        lines = [who, f"The model gave it {_escaped_chance(result)}. {spread}"]
    else:
        lines = _sampled_lines(result, spread)
    context = result.context
    if context.written_with_adapter != result.adapter_id and not (context.unwritten or context.other_writer):
        lines.append("Written with another adapter than the one on now: this explains the model as it is now.")
    if result.recorded_note and not result.rounded_apart:  # the why is in the tooltip (usertest 11)
        made = "analysed" if context.in_text else "written"
        lines.append(f"When {made}: {context.recorded_prob * 100:.2f}%, a little different here "
                     "(point here for why).")
    if result.precision_note:
        lines.append(html.escape(result.precision_note))
    return "<br>".join(lines)


def sampler_tip(result) -> str:
    """The sampler lines' tooltip: why the probability differs from the stored one, and which
    weights explained the token (usertest 11: in the section they made a wall of jargon)."""
    return "\n".join(note for note in (result.recorded_note, precision_line(result)) if note)


def sampler_gist(result) -> str | None:
    """For a sampled token, by the ranking's caption: how sampling changed its chance, which for
    an unlikely token says most (usertest 12: "8.3% under the model, 30.5% as sampled" sat at
    the bottom, below the grid), and which setting did it (usertest 13: "the sampler's settings
    made it 2.3x likelier" at temperature 0.4, which should lower a rank-6 token); after the model
    that explained it, where that needs saying (``model_words``, alone for a token nobody sampled)."""
    s, model = result.sampler, model_words(result)
    if s.forced:
        return model
    said = f"{_sampled_story(result)}{_recorded_words(result)}"
    return f"{model} {said}" if model else said


def _sampled_story(result) -> str:
    """One story, figure to figure: the model's own chance, what the settings that moved it most made
    of it, the chance it was drawn with: "The model alone gave it 56.7%; temperature 0.4 raised that to
    96.4%; then top-p 0.95 raised it to 100.0% by dropping less likely tokens; it was drawn at 100.0%."."""
    s = result.told_sampler  # its figures follow from the first one, the inspector's where that leads
    steps, ends_there = story_words(s, "text" if result.context.in_text else "answer")
    said = f"The model alone gave it {_escaped_chance(result)}"
    # a token it names may hold "<" or "&"
    said += f"; {html.escape(steps, quote=False)}" if steps else ""
    said += drawn_words(s, bool(steps), ends_there)
    if not s.kept and not any(f == 0 for _, f in s.factors()):
        said += " (<b>outside</b> the tokens the settings keep)"
    return said + "."


def _escaped_chance(result) -> str:
    """The model's chance for the token, and the re-read's where it differs, for rich text: a chance under
    0.0001% reads "<0.0001%", which Qt took for the start of a tag, losing the words after it (usertest69)."""
    return html.escape(f"{model_percent(result)}{reread_clause(result)}", quote=False)


def drawn_words(s, steps_said: bool, ends_there: bool) -> str:
    """The story's end, after the model's figure and the settings that moved it most (``steps_said``): the
    chance the token was drawn with, and which other settings took it there, by name: "; then top-p 0.95 took
    it to 100.0%, the chance it was drawn with", "; top-p 0.95 took that to 91.0%, …", "; no
    sampling setting changed that: it was drawn at 56.7%" (it had said "the sampling settings barely moved
    that; the other settings took it to 100.0%", as if some had been named)."""
    drawn = f"<b>{s.used_prob * 100:.1f}%</b>"
    others = html.escape(other_settings_words(s), quote=False)
    if ends_there or (steps_said and not others):  # (the rest only rounding)
        return f"; it was drawn at {drawn}"
    if steps_said:
        return f"; then {others} took it to {drawn}, the chance it was drawn with"
    if others:
        return f"; {others} took that to {drawn}, the chance it was drawn with"
    if f"{s.raw_prob * 100:.1f}" != f"{s.used_prob * 100:.1f}":  # settings of ×1.00 each, across a rounding
        return f"; no sampling setting changed that by more than \u00d71.00: it was drawn at {drawn}"
    return f"; no sampling setting changed that: it was drawn at {drawn}"


def _recorded_words(result) -> str:
    """Where the inspector's figure for the model's chance differs, why, by the story (not only at the
    bottom): " When written, the model gave it 55.80%: Fast (bfloat16) weights round …"."""
    if not result.recorded_reason or result.rounded_apart:  # rounded apart: said by the figure
        return ""
    made = "In the analysis" if result.context.in_text else "When written"
    return (f" {made}, the model gave it {result.context.recorded_prob * 100:.2f}%: "
            f"{html.escape(result.recorded_reason)}.")


def model_words(result) -> str | None:
    """Which model explained an answer's token, at the top where the person reads, when that is not
    simply the one on now (usertest 14: a base answer explained with adapter 1, said in small print):
    a base model's answer is explained with the adapter set aside (core.explain.as_written); one another
    adapter wrote is explained with the model on now, which says so plainly. None: the one on now wrote it."""
    c = result.context
    if c.in_text:
        return None
    on = getattr(result, "adapter_on", None)
    if result.adapter_id is None and c.written_with_adapter is None and on is not None:
        return f"Explained with the base model, which wrote this answer ({adapter_name(on)}, on for new answers, set aside)."
    if c.written_with_adapter == result.adapter_id:
        return None
    wrote, now = adapter_name(c.written_with_adapter), adapter_name(result.adapter_id)
    return (f"<b>Explained with {now}, on now; {wrote} wrote this answer</b>, so these are not the figures "
            "it was written with.")


def _sampled_lines(result, spread: str) -> list[str]:
    s = result.told_sampler
    how = s.how
    if not s.settings_known:
        how += (" (a continuation does not store them: the settings now)" if result.context.in_text
                else " (not stored with this answer: the defaults)")
    kept = "inside" if s.kept else "<b>outside</b>"
    lines = [f"Sampler: {how}.",
             f"{html.escape(chance_words(result), quote=False)}; {kept} the {counted(s.kept_size, 'token', grouped=True)} kept. {spread}"]
    stages = stages_words(s)
    return lines + [stages] if stages else lines


def contribution_tip(score: float) -> str:
    """The tooltip of a token coloured by its contribution."""
    return (f"pushed {'toward' if score >= 0 else 'away from'} the explained token by {abs(score):.3f} "
            "in log-probability (its integrated-gradients contribution)")
