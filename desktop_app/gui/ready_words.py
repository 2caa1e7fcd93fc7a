"""The fine-tune's ready line and counts, free of Qt: what the next run trains on (the ready
line, its tooltip, the tab's title), what is new since the previous run (core.train_counts.previous_run:
the one that made the adapter in use, as a run's card counts it) and how that run used the ratings.
The panel, the tab and tests share them (``counts``: core.train_counts.readiness with the panel's run
fields)."""

from __future__ import annotations

import html

from desktop_app.core.adapters import adapter_name
from desktop_app.core.conflict_words import SHOWN as SHOWN_PAIRS
from desktop_app.core.conflict_words import headline, more_pairs, pair_words, text_place
from desktop_app.core.count_words import counted, plural
from desktop_app.core.duration_words import duration_words
from desktop_app.core.taught_words import and_list
from desktop_app.core.train_counts import rating_count
from desktop_app.core.train_repeat import examples_settings_differ, same_examples_words
from desktop_app.core.train_settings import FineTuneSettings, settings_changes
from desktop_app.gui.finetune_words import why_words

def ready_words(counts: dict) -> str:
    """What the next fine-tune trains on, at a glance, each kind once so the counts add up to the
    total: "8 examples ready to train on: 3 better answers you wrote, 3 answers you liked, 1 you
    disliked and 1 rated token." (usertest 11: "... 3 better answers (each paired with the answer it
    replaces), 4 thumbs, 1 rated token. 3 thumbs on answers you also corrected are used twice: ..."
    took three readings). How each kind is used is the line's tooltip (``ready_details``)."""
    corrections, tokens = _count(counts, "corrections"), _count(counts, "token_ratings")
    texts = _count(counts, "text_corrections")  # Text mode's continuations, named as such (usertest 12:
    # a thumbs-down on a continuation was counted among the "answers you disliked")
    text_disliked = _count(counts, "text_disliked_and_corrected")
    # the thumbs first, so a better answer can point at the dislike it goes with (counts59)
    parts = [*_thumbs_words(counts, "answer"), *_thumbs_words(counts, "continuation", "text_"),
             _better_words(corrections - texts, _count(counts, "disliked_and_corrected") - text_disliked,
                           _count(counts, "thumbs_down") - _count(counts, "text_thumbs_down")),
             _better_words(texts, text_disliked, _count(counts, "text_thumbs_down"), "continuation"),
             _counted(tokens, "rated token")]
    return headline_words(counts) + and_list([p for p in parts if p]) + "." + _examples_words(counts)


def _better_words(written: int, disliked: int, thumbs_down: int, noun: str = "answer") -> str:
    """"3 better answers you wrote (for the ones you disliked)": which of the ``thumbs_down`` named before it
    a better answer (a Text continuation: ``noun``) goes with, ``disliked`` of them; each is a rating of its
    own (counts59: "8 better answers you wrote" and "8 answers you disliked" are 16 ratings, as the tiles
    count them, usertest 13's single count of the two disagreed with the tiles)."""
    words = _counted(written, f"better {noun}", " you wrote")
    if not disliked or not words:
        return words
    if disliked == written == thumbs_down:
        return words + (" (for the one you disliked)" if written == 1 else " (for the ones you disliked)")
    one = ("an " if noun[0] in "aeiou" else "a ") + noun
    # one of several: "1 for an answer you disliked" (usertest47 read "1 for answer you disliked")
    some = one if disliked == 1 else plural(noun, disliked)
    return words + (f" (for {one} you disliked)" if disliked == written == 1
                    else f" ({disliked} for {some} you disliked)" if disliked != written
                    else f" (each for {one} you disliked)")


def _examples_words(counts: dict) -> str:
    """Where a run makes more examples of the ratings than there are ratings (train_data.build_training_data
    builds each of them), how many and why, so "5 examples" elsewhere (a run's learned from and held out) adds
    up: " 4 ratings make 5 training examples: the liked and the disliked answer to the same question also
    train as a pair." Said only where the two differ (counts59: "5 examples" under "4 ratings" said no why)."""
    said = _pairs_train_words(counts)
    ratings, total = rating_count(counts), _count(counts, "total")
    if not said or ratings == total:
        return ""
    reasons = "; ".join(said)
    return f" {counted(ratings, 'rating')} make {counted(total, 'training example')}: {reasons[0].lower()}{reasons[1:]}."


