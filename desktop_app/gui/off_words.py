"""Why a control is off, in words, free of Qt: the tooltips of Text mode's bar and branch buttons,
the inspector's "Continue with …", an answer card's ‹ › arrows and "Explain this token", each
changing with the reason it is off (usertest 10 had to guess why a greyed button would not press).
The chat's prompt row (Send, Regenerate, Stop, the model button) too. The widgets set them
(gui/tips.retip), tests read them without widgets."""

from __future__ import annotations

from dataclasses import dataclass

# what a control waiting for a running answer or continuation says, then what it does once it ends
_WRITING = "{} is being written: wait for it, or Stop it (Esc), "
ANSWERING = _WRITING.format("An answer")
WRITING = _WRITING.format("A continuation")

# a model loaded while a fine-tune runs would replace the model the run trains from (and whose adapter it will
# put on): the model dialog's Load, "Explain again with Exact weights" and every other load wait for the run
FINETUNE_HOLDS_MODEL = ("A fine-tune is running on this model: cancel it or wait for it to end, then load another "
                        "(the run trains from the model in use, and its adapter is for that model).")

# ------------------------------------------------------------ the chat's prompt row

@dataclass(frozen=True)
class ButtonsFacts:
    """What the row's buttons follow: an answer being written, a model (loaded or on its way),
    text in the box, a prompt in the conversation to answer again, a model loaded, a model loading."""

    answering: bool = False
    model: bool = False
    has_text: bool = False
    has_prompt: bool = False
    loaded: bool = False
    loading: bool = False


def send_tip(facts: ButtonsFacts) -> str:
    if facts.answering:
        return ANSWERING + "to send another prompt"
    if not facts.model:
        return "Choose a model first (the model button on the left)"
    if not facts.has_text:
        return "Type a prompt first; then Enter or Ctrl+Enter sends it"
    return "Send (Enter or Ctrl+Enter)"


def regenerate_tip(facts: ButtonsFacts) -> str:
    if facts.answering:
        return ANSWERING + "to ask for another"
    if not facts.loaded:
        return "Load a model first"
    if not facts.has_prompt:
        return "Nothing to answer again yet: send a prompt first"
    return "Another answer to the last prompt (kept as a sibling)"


def stop_tip(facts: ButtonsFacts) -> str:
    return "Stop the answer (Esc)" if facts.answering else "Nothing to stop: no answer is being written"


def model_tip(facts: ButtonsFacts, name: str) -> str:
    """The model button: off while an answer is written or a model loads."""
    if facts.answering:
        return ANSWERING + "to choose another model"
    if facts.loading:
        return "A model is loading: wait for it to finish, then choose another if you like"
    return f"Choose the model (in use: {name})" if name != "Model\u2026" else "Choose the model"


# ------------------------------------------------------------ Text mode


@dataclass(frozen=True)
class TextFacts:
    """What Text mode's buttons follow: a continuation being written, a text being opened, the
    branch shown being a continuation (not the main text)."""

    continuing: bool = False
    opening: bool = False
    on_continuation: bool = False
    empty: bool = False  # the text is empty or only blanks: Continue has nothing to go on from


CONTINUE_TIP = ("Let the model continue the text from the cursor (Ctrl+Enter): a new branch; the text after the "
                "cursor stays in its own branch")
TEXT_STOP_TIP = "Stop the continuation (Esc)"
TEXT_REGENERATE_TIP = "Another continuation in place of the one shown (a sibling branch)"
OPENING = "A text is being opened: wait a moment, "


def _busy_words(facts: TextFacts, then: str) -> str | None:
    """The busy reason with what the button does once it ends, or None when nothing runs."""
    if facts.continuing:
        return WRITING + then
    if facts.opening:
        return OPENING + then
    return None


# ux42: Continue on an empty text wrote junk from nothing, with no word of why; the tab's other buttons
# say "Nothing to …" when they have nothing to work on (export, regenerate, rate)
NOTHING_TO_CONTINUE = "Nothing to continue: write or paste a text first, and the model goes on from it"


def continue_tip(facts: TextFacts) -> str:
    return _busy_words(facts, "to continue again") or (NOTHING_TO_CONTINUE if facts.empty else CONTINUE_TIP)


def text_stop_tip(facts: TextFacts) -> str:
    return TEXT_STOP_TIP if facts.continuing else "Nothing to stop: no continuation is being written"


def text_regenerate_tip(facts: TextFacts) -> str:
    return _busy_words(facts, "to ask for another") or (TEXT_REGENERATE_TIP if facts.on_continuation else
                                                        "Nothing to regenerate: the main text is shown. Continue "
                                                        "it first, or click a continuation above")


