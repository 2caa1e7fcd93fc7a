"""A conversation -> the model's input ids, fitted to the context window.

Models with a chat template use it; base GPT-2 gets a plain "User:/Assistant:" transcript
and stop sequences so it does not write the user's next turn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_app.core.count_words import counted
from desktop_app.core.errors import PromptTooLongError

USER_PREFIX = "User: "
ASSISTANT_PREFIX = "Assistant:"
TRANSCRIPT_STOPS = ("\nUser:", "\nAssistant:")
MIN_ANSWER_BUDGET = 16
END_OF_TEXT = "<|endoftext|>"


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant"
    text: str


@dataclass(frozen=True)
class PromptInput:
    ids: list[int]
    text: str
    stop_sequences: tuple[str, ...]
    max_new_tokens: int  # the answer budget that fits after these ids
    dropped_turns: int = 0  # oldest turns left out to fit the window
    truncated_tokens: int = 0  # tokens cut from the middle of the newest prompt
    joined_prompts: int = 0  # earlier prompts left without an answer, read as one turn with the newest

    @property
    def notice(self) -> str | None:
        """What the model read differently from the conversation on screen, in a sentence or two."""
        said = [s for s in (joined_words(self.joined_prompts), self._left_out_words()) if s]
        return " ".join(said) or None

    def _left_out_words(self) -> str | None:
        """What was left out, in one sentence ("turn(s)" and the reason said twice read clumsily)."""
        turns, tokens = self.dropped_turns, self.truncated_tokens
        parts = []
        if turns:
            parts.append("the oldest turn" if turns == 1 else f"the {turns:,} oldest turns")
        if tokens:
            parts.append(f"{counted(tokens, 'token', grouped=True)} from the middle of your prompt")
        if not parts:
            return None
        verb = "were" if len(parts) > 1 or turns > 1 or tokens > 1 else "was"
        kept = " (its start and end were kept)" if tokens else ""
        return f"To fit the context window, {' and '.join(parts)} {verb} left out{kept}."


def joined_words(joined: int) -> str | None:
    """The notice of prompts read together (usertest52: a prompt left without an answer, then the next
    one sent, and the model read two prompts in a row with nobody told)."""
    if not joined:
        return None
    earlier = "your earlier prompt, which has no answer," if joined == 1 else \
        f"your {joined:,} earlier prompts, which have no answer,"
    return f"The model read {earlier} together with this one, as one message."


PROMPTS_JOINER = "\n\n"  # prompts read as one turn stand apart as paragraphs


def join_unanswered(turns: list[Turn]) -> tuple[list[Turn], int]:
    """The turns with each run of the person's prompts in a row (an earlier one's answer never began:
    the app closed, or it was stopped before its first token) joined into one turn. A chat template
    wants user and assistant turns to alternate (some refuse two user turns in a row), and a plain
    transcript's "User:" twice reads as if the model had been asked to stay silent. Returns the
    turns and how many prompts were joined into a later one."""
    joined: list[Turn] = []
    merged = 0
    for turn in turns:
        if joined and turn.role == "user" and joined[-1].role == "user":
            joined[-1] = Turn("user", joined[-1].text.strip() + PROMPTS_JOINER + turn.text.strip())
            merged += 1
        else:
            joined.append(turn)
    return joined, merged


def thread_turns(thread: list[dict]) -> tuple[list[Turn], str | None]:
    """The turns before a thread's last message (the answer) and the system text its prompt
    was built with: the answer's own settings name it, else a system message of the thread."""
    system = (thread[-1].get("settings") or {}).get("system")
    turns = []
    for m in thread[:-1]:
        if m["role"] == "system":
            system = m["text"] if system is None else system
        else:
            turns.append(Turn(m["role"], m["text"]))
    return turns, system


def has_chat_template(tokenizer) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def render(tokenizer, turns: list[Turn], system: str | None = None) -> str:
    """The prompt text, ending where the assistant's answer begins."""
    if has_chat_template(tokenizer):
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": t.role, "content": t.text} for t in turns
        ]
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    lines = [system.strip() + "\n\n"] if system else []
    for turn in turns:
        if turn.role == "user":
            lines.append(f"{USER_PREFIX}{turn.text.strip()}\n")
        else:
            lines.append(f"{ASSISTANT_PREFIX} {turn.text.strip()}\n")
    lines.append(ASSISTANT_PREFIX)
    return "".join(lines)