def _pairs_train_words(counts: dict) -> list[str]:
    """A liked and a disliked answer to the same question (continuations at the same place in the
    Text tab) train as their two thumbs and as a pair, the liked one preferred: the ready line
    counted the pair as a third rating beside the two thumbs the person gave."""
    text = _count(counts, "text_sibling_pairs")
    said = []
    for pairs, noun, where in ((_count(counts, "sibling_pairs") - text, "answer", "to the same question"),
                               (text, "continuation", "at the same place")):
        if pairs == 1:
            said.append(f"The liked and the disliked {noun} {where} also train as a pair")
        elif pairs > 1:
            said.append(f"Liked and disliked {noun}s {where} also train in pairs ({pairs} pairs)")
    return said


def _thumbs_words(counts: dict, noun: str, prefix: str = "") -> list[str]:
    """"3 answers you liked", "1 you disliked": the chat's thumbs (``prefix`` ""), the Text tab's
    ("text_"): the chat's are the counts less the Text tab's."""
    up, down = _count(counts, f"{prefix}thumbs_up"), _count(counts, f"{prefix}thumbs_down")
    # a thumbs-down with a better answer is counted here too: a rating of its own, as the tab and the tiles count
    # it (counts59: the line left it out and said "3 ratings" of the 4 the person made)
    if not prefix:
        up -= _count(counts, "text_thumbs_up")
        down -= _count(counts, "text_thumbs_down")
    return [_counted(up, noun, " you liked"),
            (f"{down} you disliked" if up else _counted(down, noun, " you disliked")) if down else ""]


def tile_words(counts: dict) -> dict[str, tuple[int, str, str, str]]:
    """The count tiles' numbers, each with a note under its caption, a tooltip and the caption. The 👎 tile
    counts every answer the person disliked: it had left out those with a better answer (one rating with it,
    as the ready line names it), and after two thumbs-down, both corrected, read "0 bad answers" (usertest26).
    The overlap is said under both tiles instead: "each with a better answer", "each for a disliked answer"
    (a 👎 and a better answer on one answer had made tiles of 1 and 1 beside "1 rating" with nothing saying
    so). A caption names what the person rated: answers, Text mode's continuations, or "ones" for both
    (``_tile_noun``; they read "3 good answers" for three liked continuations)."""
    folded = _count(counts, "disliked_and_corrected")
    up_noun, down_noun = _tile_noun(counts, "thumbs_up"), _tile_noun(counts, "thumbs_down")
    better_noun = _tile_noun(counts, "corrections")
    # a dislike that goes with a better one is of the better ones' kind (a continuation's with a continuation)
    one, ones = better_noun, plural(better_noun, 2)
    # short enough for one line of a tile in the narrow dock: "continuation" took a second one
    short = "answer" if better_noun == "answer" else "one"
    up, down, tokens, better = (_count(counts, key) for key in ("thumbs_up", "thumbs_down", "token_ratings",
                                                                "corrections"))
    # each tile counts ratings of its kind: a thumbs-down and the better answer for it are two (counts59); "counted
    # under better answers" read as if this tile left them out, beside its number that counts them (usertest40)
    them = "it" if folded == 1 else "them"
    folded_words = (f"; {folded} of them also {'has a better ' + one if folded == 1 else 'have better ' + ones} "
                    f"you wrote, which the model learns to prefer over {them}" if folded else "")
    mixed = _count(counts, "liked_and_corrected")
    better_notes = [_overlap_note(folded, better, "for a disliked", short),
                    _overlap_note(mixed, better, "mixed, for a liked", short)]
    # a caption agrees with its number: "1 good answer", "0 / 2 good answers" (it read "1 good answers", usertest16)
    return {"thumbs_up": (up, _overlap_note(mixed, up, "mixed, with a better", short),
                          f"{_kinds_words(up_noun)} you liked (👍)" + _mixed_words(mixed, one, "liked"),
                          f"good {plural(up_noun, up)}"),
            "thumbs_down": (down, _overlap_note(folded, down, "with a better", short),
                            f"{_kinds_words(down_noun)} you disliked (👎)" + folded_words,
                            f"bad {plural(down_noun, down)}"),
            "token_ratings": (tokens, "", _token_tile_tip(counts), f"rated {plural('token', tokens)}"),
            "corrections": (better, "; ".join(note for note in better_notes if note),
                            f"Better {_kinds_words(better_noun).lower()} you wrote"
                            + _mixed_words(mixed, one, "better"),
                            f"better {plural(better_noun, better)}")}


