"""A whole conversation as one self-contained HTML page: every turn of the branch in order, each answer on its
tokens' colours with the box of figures the single-answer page has (core/heatmap_html.py's pieces), a prompt
coloured too where it was scored and plain where not, who wrote each answer (model and adapter, by the name
the person gave it), its rating (▲ ▼) and the better answer the person wrote under it.

`gpt2-desk history ID --export FILE.html` and the window's conversation export write it
(core/conversation_export.conversation_text, kind "html")."""

from __future__ import annotations

import html

from desktop_app.core.adapters import stored_label
from desktop_app.core.conversation_export import ending_note, full_title
from desktop_app.core.heatmap_html import (ChangeColours, change_key_html, figures_list, json_for_script, key_html,
                                           page_html, text_html)
from desktop_app.core.piece_words import model_short_name
from desktop_app.core.records import joined_text

TURN_STYLE = """
.turn{margin:1.2em 0;padding:.2em 0 .2em .9em;border-left:3px solid #8884}
.turn.you{border-left-color:#0a64d8aa}
.turn h2{font-size:.95em;margin:0 0 .3em;color:#555}
.turn .rate,.turn .note{font-size:13px;color:#555;margin:.4em 0 0}
.turn .better{margin:.5em 0 0;padding:.3em .7em;background:#8881;border-radius:4px}
.turn .better h3{font-size:13px;margin:0 0 .2em}
@media (prefers-color-scheme:dark){.turn h2,.turn .rate,.turn .note{color:#aaa}}
"""
CHANGE = "change"  # the measure that colours an answer by what another adapter's re-scoring changed
CHANGE_SCALE = 2.0  # nats: a token made e^2 (7.4) times more or less likely takes the full colour
RATING_WORDS = {1: "\u25b2 You rated this answer good.", -1: "\u25bc You rated this answer bad."}


def conversation_html(title: str, turns: list[dict], measure: str = "probability") -> str:
    """The page. ``turns``: the branch's messages in order, each with its ``records`` (its tokens' figures; [] for
    text never scored: shown plain), ``author`` (words), ``rating`` (+1/-1/None) and ``better`` (the person's
    better answer or None); under ``measure`` "change" also ``change`` (a ChangeColours, or None: coloured by
    probability)."""
    title = full_title(title, turns)
    scored = [t for t in turns if t["records"]]
    body = "".join(turn_html(t, measure) for t in turns)
    head = (f"<h1>{html.escape(title)}</h1>\n<p class=\"by\">{len(turns)} message{'' if len(turns) == 1 else 's'}. "
            "Hover a coloured token, tab to it or tap it for its figures; the arrow keys go on to the next.</p>\n")
    key = page_key(scored, measure) + "\n" if scored else ""
    figures = [figure for t in scored for figure in figures_list(t["records"], t.get("change"))]
    return page_html(title, f"{head}{body}{key}", json_for_script(figures), style=TURN_STYLE)


def page_key(scored: list[dict], measure: str) -> str:
    """The key under the page: the measure's; under "change", the change's (and probability's for the turns
    without one)."""
    if measure != CHANGE:
        return key_html(measure)
    changes = [t["change"] for t in scored if t.get("change") is not None]
    unchanged = len(changes) < len(scored)
    return ((change_key_html(changes[0]) if changes else "") + ("\n" if changes and unchanged else "")
            + (key_html("probability") if unchanged else ""))


def turn_html(turn: dict, measure: str) -> str:
    """One message: who wrote it, its text (coloured where it has records), its rating, why it is not whole, and
    the person's better answer."""
    you = turn["role"] != "assistant"
    shown = "probability" if measure == CHANGE else measure  # a turn without a change: its own figures' colours
    text = (text_html(turn["records"], shown, unscored_prefix(turn["text"], turn["records"]), turn.get("change"))
            if turn["records"] else f"<div class=\"text\">{html.escape(turn['text'])}</div>")
    parts = [f"<section class=\"turn{' you' if you else ''}\">\n<h2>{html.escape(turn['author'])}</h2>\n{text}\n"]
    if turn.get("rating") in RATING_WORDS:
        parts.append(f"<p class=\"rate\">{RATING_WORDS[turn['rating']]}</p>\n")
    if ending_note(turn):
        parts.append(f"<p class=\"note\">{html.escape(ending_note(turn))}</p>\n")
    if turn.get("better"):
        parts.append(f"<div class=\"better\"><h3>Your better answer</h3><div class=\"text\">"
                     f"{html.escape(turn['better'].strip())}</div></div>\n")
    return "".join(parts) + "</section>\n"


def unscored_prefix(text: str, records: list) -> str:
    """The start of a scored text no record covers (its first token, which nothing predicts), so the page shows
    the message whole; "" where the records are the whole text (an answer as written)."""
    covered = joined_text(records)
    return text[:len(text) - len(covered)] if covered and text.endswith(covered) else ""


def page_turns(store, thread: list[dict], ratings: dict, corrections: dict, measure: str = "probability") -> list[dict]:
    """``thread``'s messages as ``conversation_html`` takes them, their records and adapters' names read from
    ``store``; under ``measure`` "change" an answer re-scored under another adapter shows that scoring, coloured
    by its change from the answer as written."""
    turns = [dict(m, records=stored_records(store, m), author=turn_author(store, m), rating=ratings.get(m["id"]),
                  better=corrections.get(m["id"]), change=None) for m in thread]
    if measure == CHANGE:
        for turn in turns:
            found = answer_change(store, turn)
            if found is not None:
                turn["records"], turn["change"] = found
    return turns


def answer_change(store, message: dict):
    """(the records of ``message``'s newest re-scoring under another adapter than the one that wrote it, their
    ChangeColours against the answer as written); None without such a scoring of the same tokens (the compare
    view's, after a fine-tune)."""
    written = store.token_records(message["id"]) if message["role"] == "assistant" else []
    others = [s for s in store.record_sets(message["id"])
              if s["kind"] == "rescored" and s["adapter_id"] != message.get("adapter_id")]
    if not written or not others:
        return None
    newest = max(others, key=lambda s: str(s["created"]))
    after = store.token_records(message["id"], kind="rescored", adapter_id=newest["adapter_id"],
                                model_id=newest["model_id"])
    if [r.id for r in after] != [r.id for r in written]:
        return None
    before_name, after_name = stored_label(store, message.get("adapter_id")), stored_label(store, newest["adapter_id"])
    caption = (f"Colours: each answer's change, as written ({before_name}) against its re-scoring ({after_name}); "
               f"full colour at \u00b1{CHANGE_SCALE:g} nats")
    return after, ChangeColours([a.logprob - b.logprob for a, b in zip(after, written)], [b.prob for b in written],
                                CHANGE_SCALE, before_name, after_name, caption)


def stored_records(store, message: dict) -> list:
    """The records a page colours a message with: an answer's as written; else (a prompt, an imported answer)
    its newest scoring, under whatever adapter; [] where it was never scored."""
    records = store.token_records(message["id"])
    if records:
        return records
    sets = [s for s in store.record_sets(message["id"]) if s["kind"] == "rescored"]
    if not sets:
        return []
    newest = max(sets, key=lambda s: str(s["created"]))
    return store.token_records(message["id"], kind="rescored", adapter_id=newest["adapter_id"],
                               model_id=newest["model_id"])


def turn_author(store, message: dict) -> str:
    """"You", or the answer's model by its short name (no folder of this computer) and its adapter by name."""
    if message["role"] != "assistant":
        return "You"
    model = model_short_name(message.get("model_id") or "the model")
    return f"{model} ({stored_label(store, message.get('adapter_id'))})"