def encode(tokenizer, text: str) -> list[int]:
    # the template already holds every special token it wants
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def plain_text_start(tokenizer) -> list[int]:
    """The token plain text (no chat template) is read after, as a list of one id or none:
    the tokenizer's ``<|endoftext|>`` when its vocabulary has it (GPT-2 read its training
    documents after it; SmolLM2 has it too), else its start-of-text token, else nothing.
    Without such a token the model predicts a text's second token from its first alone, with
    nothing to attend to but it: on SmolLM2-135M " upon" after "Once" ranked ~1050, after
    "<|endoftext|>Once" 25 (GLTR reads text after <|endoftext|> too). A chat model's start
    token (SmolLM2's ``<|im_start|>``) opens a chat turn, so ``<|endoftext|>`` comes first."""
    for token, known in ((END_OF_TEXT, None), (getattr(tokenizer, "bos_token", None),
                                                 getattr(tokenizer, "bos_token_id", None))):
        if not token:
            continue
        token_id = known if known is not None else tokenizer.convert_tokens_to_ids(token)
        # a token the vocabulary lacks comes back as the unknown token's id (or None)
        if isinstance(token_id, int) and tokenizer.convert_ids_to_tokens(token_id) == token:
            return [token_id]
    return []


def stop_sequences_for(tokenizer) -> tuple[str, ...]:
    return () if has_chat_template(tokenizer) else TRANSCRIPT_STOPS


def answer_ids(tokenizer, answer: str) -> list[int]:
    """Token ids of an answer as they follow the prompt (tokenized on its own, as generated)."""
    return encode(tokenizer, answer)


def build_prompt(tokenizer, turns: list[Turn], *, system: str | None = None,
                 context_window: int = 1024, max_new_tokens: int = 128) -> PromptInput:
    """Fit the conversation: drop the oldest turns (never the newest prompt), and cut the
    middle of a single over-long prompt (``cut_middle``); prompts in a row read as one turn
    (``join_unanswered``); the caller is told through ``notice``."""
    if not turns or turns[-1].role != "user":
        raise ValueError("the last turn must be the user's prompt")
    turns, joined = join_unanswered(turns)
    prompt = _fitted_prompt(tokenizer, turns, system, context_window, max_new_tokens)
    return replace(prompt, joined_prompts=joined) if joined else prompt


def _fitted_prompt(tokenizer, turns: list[Turn], system: str | None, context_window: int,
                   max_new_tokens: int) -> PromptInput:
    max_new_tokens = max(1, min(max_new_tokens, context_window // 2))
    budget = context_window - max_new_tokens
    stops = stop_sequences_for(tokenizer)
    kept = list(turns)
    dropped = 0
    while True:
        text = render(tokenizer, kept, system)
        ids = encode(tokenizer, text)
        if len(ids) <= budget:
            return PromptInput(ids, text, stops, max_new_tokens, dropped)
        if len(kept) == 1:
            break
        # drop a whole exchange so templates that need user/assistant alternation stay valid
        cut = 2 if len(kept) > 2 and kept[0].role == "user" and kept[1].role == "assistant" else 1
        kept = kept[cut:]
        dropped += cut
    newest = kept[0]
    overhead = len(encode(tokenizer, render(tokenizer, [Turn("user", "")], system)))
    room = budget - overhead
    if room < MIN_ANSWER_BUDGET:
        raise PromptTooLongError(
            f"The system text alone ({overhead} tokens) leaves no room in the {context_window}-token context window."
        )
    text_ids = encode(tokenizer, newest.text)
    cut_tokens = max(0, len(text_ids) - room + len(encode(tokenizer, CUT_MARK)))
    while True:  # re-tokenizing the cut text can merge differently: shrink until it fits
        short = cut_middle(tokenizer, text_ids, cut_tokens)
        text = render(tokenizer, [Turn("user", short)], system)
        ids = encode(tokenizer, text)
        if len(ids) <= budget:
            return PromptInput(ids, text, stops, max_new_tokens, dropped, cut_tokens)
        cut_tokens += max(1, len(ids) - budget)


CUT_MARK = "\n[...]\n"  # stands where the middle of an over-long prompt was cut
HEAD_SHARE = 4  # an over-long prompt keeps its first quarter (at most HEAD_LIMIT tokens) ...
HEAD_LIMIT = 256


def cut_middle(tokenizer, text_ids: list[int], cut: int) -> str:
    """The prompt's text without ``cut`` tokens from its middle: a pasted text usually comes
    with what to do with it, before it ("Summarize this: ...") or after it ("... what does
    this mean?"), so both ends are kept and the middle, the bulk of the pasted text, goes."""
    if cut <= 0:
        return tokenizer.decode(text_ids, clean_up_tokenization_spaces=False)
    kept = max(0, len(text_ids) - cut)
    head = min(kept // HEAD_SHARE, HEAD_LIMIT)
    tail = kept - head
    first = tokenizer.decode(text_ids[:head], clean_up_tokenization_spaces=False)
    last = tokenizer.decode(text_ids[len(text_ids) - tail:] if tail else [], clean_up_tokenization_spaces=False)
    return first + CUT_MARK + last