def rate_branch_tip(facts: TextFacts, on_tip: str) -> str:
    """Thumbs and Better… on the branch panel: off while a continuation is written, or on the main text."""
    if facts.continuing or facts.opening:
        return _busy_words(facts, "to rate it")
    return on_tip if facts.on_continuation else ("Nothing to rate: the main text is shown. Continue it first, or "
                                                 "click a continuation above")


def rate_continuation_tip(words: str) -> str:
    """A Text continuation's thumb: what it rates. On a branch of a branch a writer could not tell whether the
    thumb took the whole path or the shown continuation alone (usertest51)."""
    return (f"This continuation is {words}: fine-tuning learns from its own words only (as plain text), read after "
            "the text before it (the main text and the branches it grew from), which it does not rate")


def documents_tip(facts: TextFacts, on_tip: str) -> str:
    """Your texts, New and Open…: another text waits until the one being written or opened is done."""
    return _busy_words(facts, "to show another text") or on_tip


CHANGE_NAME = "Fine-tune's change: colours the text by what your fine-tune changed"
CHANGE_TIP = (f"{CHANGE_NAME}, how much more (green) or less (purple) likely the adapter in use makes each token "
              "than the base model (the text is read twice: under the adapter, then under the base model)")


def change_tip(*, loaded: bool, adapter: bool) -> str:
    """The Text tab's "Fine-tune's change": off without a model, or on the base model (no adapter). Each form starts
    with its name and what it does: in a narrow tab the button is an arrow alone, and a writer looking for
    "Fine-tune's change" hovered it and read "Off: no adapter is on…", which named neither (usertest70)."""
    if not loaded:
        return f"{CHANGE_NAME}. Load a model first; then, with an adapter on, this shows what the fine-tune changed"
    if not adapter:
        return (f"{CHANGE_NAME}. Off: no adapter is on, this is the base model, so there is no change to show. "
                "Fine-tune it, or choose an adapter in the Fine-tune tab's history")
    return CHANGE_TIP


# ------------------------------------------------------------ the inspector's "Continue with …"

BRANCH_TIP = "Continue the answer from the alternative picked above, as a new branch (a sibling of this answer)"
TEXT_BRANCH_TIP = "Continue the text from the alternative picked above, as a new branch"


def branch_tip(*, picked: bool, same: bool, in_text: bool) -> str:
    """``picked``: an alternative is chosen in the chart; ``same``: it is the token already there."""
    if not picked:
        return "Pick another alternative in the chart above first"
    if same:
        return "That is the token already here: pick another alternative in the chart above"
    return TEXT_BRANCH_TIP if in_text else BRANCH_TIP


# a Text token's branch and "Why this token?" wait for what runs on its text (text58: greyed, with no reason,
# during an analysis; "once the continuation ends" said after it had ended): the words follow the state
BRANCH_AFTER_WRITING = WRITING + "to continue from this alternative: it is on again once that ends"
BRANCH_AFTER_ANALYSIS = ("The text changed since these colours: continuing from this alternative is available once "
                         "the analysis ends")
EXPLAIN_AFTER_WRITING = ("Explanations are for a finished text: this token can be explained here once the "
                         "continuation ends and its colours are back.")
EXPLAIN_AFTER_ANALYSIS = ("The text is being analysed: this token can be "
                          "explained here once its colours are back.")
EXPLAIN_AFTER_CHANGE = ("These colours are not from the text as it is now (it changed, or its analysis was "
                        "stopped): click the token again once the colours are back.")


def text_branch_wait(*, continuing: bool, text_changed: bool) -> str | None:
    """What a Text token's "Continue with …" waits for (None: it can run now). A running analysis of the
    text shown does not hold it: the branch waits its turn on the model's lane."""
    if continuing:
        return BRANCH_AFTER_WRITING
    return BRANCH_AFTER_ANALYSIS if text_changed else None


def text_explain_wait(*, continuing: bool, analysing: bool) -> str:
    """Why a Text token cannot be explained yet, in the state the text is in now."""
    if continuing:
        return EXPLAIN_AFTER_WRITING
    return EXPLAIN_AFTER_ANALYSIS if analysing else EXPLAIN_AFTER_CHANGE


# ------------------------------------------------------------ an answer card's ‹ › arrows

def sibling_tip(step: int, position: int, count: int, *, answering: bool) -> str:
    """``step``: -1 for ‹, +1 for ›; ``position`` of ``count`` answers to this prompt."""
    on = "Previous answer to this prompt" if step < 0 else "Next answer to this prompt"
    if answering:
        return ANSWERING + "to see this prompt's other answers"
    if step < 0 and position <= 1:
        return f"This is the first of {count} answers to this prompt: \u203a shows the next"
    if step > 0 and position >= count:
        return f"This is the last of {count} answers to this prompt: \u2039 shows the previous"
    return on


# ------------------------------------------------------------ "Explain this token"

