"""An answer's words on its card, Qt-free: who wrote it (the model and the adapter, and a branch's
first writer), its meta line ("23 tokens · stopped · 9.1 tok/s") and the notes under a cut answer."""

from __future__ import annotations

from desktop_app.core.adapters import adapter_name
from desktop_app.core.count_words import counted
from desktop_app.core.drafts import INTERRUPTED_WORDS, is_interrupted, stopped_unstarted
from desktop_app.core.sampler_words import GREEDY_MEANT, settings_words
from desktop_app.core.session import written_by_its_writer
from desktop_app.core.speed_words import per_second
from desktop_app.gui.unwritten_words import has_writer, unwritten_author

FINISH_WORDS = {"eos": "finished", "stop": "finished", "length": "reached the token limit",
                "context": "filled the context window", "cancelled": "stopped"}
STOPPED_WORDS = "You stopped this answer before it ended."
UNANSWERED_WORDS = "No answer yet: the app closed, or the answer was stopped, before it began."
STOPPED_UNANSWERED_WORDS = "No answer yet: you stopped it before it began."  # (Esc or Stop, this session)
# a prompt left without an answer and then followed by another: the model reads the two as one message
# (core/prompts.join_unanswered), and the earlier one lost its note with nothing said (usertest52)
READ_WITH_NEXT_WORDS = "No answer of its own: the model read it together with your next prompt."
# an answer asked for before the model has loaded (the first start: minutes of converting) showed nothing
# under the question; the status bar's words were far from it (usertest21)
WAITING_FOR_MODEL_WORDS = "Waiting for the model to load: the answer starts then (the status bar shows how far it is)."
# an answer asked for while the Text tab's continuation has the model: it waits its turn on the model, and its
# question had nothing under it saying why (leftovers56)
WAITING_FOR_TEXT_WORDS = ("Waiting for the Text tab's continuation to end: the model writes one thing at a time, "
                          "and this answer starts then.")
STOPPED_UNSTARTED_WORDS = "You stopped this answer before its first token. Regenerate asks again."
# an answer cut at Max new tokens ends mid-sentence like a stopped one, and goes on the same way (usertest 19:
# "… only under specific conditions such as those" with "token limit" in the header and no way on)
TOKEN_LIMIT_WORDS = "Cut at the token limit (Max new tokens, in Settings)."


def answer_author(message: dict | None, loaded) -> tuple[str, str]:
    """(short title, full tooltip) naming the model AND the adapter that wrote an answer;
    ``message`` None: the answer streaming now, from ``loaded`` as it is."""
    if not has_writer(message):  # imported: the model in use did not write it
        return unwritten_author(message)
    if message is None:
        model_id = getattr(loaded, "model_id", None) or ""
        adapter = getattr(loaded, "adapter_id", None)
    else:
        model_id, adapter = message.get("model_id") or "", message.get("adapter_id")
    if loaded is not None and (not model_id or model_id == loaded.model_id):
        full = loaded.source.display_name
    else:
        full = model_id.split(":", 1)[-1].split("/")[-1] or "Assistant"
    short = full.split(" (")[0]  # "SmolLM2-135M-Instruct (bundled, offline)": the name is enough here
    which = writer_words(adapter)
    title, tip = f"{short} \u00b7 {which}", f"Written by {full}, {'the ' if adapter is None else ''}{which}"
    if message is None or written_by_its_writer(message):
        return title, tip
    return branch_author(message, short, full)


def branch_author(message: dict, short: str, full: str) -> tuple[str, str]:
    """A branch from another writer's answer: its shared tokens are that writer's, shown with
    their figures (usertest 8, C3: the card credited them all to the adapter that went on)."""
    settings, adapter = message["settings"], message.get("adapter_id")
    first, which = settings["prefix_writer"], writer_words(adapter)
    before = writer_words(first.get("adapter_id"))
    shared = counted(int(settings.get("branched_at") or 0), "token")
    if not first.get("model_id"):  # a branch from an imported answer: no model wrote its first tokens
        return (f"{short} \u00b7 imported text, then {which}",
                f"Its first {shared}: the imported answer's (shown with its scoring's figures); the rest "
                f"written by {full}, {'the ' if adapter is None else ''}{which}")
    if first.get("model_id") != message.get("model_id"):
        before = f"{(first.get('model_id') or '').split(':', 1)[-1].split('/')[-1]} {before}"
    return (f"{short} \u00b7 {before}, then {which}",
            f"The first {shared} were written by {'the ' if first.get('adapter_id') is None else ''}{before} "
            f"(shown with its figures); the rest by {full}, {'the ' if adapter is None else ''}{which}")


def writer_words(adapter: int | None) -> str:
    return "base model" if adapter is None else adapter_name(adapter)  # ("the" goes where the sentence wants it)


def was_stopped(message: dict | None) -> bool:
    """A stored answer the person stopped (Stop or Esc) before it ended."""
    return bool(message) and (message.get("settings") or {}).get("finish_reason") == "cancelled"


def hit_token_limit(message: dict | None) -> bool:
    """A stored answer cut at Max new tokens (not one that filled the context: that cannot go on)."""
    return bool(message) and (message.get("settings") or {}).get("finish_reason") == "length"


def answer_meta(message: dict | None, records) -> str:
    settings = (message or {}).get("settings") or {}
    parts = [counted(len(records), "token")]
    if is_interrupted(message) and not stopped_unstarted(message):  # (stopped: said by its finish reason)
        parts.append(INTERRUPTED_WORDS)
    reason = settings.get("finish_reason")
    if reason in FINISH_WORDS and reason not in ("eos", "stop"):
        parts.append(FINISH_WORDS[reason])
    if settings.get("branched_at") is not None:
        parts.append(f"branched at token {settings['branched_at'] + 1}")
    if settings.get("tokens_per_s"):
        parts.append(f"{per_second(settings['tokens_per_s'])} tok/s")
    return " \u00b7 ".join(parts)


def written_with_words(message: dict | None) -> str:
    """The sampling settings an answer was written with, as Settings names them, for the meta line's tooltip:
    a student who changed the temperature between answers could not tell which answer had which (usertest69).
    "" where none are stored (an imported answer)."""
    settings = (message or {}).get("settings") or {}
    if "temperature" not in settings:
        return ""
    said = settings_words(settings["temperature"], settings.get("top_k") or "off",  # 0: off, as Settings shows it
                          settings.get("top_p", 1.0), greedy=settings.get("greedy") or settings["temperature"] <= 0,
                          min_p=settings.get("min_p"), repetition_penalty=settings.get("repetition_penalty", 1.0),
                          greedy_said=GREEDY_MEANT)
    seed = settings.get("seed")
    said += f", seed {seed}" if seed is not None and not settings.get("greedy") else ""
    return f"Written with {said}. (Settings changes apply to the next answer.)"


def with_settings(tip: str, message: dict | None) -> str:
    """A card's header tooltip (its author, its meta line) with the settings that wrote the answer under it: at
    1024 px the meta line gives way, and the author's label is what is left to point at."""
    written_with = written_with_words(message)
    return f"{tip}\n{written_with}" if written_with else tip