def tile_short_notes(counts: dict) -> dict[str, str]:
    """A tile's note in fewer words where it has two clauses (the better-answers tile's "1 for a disliked
    answer; 1 mixed, for a liked answer"): "1 disliked · 1 mixed", for a tile too narrow for them."""
    folded, mixed = _count(counts, "disliked_and_corrected"), _count(counts, "liked_and_corrected")
    return {"corrections": f"{folded} disliked \u00b7 {mixed} mixed" if folded and mixed else ""}


def _mixed_words(mixed: int, one: str, tile: str) -> str:
    """A tooltip's part for the ``mixed`` answers the person liked and wrote a better one for: a run trains on
    both (train_data: the thumb as a liked answer, the better one in a pair over it), and they pull apart."""
    if not mixed:
        return ""
    ones = plural(one, mixed)
    liked = "one" if one == "one" else f"{_a(one)} {one}"  # "for one you liked" where both kinds are rated
    which = (f"; {mixed} of them also {'has a better ' + one if mixed == 1 else 'have better ' + ones} you wrote"
             if tile == "liked" else f"; {mixed} of them for {liked if mixed == 1 else ones} you liked")
    return (f"{which}: mixed signals. A run trains on both: the thumbs-up makes it likelier, the better {one} "
            "you wrote is preferred over it; take the thumbs-up away if yours should replace it.")


def _overlap_note(folded: int, shown: int, words: str, noun: str) -> str:
    """Under a tile of ``shown``: how many of them are ``folded`` (a disliked answer with a better one):
    "for a disliked answer", "each for a disliked answer", "2 for disliked answers"."""
    if not folded:
        return ""
    if folded == shown:
        return f"{words} {noun}" if folded == 1 else f"each {words} {noun}"
    return f"{folded} {words} {noun}" if folded == 1 else f"{folded} {words.replace(' a ', ' ')} {noun}s"


def made_noun(counts: dict) -> str:
    """What the person rated, in one word: "answer" (the chat's, or nothing yet), "continuation"
    (Text mode's only) or "one" (both kinds)."""
    text = sum(_count(counts, f"text_{key}") for key in _KINDS)
    return _noun(sum(_count(counts, key) for key in _KINDS) - text, text, "answer")


_KINDS = ("thumbs_up", "thumbs_down", "token_ratings", "corrections")


def _tile_noun(counts: dict, key: str, less: str | None = None) -> str:
    """The noun of one tile's count (``key``, less ``less``): its ratings' kind, else (none) the kind of
    the whole answers and continuations rated (``_whole_noun``)."""
    text = _count(counts, f"text_{key}") - (_count(counts, f"text_{less}") if less else 0)
    chat = _count(counts, key) - (_count(counts, less) if less else 0) - text
    return _noun(chat, text, _whole_noun(counts))


def _whole_noun(counts: dict) -> str:
    """What the person rated whole (thumbs, better ones), else what they rated at all (``made_noun``): a rated
    token counts on its own tile, and a Text token's rating beside a liked answer had turned the empty tiles
    into "0 bad ones" and "0 better ones"."""
    whole = [key for key in _KINDS if key != "token_ratings"]
    text = sum(_count(counts, f"text_{key}") for key in whole)
    return _noun(sum(_count(counts, key) for key in whole) - text, text, made_noun(counts))


def _token_tile_tip(counts: dict) -> str:
    """The rated-tokens tile's tooltip, saying where the tokens are: answers, Text continuations, or both."""
    where = {"answer": " in answers", "continuation": " in Text continuations",
             "one": " in answers and in Text continuations"}
    return "Tokens you rated good or bad" + (where[_tile_noun(counts, "token_ratings")]
                                             if _count(counts, "token_ratings") else "")


def _noun(chat: int, text: int, neither: str) -> str:
    if chat and text:
        return "one"
    return "continuation" if text else "answer" if chat else neither