EXPLAIN_KEYS = "Ctrl+I"  # (text71) bound in shortcuts.bind; "I" as in inspect: the inspector's section, in Chat and Text
EXPLAIN_TIP = f"What each layer predicted, which earlier tokens led here, and what the sampler did ({EXPLAIN_KEYS})"
NO_TOKEN_TO_EXPLAIN = (f"{EXPLAIN_KEYS} explains the selected token (“Why this token?”): click a token of an "
                       "answer or of the coloured text first")
EXPLAINING_TIP = "This token is being explained: the figures come below. Cancel (by the bar) stops it"
RATE_BAD_TIP = ("The same rating as the token menu's \u201cbad\u201d: the next fine-tune learns to make this token "
                "less likely here")
RATED_BAD_TIP = "This token is rated bad already: the rating buttons above, or the token menu, take it back"


# ------------------------------------------------------------ the adapter history's buttons

EXPORT_TIP = ("Save the selected adapter for other tools: GGUF (llama.cpp, LM Studio, Ollama), a merged "
              "transformers model, or a PEFT folder")
IMPORT_TIP = ("Add a PEFT adapter trained elsewhere for this model; it is judged like a fine-tune here and you "
              "choose whether to use it")
REPORT_TIP = ("What the fine-tune that made the selected adapter measured: the margin, the perplexity and the "
              "answers before and after")
BASE_TIP = "Chat with the base model (no adapter); adapters are kept"
HISTORY_BUSY = "Load a model first, or wait for the fine-tune to finish"


@dataclass(frozen=True)
class HistoryFacts:
    """What the history's buttons follow: no model or a fine-tune running (``busy``), an adapter
    selected, its files missing, it being the one in use, an adapter in use at all."""

    busy: bool = False
    selected: bool = False
    missing: bool = False
    selected_in_use: bool = False
    adapter_in_use: bool = False


def history_tips(facts: HistoryFacts) -> dict[str, str]:
    """Each selection button's tooltip (``use``, ``base``, ``delete``, ``export``, ``import``,
    ``report``), saying why where it is off; Roll back's is the panel's (it names the adapters)."""
    f = facts
    return {
        "use": HISTORY_BUSY if f.busy else "Select an adapter in the list to chat with it" if not f.selected
        else "This adapter's files are missing: it cannot be used" if f.missing
        else "The selected adapter is the one in use" if f.selected_in_use else "Chat with the selected adapter",
        "base": HISTORY_BUSY if f.busy else BASE_TIP if f.adapter_in_use
        else "The base model is in use already (no adapter)",
        "delete": HISTORY_BUSY if f.busy else "Select an adapter in the list to delete it" if not f.selected
        else "This adapter is in use: switch to another model or the base model first, then delete it"
        if f.selected_in_use else "Delete the selected adapter (not the one in use)",
        "export": "Select an adapter in the list to export it" if not f.selected
        else "This adapter's files are missing: there is nothing to export" if f.missing else EXPORT_TIP,
        "import": HISTORY_BUSY if f.busy else IMPORT_TIP,
        "report": REPORT_TIP if f.selected else "Select an adapter in the list to see its run's report",
    }


# ------------------------------------------------------------ settings a running task holds

TRAINING_SETTING_TIP = "A run is training with these settings: change them once it ends, or Cancel it"
EXPORT_NOW_TIP = "Write the adapter in the chosen format to the chosen place"
EXPORTING_TIP = "The export is running: wait for it, or Cancel it"
EXPORTED_TIP = "Exported: choose another format or place, then Export again"
EXPORT_FIELD_TIP = "The export is running with this choice: Cancel it to change it"


# ------------------------------------------------------------ the View toolbar's panel toggles

def panel_toggle_tip(words: str, keys: str, *, away: bool) -> str:
    """A panel toggle; ``away``: the mode in front has no such panel (Text mode: the conversations)."""
    if away:
        return f"Text mode has no {words.lower()} panel: it and its toggle ({keys}) are back in Chat mode"
    return (f"Show or hide the {words.lower()} ({keys}). Hidden here, it stays hidden; folded away by a narrow "
            "window, it comes back when the window widens.")


# ------------------------------------------------------------ the conversation list

NEW_CONVERSATION_TIP = "New conversation (Ctrl+N)"


def conversation_tips(answering: bool) -> dict[str, str]:
    """The conversation list's parts (``new``, ``search``, ``list``, ``item``: added under each
    conversation's own tooltip), off while an answer is written: another would show mid-answer."""
    if not answering:
        return {"new": NEW_CONVERSATION_TIP, "search": "", "list": "", "item": ""}
    return {"new": ANSWERING + "to start a new conversation", "search": ANSWERING + "to search the conversations",
            "list": ANSWERING + "to open another conversation", "item": ANSWERING + "to open another conversation"}