def _kinds_words(noun: str) -> str:
    """A tooltip's subject: "Answers", "Continuations", or both ("one")."""
    return "Answers and continuations" if noun == "one" else noun.capitalize() + "s"


def _a(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _plurals(noun: str) -> str:
    """"answers", "continuations", "answers or continuations"."""
    return " or ".join(word + "s" for word in noun.split(" or "))


def ready_details(counts: dict) -> str:
    """The ready line's tooltip: how each kind of rating teaches, and what is used twice."""
    lines = ["How the fine-tune uses them:"]
    text_better = _count(counts, "text_corrections")
    if _count(counts, "corrections") - text_better:
        lines.append("\u2022 A better answer you wrote: the model learns to prefer it over the answer it replaces.")
    if text_better:
        lines.append("\u2022 A better continuation you wrote: the model learns to prefer it over the continuation "
                     "it replaces.")
    text_pairs = _count(counts, "text_sibling_pairs")
    if _count(counts, "pairs") - _count(counts, "corrections") - text_pairs > 0:
        lines.append("\u2022 Two rated answers to one question: the liked one is preferred over the disliked one.")
    if text_pairs:
        lines.append("\u2022 Two rated continuations at the same place: the liked one is preferred over the disliked one.")
    thumbs = _either(counts, "thumbs_up", "thumbs_down")
    if thumbs:
        lines.append(f"\u2022 A thumb: a liked {thumbs} becomes likelier, a disliked one less likely.")
    tokens = _either(counts, "token_ratings")
    if tokens:
        lines.append(f"\u2022 A rated token: that token, in that {tokens}, becomes likelier or less likely.")
    twice = _count(counts, "thumbs_on_corrected")
    if twice:
        noun = _either(counts, "thumbs_on_corrected")
        one = "one" if " or " in noun else noun  # "answer or continuation" once named, then "one"
        which = f"1 thumb is on {_a(noun)} {noun}" if twice == 1 else f"{twice} thumbs are on {_plurals(noun)}"
        those = f"that {one} teaches" if twice == 1 else f"those {_plurals(one)} teach"
        lines.append(f"{which} you also corrected: {those} twice, as the thumb and in the pair with your "
                     f"better {one}.")
    return "\n".join(lines) if len(lines) > 1 else ""


def _either(counts: dict, *keys: str) -> str:
    """"answer", "continuation" or "answer or continuation": what the ratings under ``keys`` are of
    ("" when there are none)."""
    text = sum(_count(counts, f"text_{key}") for key in keys)
    chat = sum(_count(counts, key) for key in keys) - text
    noun = _noun(chat, text, "")
    return "answer or continuation" if noun == "one" else noun


def _count(counts: dict, key: str) -> int:
    return int(counts.get(key, 0) or 0)


def _counted(n: int, noun: str, tail: str = "") -> str:
    """``n`` of ``noun`` with ``tail`` after it, "" for none: a kind not rated says nothing."""
    return counted(n, noun) + tail if n > 0 else ""


def headline_words(counts: dict) -> str:
    """The line's bold start: after a finished run, what is new since it (usertest 8: "12 examples
    ready" beside "Run 1 used all of them" read as a contradiction), else what is ready."""
    # the ratings as the person gave them, as the tab and the tiles count them; the examples a run makes of them,
    # where more, are said after the list (``_examples_words``)
    total = rating_count(counts)
    examples = counted(total, "rating")
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None and counts.get("imported_adapter") is not None and total:
        return f"<b>{imported_words(counts)}</b>: "
    if run is None or new is None:
        return f"<b>{examples} ready to train on</b>: "
    # each noun in the plural: "2 ratings, better answer or continuations" (usertest 17)
    better = {"answer": f" or {plural('better answer', new)}",
              "continuation": f" or {plural('better continuation', new)}",
              "one": f", {plural('better answer', new)} or {plural('continuation', new)}"}[made_noun(counts)]
    what = "Nothing new" if not new else f"{counted(new, 'new rating')}{better}"  # not "1 rating … new since run 1"
    return f"<b>{what} since run {run}</b>; {examples} in all: "


def imported_words(counts: dict) -> str:
    """An imported adapter in use that no run here made (train_counts.since_last_run's ``imported_adapter``): every
    rating is new to it ("Adapter 2 was imported, so all 47 ratings are new to it"), where the tab had counted from
    the model's newest run, a number that changed with the adapter in use and said nothing of why (counts89)."""
    total = rating_count(counts)
    name = adapter_name(counts["imported_adapter"], counts.get("imported_adapter_name"), start=True)
    new = "your rating is" if total == 1 else f"all {total} ratings are"
    return f"{name} was imported, so {new} new to it"


def tab_count_words(counts: dict) -> str:
    """The Fine-tune tab's title: after a finished run the count of what is new since it, so a
    tab that read "Fine-tune (12)" after run 1 used all 12 now reads "Fine-tune". What is new
    since the run that made the adapter in use is not new when a later run (discarded, or its
    adapter stepped back from) already trained on all of it: the ready line says that run had them."""
    total = rating_count(counts)
    run, new = counts.get("last_run"), counts.get("new_since_run")
    if run is None and counts.get("imported_adapter") is not None and total:
        return f"Fine-tune ({total} new)"  # every rating is new to an imported adapter (imported_words)
    if run is None or new is None:
        return f"Fine-tune ({total})" if total else "Fine-tune"
    return f"Fine-tune ({new} new)" if new and retrained_run(counts) is None else "Fine-tune"


def conflict_words(counts: dict) -> str:
    """A notice for answers with both a thumbs-up and a better answer: the two pull apart
    (usertest 7: a liked answer was pushed far down by its pair, and nothing had said so)."""
    liked = _count(counts, "liked_and_corrected")
    if not liked:
        return ""
    noun = _either(counts, "liked_and_corrected")  # a Text continuation's two pull apart alike (usertest 17)
    one = "one" if " or " in noun else noun
    which = (f"{_a(noun).capitalize()} {noun} you liked also has" if liked == 1
             else f"{liked} {_plurals(noun)} you liked also have")
    it = "it" if liked == 1 else "them"
    return (f"<br><b>Mixed signals:</b> {which} a better {one} you wrote. The thumbs-up teaches "
            f"{it} as good, the better {one} teaches yours as preferred over {it}; both are used. "
            f"If {'yours' if one == 'one' else f'your {one}'} should replace {it}, take the thumbs-up away.")


DISAGREE_HINT = ("Click a conversation to see that answer in Chat, or a text to see that continuation in the Text "
                 "tab, then take away the rating you did not mean (click its thumb again, clear the token's rating, or "
                 "Remove correction in its better answer).")


def disagree_words(counts: dict) -> str:
    """The ratings that disagree (core/rating_conflicts.py), said before a run as rich text, a pair a line:
    each side's conversation a link whose href is the answer's id, and ":" and the token's index for a token
    rating, which the panel shows in Chat (gui/answer_reveal.py); "" for none."""
    conflicts = counts.get("conflicts") or []
    if not conflicts:
        return ""
    pairs = [f"\u2022 {_capital(pair_words(c, _rating_link, html.escape))}." for c in conflicts[:SHOWN_PAIRS]]
    more = more_pairs(conflicts)
    pairs += [f"\u2022 And {more}."] if more else []
    return f"<b>{headline(conflicts)}:</b><br>" + "<br>".join(pairs) + f"<br>{DISAGREE_HINT}"


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def _rating_link(place) -> str:
    """A side's place as a link: its answer's id (a Text continuation's: minus its branch id) and its token's."""
    token = "" if place.token_index is None else f":{place.token_index}"
    where = (text_place(place, html.escape) if place.branch_id is not None
             else f"conversation {place.conversation_id}")
    return f"<a href=\"{place.message_id}{token}\">{where}</a>"


def rating_href(href: str) -> tuple[int, int | None]:
    """A link's (answer id, token index or None), as ``_rating_link`` wrote it."""
    answer, _colon, token = href.partition(":")
    return int(answer), int(token) if token else None


def news_words(counts: dict, settings: FineTuneSettings | None = None) -> str:
    """What the previous run did not see yet (a run reads the ratings when it starts); that a run would train on
    the same examples as the discarded run before it, where the new ratings are all on the questions it kept aside
    (``same_examples_run``; ``settings``: the tab's)."""
    run, new = counts.get("last_run"), counts.get("new_since_run")
    same = same_examples_run(counts, settings)
    if same is not None:
        return f" {same_examples_words(same)}."
    if run is None and counts.get("imported_adapter") is not None and rating_count(counts):
        name = adapter_name(counts["imported_adapter"], counts.get("imported_adapter_name"))
        return f" A new run starts from {name}, the one in use, and learns from all of them."
    if run is None or new is None:
        return ""
    if not new:
        return f" {used_words(counts)}: rate more to teach something new."
    if _newer_run_had_all(counts):
        return f" Run {counts['newer_run']} already trained on all of them{_newer_fate(counts)}: rate more to teach something new."
    adapter = counts.get("active_adapter_id")
    if adapter is None:
        return " A new run learns from all of them, old and new."
    return (f" A new run starts from {adapter_name(adapter)}, the one in use (its answers are the “before”), "
            f"learns from all of them, old and new, and shows your new ones first.")


def same_examples_run(counts: dict, settings: FineTuneSettings | None = None) -> int | None:
    """The discarded run a click would train on the same examples as (train_repeat.same_examples_as), unless the
    tab's ``settings`` build or split them otherwise than that run's."""
    same = counts.get("same_examples_as")
    if same is None or settings is None:
        return same
    recorded = counts.get("last_run_settings") if counts.get("last_run") == same else counts.get("newer_run_settings")
    return None if examples_settings_differ(recorded, settings) else same


def during_run_words(total: int, at_start: int | None) -> str:
    """While a run trains: the ratings given since it started, which it does not read (it read
    them when it started): "7 examples ready" beside a run training on 4 read as if all 7 were
    in it (usertest 9)."""
    new = total - at_start if at_start is not None else 0
    if new <= 0:
        return ""
    return (f"<br><b>{new} new since this run started</b> \u2014 {'it goes' if new == 1 else 'they go'} "
            f"into the next fine-tune.")


def used_words(counts: dict) -> str:
    """How the last finished run used the ratings there are now: the held-out ones tested it,
    they did not teach it ("Run 1 used all of them: 9 to learn from, 4 to test the result")."""
    run, trained, held = counts.get("last_run"), counts.get("last_run_trained"), counts.get("last_run_heldout")
    if trained is None or held is None:
        return f"Run {run} already used all of them"
    if not held:
        return f"Run {run} learned from all of them"
    # the figures count examples: where they are not the ratings the line counted, "12 to learn from, 2 to
    # test" under "15 ratings in all" read as a miscount (usertest 24, usertest 40), so they say why
    ratings, examples = rating_count(counts), trained + held
    unit = f", {ratings} ratings as {counted(examples, 'example')}{_examples_why(counts, examples - ratings)}"
    return (f"Run {run} used all of them{unit if examples != ratings else ''}: {trained} to learn from, "
            f"{held} to test the result")


def _examples_why(counts: dict, more: int) -> str:
    """Why a run's examples are not its ratings (``more`` examples than ratings, or fewer): a liked and a
    disliked answer to one question also train as a pair; the tokens rated in one answer train together."""
    reasons = []
    if more < 0 and _count(counts, "token_ratings") > 1:
        reasons.append("the tokens rated in one answer are one example")
    if more > 0 and _count(counts, "sibling_pairs"):
        reasons.append("a liked and a disliked answer to one question are also a pair")
    return f" ({'; '.join(reasons)})" if reasons else ""

def nothing_new(counts: dict) -> bool:
    """A finished run has already seen every rating there is: another would train on the same."""
    return counts.get("last_run") is not None and counts.get("new_since_run") == 0


def retrained_run(counts: dict) -> int | None:
    """The finished run that already trained on every rating there is, so a click would train on the
    same again: the previous run (``nothing_new``), or a newer one after it (a run discarded after the
    adapter in use was made saw what is new since that adapter's run: the tab counts those as new, yet
    a click would repeat the discarded run); None when a run would learn something new."""
    if nothing_new(counts):
        return counts["last_run"]
    return counts["newer_run"] if _newer_run_had_all(counts) else None


def _newer_run_had_all(counts: dict) -> bool:
    return counts.get("newer_run") is not None and counts.get("new_since_newer") == 0


def _newer_fate(counts: dict) -> str:
    """" and was discarded", or what became of a kept newer run's adapter (not the one in use)."""
    if counts.get("newer_run_status") == "discarded":
        return " and was discarded"
    adapter = counts.get("newer_run_adapter")
    return f"; its {adapter_name(adapter)} is in the history, not in use" if adapter is not None else ""


def train_again_tip(counts: dict, settings: FineTuneSettings | None = None) -> str:
    """The train button's tooltip when a click would train on the same ratings again ('' otherwise);
    with other ``settings`` than that run's, that they differ and a click trains with them."""
    run = retrained_run(counts)
    if run is None:
        return ""
    said = used_words(counts) if nothing_new(counts) else f"Run {run} already trained on all of them"
    changed = changed_settings(counts, settings)
    if changed:
        return f"{said}. Your settings differ from run {run}'s ({and_list(changed)}): a click trains on them with yours"
    return f"{said}: rate more to teach something new (a click asks before training on the same ones again)"


# the Advanced settings by their labels; another setting by its name
SETTING_WORDS = {"epochs": "epochs", "max_steps": "at most steps", "lr": "learning rate",
                 "heldout_fraction": "held out"}
# what each Advanced setting does, its tooltip: "auto" and "Held out 20 %" said nothing of what they were (usertest40)
SETTING_TIPS = {
    "epochs": "How many times training goes through your ratings. auto: the number of steps is chosen from "
              "how many ratings there are.",
    "max_steps": "The most training steps a run takes, whatever the epochs ask: a cap on how long it trains.",
    "lr": "How far each training step moves the model. auto: the rate measured to learn ratings without "
          "making general text less fluent; a larger one learns faster and is more often discarded.",
    "heldout_fraction": "The share of your rated questions kept out of training (at most 16) to check the "
                        "result on: it is kept only if your answers gain on ratings it never trained on.",
}


def changed_settings(counts: dict, settings: FineTuneSettings | None) -> list[str]:
    """The settings that differ from those of the run a click would repeat (``retrained_run``), in
    words; [] when there is no such run or no ``settings`` are given."""
    run = retrained_run(counts)
    if run is None or settings is None:
        return []
    recorded = counts.get("last_run_settings" if nothing_new(counts) else "newer_run_settings")
    return [SETTING_WORDS.get(name, name.replace("_", " ")) for name in settings_changes(recorded, settings)]


def repeated_run(counts: dict, settings: FineTuneSettings) -> int | None:
    """The finished run a click with ``settings`` would repeat: it trained on every rating there is
    (``retrained_run``) with the same settings; None when a run would learn something new, or train
    otherwise (the question "would most likely be discarded again" was asked after the learning rate
    had changed)."""
    return None if changed_settings(counts, settings) else retrained_run(counts)


def same_ratings_words(counts: dict) -> tuple[str, str]:
    """The question before a run on ratings a finished run already trained on, and its detail."""
    total = _count(counts, "total")
    same = f"Train again on the same {counted(total, 'example')}?"
    rated = {"answer": "answers", "continuation": "continuations", "one": "answers or continuations,"}
    teach = f" To teach something new, rate more {rated[made_noun(counts)]} or write better ones first."
    if nothing_new(counts):
        took = duration_words(counts.get("last_run_seconds"))
        return (f"Nothing is new since run {counts['last_run']}. {same}",
                used_words(counts) + (f", and it took {took}" if took else "") + ". A new run takes about as long." + teach)
    run, reason = counts["newer_run"], counts.get("newer_run_reason")
    discarded = counts.get("newer_run_status") == "discarded"
    question = f"Run {run} already trained on these ratings{_newer_fate(counts)}"
    if discarded and reason:  # the card's words, not the gate's "->" and five-digit figures (ux42)
        reason = why_words(reason, {"heldout_size": counts.get("newer_run_heldout")})
    question += (f": {reason}. " if discarded and reason else ". ") + same
    start, active = counts.get("newer_run_from"), counts.get("active_adapter_id")
    if start == active:
        outcome = "be discarded again" if discarded else "make the same adapter again"
        detail = (f"A new run starts from {_start_words(active)} too, on the same ratings: with the same settings "
                  f"it would most likely {outcome}.")
    else:
        detail = f"Run {run} started from {_start_words(start)}; a new run starts from {_start_words(active)}, on the same ratings."
    took = duration_words(counts.get("newer_run_seconds"))
    return question, detail + (f" Run {run} took {took}; a new run takes about as long." if took else "") + teach


def _start_words(adapter: int | None) -> str:
    return adapter_name(adapter)
