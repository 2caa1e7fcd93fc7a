"""generate, chat, score, models: the model from the terminal, each token coloured by probability."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import signal
import sys
import threading
from pathlib import Path

from desktop_app.cli.common import (RECORD_FIELDS, CliError, TqdmProgress, load_model_for_cli, open_store, print_json,
                                    print_notice, record_id)
from desktop_app.cli.stdin_text import STDIN_HELP
from desktop_app.core.count_words import counted
from desktop_app.core.palette import color_for, text_color_on
from desktop_app.core.percent_words import percent
from desktop_app.core.records import RECORD_UNITS, TokenRecord
from desktop_app.core.speed_words import per_second


ASK_CTRL_C = ("Ctrl+C stops the answer at its next token and saves it as far as it got (finish_reason "
              "\"cancelled\"), with its id to rate, as chat's Ctrl+C; exit code 0. A second Ctrl+C before it stops "
              "ends at once: exit code 130, nothing saved.")
JSON_CTRL_C = ("on Ctrl+C the answer written so far, with \"interrupted\": true, \"error\" and \"exit_code\" "
               "130 (nothing is kept)")


def register(subparsers, common: argparse.ArgumentParser) -> None:
    _register_generate(subparsers, common)
    _register_ask(subparsers, common)
    _register_chat(subparsers, common)
    _register_score(subparsers, common)
    _register_models(subparsers, common)


def _register_generate(subparsers, common: argparse.ArgumentParser) -> None:
    """`generate`: an answer with every token's probability, kept only with --save."""
    gen = subparsers.add_parser("generate", parents=[common], help="answer a prompt, with every token's probability "
                                                                  "(kept only with --save; `ask` keeps it)")
    gen.add_argument("prompt", metavar="PROMPT", help=f"the question or text to answer (quote it; {STDIN_HELP})")
    add_sampling_options(gen)
    gen.add_argument("--json", action="store_true",
                     help=f"print one JSON object instead of coloured text ({RECORD_FIELDS}); {JSON_CTRL_C}")
    gen.add_argument("--system", help="system text placed before the conversation")
    gen.add_argument("--save", action="store_true", help="keep the prompt and answer in the database, and print "
                     "the answer's id to rate it (as `ask` does, Ctrl+C too; without it nothing is kept)")
    gen.add_argument("--conversation", type=record_id, help="with --save: add to this conversation")
    gen.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    gen.set_defaults(func=cmd_generate)


def _register_chat(subparsers, common: argparse.ArgumentParser) -> None:
    """`chat`: a conversation in the terminal, saved as it goes."""
    chat = subparsers.add_parser("chat", parents=[common],
                                 help="chat in the terminal (no display needed); saved as a conversation")
    add_sampling_options(chat)
    chat.add_argument("--system", help="system text placed before the conversation")
    chat.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    chat.add_argument("--no-save", action="store_true",
                      help="keep nothing (by default each answer is saved as it ends, in one conversation, and "
                           "its id said: `rate ID up` rates it)")
    chat.set_defaults(func=cmd_chat)


def _register_score(subparsers, common: argparse.ArgumentParser) -> None:
    """`score`: the probability of every token of a given text."""
    score = subparsers.add_parser("score", parents=[common], help="the probability of every token of a given text")
    score.add_argument("text", metavar="TEXT", help=f"the text to score (quote it; {STDIN_HELP}: `gpt2-desk score - < FILE`)")
    score.add_argument("--prompt", help="score TEXT as the answer to this prompt, formatted as generate formats it")
    score.add_argument("--system", help="system text (with --prompt)")
    score.add_argument("--alternatives", type=alternatives_count, default=10, metavar="K",
                       help="likeliest other tokens kept per position (default 10)")
    score.add_argument("--json", action="store_true",
                       help=f"print one JSON object with every token's numbers ({RECORD_FIELDS})")
    score.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    score.set_defaults(func=cmd_score)


def _register_models(subparsers, common: argparse.ArgumentParser) -> None:
    """`models`: the models on this machine, and readying the default one."""
    models = subparsers.add_parser("models", parents=[common], help="models available on this machine")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.add_argument("--prepare", action="store_true", help="also convert/download the default model now")
    models.add_argument("--install-copy", action="store_true",
                        help="convert the bundled model once beside the install, for every account (install.sh runs it)")
    models.set_defaults(func=cmd_models)


def _register_ask(subparsers, common: argparse.ArgumentParser) -> None:
    """`ask`: generate's answer, always kept, with its id and how to rate it: a person who generated, then
    wanted to `rate`, had no id (plain `generate` keeps nothing; cli59)."""
    ask = subparsers.add_parser("ask", parents=[common], epilog=ASK_CTRL_C, help="answer a question and keep it, printing the "
                                "answer's id and how to rate it (generate --save)",
                                description="Answer a question, every token coloured by its probability, and "
                                            "keep the exchange: its id is printed with the `rate` command that "
                                            "rates it. --conversation ID asks a follow-up in that conversation.")
    ask.add_argument("prompt", metavar="QUESTION", help=f"the question (quote it; {STDIN_HELP})")
    add_sampling_options(ask)
    ask.add_argument("--json", action="store_true", help="print one JSON object (with message_id) instead of "
                                                         f"coloured text ({RECORD_FIELDS})")
    ask.add_argument("--system", help="system text placed before the conversation")
    ask.add_argument("--conversation", type=record_id, metavar="ID",
                     help="a follow-up: answer after this conversation's newest message, and add to it")
    ask.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    ask.set_defaults(func=cmd_ask, save=True)


# why a generation ended, in words: its line had said "length", which named no option (usertest 25)
ENDINGS = {"eos": "the model ended it", "stop": "the model ended it", "length": "stopped at --max-new-tokens {limit}",
           "context": "stopped: the model's window is full", "cancelled": "stopped",
           "sentence": "ran on past --max-new-tokens {limit} to end its sentence"}  # (text continue's run-on)


def generation_summary(generation, asked: int | None = None) -> str:
    """The line under a generation: "[20 tokens, 3.0 tok/s, stopped at --max-new-tokens 20]". ``asked``: the
    --max-new-tokens given, where the prompt's room cut it (at most half the model's window): "--max-new-tokens
    100000" had ended "stopped at --max-new-tokens 64", a number nobody typed (cli63)."""
    reason = generation.finish_reason or ""
    limit = generation.settings.max_new_tokens
    ending = ENDINGS.get(reason, reason).format(limit=limit)
    if reason == "length" and asked is not None and asked > limit:
        ending = (f"stopped at {limit} tokens, the most an answer gets in this model's window "
                  f"(--max-new-tokens {asked} asked for more)")
    return f"[{len(generation.records)} tokens, {per_second(generation.tokens_per_s)} tok/s, {ending}]"


def alternatives_count(text: str) -> int:
    """argparse's type for --alternatives: -1 was taken in silence and kept none (usertest27)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0: give how many other tokens to keep (0 keeps none)")
    return value


def add_sampling_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-new-tokens", type=int, default=128, metavar="N",
                        help="the most tokens to write (default %(default)s)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="the seed of the sampling, which token is drawn at each step: the same seed, prompt and "
                             "settings give the same answer (default: a new one each time; nothing to seed with "
                             "--greedy or --temperature 0)")
    from desktop_app.core.generation import RECOMMENDED_SAMPLING

    parser.add_argument("--temperature", type=float, default=RECOMMENDED_SAMPLING["temperature"], metavar="T",
                        help="0 means greedy (default %(default)s)")
    parser.add_argument("--top-k", type=int, default=50, metavar="K",
                        help="draw only from the K likeliest tokens; 0 is off (default %(default)s)")
    parser.add_argument("--top-p", type=float, default=0.95, metavar="P",
                        help="draw only from the likeliest tokens that hold P of the probability (default "
                             "%(default)s)")
    parser.add_argument("--min-p", type=float, default=RECOMMENDED_SAMPLING["min_p"], metavar="M",
                        help="drop tokens less than M times as likely as the most likely one (0 is off; "
                             "default %(default)s)")
    parser.add_argument("--repetition-penalty", type=float, default=RECOMMENDED_SAMPLING["repetition_penalty"],
                        metavar="R", help="a token already in the answer is made less likely to be drawn again "
                                          "(HF-style; 1 is off; default %(default)s)")
    parser.add_argument("--greedy", action="store_true", help="always the likeliest token (as --temperature 0)")
    parser.add_argument("--alternatives", type=alternatives_count, default=10, metavar="K",
                        help="likeliest other tokens kept per token (default 10)")
    parser.add_argument("--stop", action="append", default=[], metavar="TEXT", help="extra stop sequence")


def sampling_from_args(args):
    from desktop_app.core.generation import RECOMMENDED_SAMPLING, SamplingSettings

    if args.max_new_tokens < 1:
        raise CliError("--max-new-tokens must be at least 1.")
    if not 0 <= args.temperature <= 3:
        raise CliError("--temperature must be from 0 (greedy) to 3.")
    if args.greedy and args.temperature not in (0, RECOMMENDED_SAMPLING["temperature"]):
        # the temperature was asked for and would have been dropped in silence (usertest27)
        raise CliError(f"--greedy always takes the likeliest token, so --temperature {args.temperature:g} "
                       "would do nothing: give one or the other.")
    if args.top_k < 0:
        raise CliError("--top-k must be 0 (off) or more.")
    if not 0 < args.top_p <= 1:
        raise CliError("--top-p must be in (0, 1].")
    if not 0 <= args.min_p < 1:
        raise CliError("--min-p must be from 0 (off) to below 1.")
    if not 1 <= args.repetition_penalty <= 10:
        raise CliError("--repetition-penalty must be from 1 (off) to 10.")
    return SamplingSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, top_k=args.top_k,
                            top_p=args.top_p, seed=args.seed, greedy=args.greedy, alternatives=args.alternatives,
                            stop_sequences=tuple(args.stop), repetition_penalty=args.repetition_penalty,
                            min_p=args.min_p)


# ---------------------------------------------------------------- rendering

def ansi_token(record: TokenRecord) -> str:
    bg = color_for(record, "probability")
    fg = text_color_on(bg)
    text = record.text.replace("\n", "↵\n") if record.text.strip() == "" and "\n" in record.text else record.text
    return f"\x1b[48;2;{bg[0]};{bg[1]};{bg[2]}m\x1b[38;2;{fg[0]};{fg[1]};{fg[2]}m{text}\x1b[0m"


def use_colour(stream) -> bool:
    return stream.isatty()


def write_token(record: TokenRecord, stream=None) -> None:
    stream = stream or sys.stdout  # looked up now: a replaced stdout (a test's capture) gets the tokens
    stream.write(ansi_token(record) if use_colour(stream) else record.text)
    stream.flush()


def write_tokens(records, stream=None) -> None:
    """Tokens known all at once (score's), each written as the heatmap draws its cell: a cluster spread over
    tokens ("👩‍👩‍👧") whole, in the colour of the token that ends it. Written token by token, the colour codes
    between its pieces broke the sequence, and a terminal drew three people and two joiners apart."""
    from dataclasses import replace

    from desktop_app.core.grapheme_cells import drawn_texts

    for record, drawn in zip(records, drawn_texts([r.text for r in records])):
        if drawn:  # a token whose characters the cluster's last token writes: nothing of its own to write
            write_token(replace(record, text=drawn), stream)


class StreamedTokens:
    """Tokens written as they stream in (``generate``, ``ask``, ``chat``, ``text continue``), each cluster spread over
    tokens ("👨‍👩‍👧‍👦") drawn whole in the colour of the token that ends it, as ``write_tokens`` and the window draw it:
    the pieces of a cluster not yet complete are held back (core.grapheme_cells.settled_count) until it completes
    or the stream ends (``finish``). Token by token, the colour codes between its pieces had broken the sequence.
    Used as the stream's ``on_token``; as a context manager it finishes once the stream ends."""

    def __init__(self, stream=None):
        self.stream = stream
        self.held: list[TokenRecord] = []

    def __call__(self, record: TokenRecord) -> None:
        from desktop_app.core.grapheme_cells import settled_count

        self.held.append(record)
        settled = settled_count([r.text for r in self.held])
        if settled:
            write_tokens(self.held[:settled], self.stream)
            del self.held[:settled]

    def finish(self) -> None:
        """The stream ended: what is held back is written as it is."""
        if self.held:
            write_tokens(self.held, self.stream)
            self.held = []

    def __enter__(self) -> "StreamedTokens":
        return self

    def __exit__(self, error_type, *_exc) -> None:
        if error_type is None:  # (an error or a second Ctrl+C: what is held is not written over its message)
            self.finish()


# ---------------------------------------------------------------- commands

def cmd_generate(args) -> int:
    from desktop_app.core import session
    from desktop_app.core.prompts import Turn

    settings = sampling_from_args(args)
    if not args.prompt.strip():
        raise CliError("The prompt is empty: give the question or text to answer.")
    turns = _conversation_so_far(args) + [Turn("user", args.prompt)]
    loaded = load_model_for_cli(args)
    cancel = threading.Event()
    answer = session.prepare_answer(loaded, turns, settings, system=args.system, cancel=cancel)
    print_notice(answer.notice)
    try:
        # a kept answer stops at Ctrl+C and is saved as far as it got, as chat's and the window's Stop keep it:
        # `ask` had dropped 60 written tokens with "interrupted: nothing was saved" (clitrial70)
        with ctrl_c_stops(cancel) if args.save else contextlib.nullcontext(), StreamedTokens() as writer:
            answer.run(on_token=None if args.json else writer)
    except KeyboardInterrupt:
        words = "nothing was saved" if args.save else ""
        if args.json:
            return interrupted_json(generation_json(loaded, answer.generation, "interrupted"), words)
        print()  # main's line starts on its own line, not after the answer's last word
        raise KeyboardInterrupt(words) from None
    generation = answer.generation
    if generation.finish_reason == "cancelled" and not generation.records:
        print()
        raise KeyboardInterrupt("stopped before the answer's first token: nothing was saved")
    conversation_id, message_id = save_exchange(args, answer) if args.save else (None, None)
    _print_generated(args, loaded, generation, conversation_id, message_id)
    return 0


def _print_generated(args, loaded, generation, conversation_id: int | None, message_id: int | None) -> None:
    """The answer's JSON object, or its summary and how to rate it (the text itself streamed as it came)."""
    if args.json:
        result = generation_json(loaded, generation, generation.finish_reason)
        if message_id is not None:
            result["message_id"] = message_id
        print_json(result)
        if generation.finish_reason == "cancelled":  # stderr had said nothing of the Ctrl+C (usertest53)
            print(stopped_json_words(message_id), file=sys.stderr)
        return
    print()
    summary = generation_summary(generation, args.max_new_tokens)
    if message_id is not None:
        summary += f" saved as message {message_id}"
    print(summary, file=sys.stderr)
    print(kept_words(args, conversation_id, message_id), file=sys.stderr)


def stopped_json_words(message_id: int | None) -> str:
    """The stderr line of an answer Ctrl+C stopped under --json: what was kept, and where."""
    kept = f"saved as message {message_id}" if message_id is not None else "not saved (generate keeps it with --save)"
    return f"stopped by Ctrl+C: the answer so far is in the JSON (finish_reason \"cancelled\"), {kept}"


def generation_json(loaded, generation, finish_reason: str | None) -> dict:
    """generate's JSON object: the answer's text and every token's record."""
    return {"model": loaded.model_id, "device": str(loaded.device), "adapter_id": loaded.adapter_id,
            "text": generation.text, "finish_reason": finish_reason, "seed": generation.seed,
            "units": RECORD_UNITS, "tokens": [r.to_json() for r in generation.records]}


def interrupted_json(result: dict, words: str) -> int:
    """Ctrl+C under --json: main's error object alone lost the answer written so far (leftovers63). One object
    keeps both, the partial answer and main's "error" and "exit_code", so a script reads it as any Ctrl+C."""
    message = f"interrupted: {words}" if words else "interrupted"
    print_json(dict(result, interrupted=True, error=message, exit_code=130))
    print(f"gpt2-desk: {message}", file=sys.stderr)
    return 130


def kept_words(args, conversation_id: int | None, message_id: int | None) -> str:
    """generate's last line: how to rate the answer `ask` kept, or that plain `generate` kept nothing and
    what keeps it (a person generated, then found no id to `rate`; cli59)."""
    if message_id is None:
        return ("not saved: `gpt2-desk ask \"...\"` (or `generate --save`) keeps the answer and prints its id "
                "to rate it")
    # "up (or down)", not "up|down": pasted, `rate 12 up|down` rated it up and piped the line into a `down`
    # command that is not there (usertest53)
    return (f"rate it: gpt2-desk rate {message_id} up (or down; its tokens' numbers, for --token: gpt2-desk history "
            f"{conversation_id} --tokens); follow up: gpt2-desk ask --conversation {conversation_id} \"...\"")


def cmd_ask(args) -> int:
    """`gpt2-desk ask`: `generate --save`, under the name a person looks for."""
    args.save = True
    return cmd_generate(args)


def _conversation_so_far(args) -> list:
    """With --conversation, the turns the prompt follows (save_exchange stores it after the
    newest message): the answer reads them, as the window's does."""
    from desktop_app.core import session

    if args.conversation is None:
        return []
    if not args.save:
        raise CliError("--conversation adds the prompt and answer to a conversation: add --save.")
    with open_store(args) as store:
        store.get_conversation(args.conversation)  # one clear line for an unknown id
        messages = store.messages(args.conversation)
        return session.turns_to(store, messages[-1]["id"]) if messages else []


def save_exchange(args, answer) -> tuple[int, int]:
    """The prompt (after the conversation's newest message) and its answer, stored as the
    window stores them: (the conversation's id, the answer's)."""
    from desktop_app.core import session

    with open_store(args) as store:
        conversation_id, user_id = session.add_prompt(store, args.conversation, args.prompt)
        return conversation_id, session.save_answer(store, conversation_id, user_id, answer)


QUIT_COMMANDS = ("/quit", "/exit", "/q", "/bye")
CHAT_KEYS = ("An empty line, /quit or Ctrl+D quits (Ctrl+C too, at this prompt); Ctrl+C while the model answers "
             "stops the answer; /help shows this.")
# the chat keeps its conversation as the window does (cli52): a terminal user had chatted, then found nothing to rate
CHAT_SAVED = ("Each answer is saved as it ends, with its id: `gpt2-desk rate ID up` rates it, `gpt2-desk correct ID "
              "\"...\"` corrects it (--no-save keeps nothing).")
# the docs said it; the chat did not, and a person rated nothing they had chatted (usertest27)
CHAT_NOT_SAVED = ("Nothing in this chat is saved (--no-save): `gpt2-desk ask \"...\"` keeps an answer to "
                  "rate, correct and fine-tune on.")


def unknown_chat_command(command: str, saving: bool = True) -> str | None:
    """What a line like "/rate up" or "/save" gets: it was sent to the model as a question, and the
    person believed it rated the answer (usertest27). A path ("/etc/hosts?") is still a question."""
    word = command.split()[0]
    if not re.fullmatch(r"/[a-z]+", word):
        return None
    keeps = ""
    if word in ("/rate", "/up", "/down", "/good", "/bad", "/correct", "/save", "/like", "/dislike"):
        keeps = (" Answers are rated outside the chat: `gpt2-desk rate ID up` or `gpt2-desk correct ID \"...\"`, "
                 "with the id said after each answer." if saving else
                 " This chat keeps nothing (--no-save), so nothing here can be rated or corrected: `gpt2-desk "
                 "ask \"...\"` keeps an answer and prints its id, then `gpt2-desk rate ID up` or "
                 "`gpt2-desk correct ID \"...\"`.")
    return f"There is no command {word} (not sent to the model).{keeps} {CHAT_KEYS}"


class TerminalChat:
    """`gpt2-desk chat`: the turns so far, and the conversation they are saved in (as the window saves them:
    each exchange once its answer ends, the prompt titling a new conversation); ``saving`` False: none."""

    def __init__(self, args, loaded, settings):
        self.args, self.loaded, self.settings = args, loaded, settings
        self.saving = not args.no_save
        self.turns: list = []
        self.conversation_id: int | None = None

    def ask(self, line: str) -> None:
        """Answer ``line`` on stdout, stoppable by Ctrl+C; then keep the exchange (said on stderr)."""
        from desktop_app.core import session
        from desktop_app.core.prompts import Turn

        cancel = threading.Event()
        answer = session.prepare_answer(self.loaded, self.turns + [Turn("user", line)], self.settings,
                                        system=self.args.system, cancel=cancel)
        print_notice(answer.notice)
        sys.stdout.write("Model: ")
        with ctrl_c_stops(cancel), StreamedTokens() as writer:
            answer.run(writer)
        print()
        self._keep(line, answer)

    def _keep(self, line: str, answer) -> None:
        """The exchange into the turns and the store; an answer stopped before its first token keeps
        nothing (its question is not in the turns the next answer reads either)."""
        from desktop_app.core import session
        from desktop_app.core.prompts import Turn

        generation = answer.generation
        if not generation.records:
            print("[stopped before its first token: nothing kept of this question]", file=sys.stderr)
            return
        self.turns += [Turn("user", line), Turn("assistant", generation.text)]
        summary = generation_summary(generation, self.args.max_new_tokens)
        if self.saving:
            with open_store(self.args) as store:
                self.conversation_id, user_id = session.add_prompt(store, self.conversation_id, line)
                summary += f" saved as message {session.save_answer(store, self.conversation_id, user_id, answer)}"
        print(summary, file=sys.stderr)

    def interrupted_words(self) -> str:
        """What a second Ctrl+C left (main's "interrupted: ..."): the answer it cut is not kept."""
        kept = (f"; conversation {self.conversation_id} keeps the answers before it (`gpt2-desk history "
                f"{self.conversation_id}`)" if self.conversation_id is not None else "")
        return f"the answer that was being written was not kept{kept}"

    def goodbye(self) -> str:
        if self.conversation_id is not None:
            return (f"Bye. Conversation {self.conversation_id} is saved: `gpt2-desk history {self.conversation_id}` "
                    "shows it and its answers' ids.")
        return "Bye." if not self.saving else "Bye. Nothing was answered, so nothing was saved."


@contextlib.contextmanager
def ctrl_c_stops(cancel: threading.Event):
    """Inside, Ctrl+C sets ``cancel``: the answer stops at its next token, kept as far as it got (the window's
    Stop); it had ended the whole chat, exit 130. A second Ctrl+C before it stops interrupts as usual."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may take signals
        yield
        return

    def stop(_signum, _frame):
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def read_prompt() -> str | None:
    """The person's next line; None where they end the chat: Ctrl+D or Ctrl+C at the prompt (Ctrl+C there
    had ended it with exit 130 and "interrupted"), an empty line or a quit command."""
    try:
        line = input("\nYou: ") if _is_terminal(sys.stdin) else _piped_line()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)  # the goodbye on a line of its own, not after "You: ^C"
        return None
    return None if line.strip().lower() in ("", *QUIT_COMMANDS) else line


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)  # a stand-in stream may have none
    return bool(isatty and isatty())


def _piped_line() -> str:
    """A question read from a pipe or a file, shown after its "You:" as a terminal shows what was typed: piped,
    the transcript read "You: Model: Hello…", with a bare "You:" at its end (cli62)."""
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    line = line.rstrip("\r\n")
    print(f"\nYou: {line}")
    return line


def cmd_chat(args) -> int:
    settings = sampling_from_args(args)
    loaded = load_model_for_cli(args)
    chat = TerminalChat(args, loaded, settings)
    print(f"Chatting with {loaded.describe()}. {CHAT_KEYS}\n{CHAT_SAVED if chat.saving else CHAT_NOT_SAVED}",
          file=sys.stderr)
    while (line := read_prompt()) is not None:
        command = line.strip().lower()
        if command in ("/help", "/?"):  # a terminal user tries these: not a question for the model
            print(CHAT_KEYS, file=sys.stderr)
        elif unknown := unknown_chat_command(command, chat.saving):
            print(unknown, file=sys.stderr)
        else:
            try:
                chat.ask(line)
            except KeyboardInterrupt:  # a second Ctrl+C before the answer stopped: main says what was kept
                raise KeyboardInterrupt(chat.interrupted_words()) from None
    print(chat.goodbye(), file=sys.stderr)
    return 0


FILE_ENDINGS = (".txt", ".md", ".markdown", ".json", ".jsonl", ".csv", ".html", ".rst")


def file_name_words(text: str) -> str | None:
    """A note where ``text`` reads as a file's name: `score essay.txt` scored the nine characters
    "essay.txt", exit code 0, while `analyse essay.txt` reads the file (usertest22). Only a note: a
    name may be the very text someone means to score."""
    name = text.strip()
    if not name or any(c.isspace() for c in name):
        return None
    path = Path(name).expanduser()
    if path.is_file():
        return (f"scoring the words \u201c{name}\u201d themselves, not the file of that name: for the file's text, "
                f"`gpt2-desk analyse {name}` (or `gpt2-desk score \"$(cat {name})\"`)")
    if name.lower().endswith(FILE_ENDINGS):
        return (f"scoring the words \u201c{name}\u201d themselves (there is no file of that name here); a file's "
                "text is scored by `gpt2-desk analyse FILE`")
    return None


def cmd_score(args) -> int:
    from desktop_app.core import session
    from desktop_app.core.prompts import Turn, answer_ids, build_prompt
    from desktop_app.core.scoring import score_ids

    if not args.text:
        raise CliError("The text is empty: give the text to score (quote it).")
    print_notice(file_name_words(args.text))
    loaded = load_model_for_cli(args)
    if args.prompt is not None:
        prompt = build_prompt(loaded.tokenizer, [Turn("user", args.prompt)], system=args.system,
                              context_window=loaded.context_window, max_new_tokens=1)
        print_notice(prompt.notice)
        records = score_ids(loaded, prompt.ids, answer_ids(loaded.tokenizer, args.text), args.alternatives)
        first_text = ""
    else:
        scored = session.score_whole_text(loaded, args.text, args.alternatives)
        records, first_text = scored.records, scored.unscored_prefix
    if args.json:
        print_json({"model": loaded.model_id, "device": str(loaded.device), "adapter_id": loaded.adapter_id,
                    "text": args.text, "unscored_prefix": first_text, "units": RECORD_UNITS,
                    "tokens": [r.to_json() for r in records]})
        return 0
    sys.stdout.write(first_text)
    write_tokens(records)
    print()
    if not use_colour(sys.stdout):  # piped: the colours are lost, so give every token's numbers
        print()
        print(token_table(records))
    elif records:
        print(colour_key(), file=sys.stderr)
    if records:
        print(score_summary(records), file=sys.stderr)
    return 0


def score_summary(records) -> str:
    """score's last line; the mean in nats, with the perplexity it gives (the mean had no unit, cli62)."""
    mean = sum(r.logprob for r in records) / len(records)
    return (f"[{counted(len(records), 'token', grouped=True)} scored, mean log-probability {mean:.3f} nats per "
            f"token (perplexity {math.exp(-mean):.2f}); --json gives every number]")


def colour_key(steps: int = 9) -> str:
    """One line that reads the colours: unlikely .. likely, as coloured cells."""
    cells = []
    for i in range(steps):
        p = i / (steps - 1)
        cells.append(ansi_token(TokenRecord(0, f" {round(p * 100):>3}% ", _log(p), 1, 0.0)))
    return "probability of each token: " + "".join(cells)


def _log(p: float) -> float:
    import math

    return math.log(max(p, 1e-12))


def token_table(records) -> str:
    """A plain table (tab separated) of every token: what the colours would have shown, its probability in the
    percent words `history --tokens` and the window use (it read 0.0028; cliwords74); --json has the numbers."""
    lines = ["index\ttoken\tprobability\tlog_probability\trank\tentropy_bits"]
    for i, r in enumerate(records):
        lines.append(f"{i}\t{table_token(records, i)}\t{percent(r.prob)}\t{r.logprob:.4f}\t{r.rank}\t"
                     f"{r.entropy_bits:.3f}")
    return "\n".join(lines)


def table_token(records, index: int) -> str:
    """Token ``index``'s text in the table, escaped, as the inspector says it where the text alone shows nothing
    (glyph70: a piece of a character and a lone joiner or variation selector had an empty column): "(part of
    “首”)", "<U+200D> (part of “👩‍👩‍👧”)", "<U+FE0F>"."""
    from desktop_app.core.token_words import PIECE_WORDS, completed_character, piece_label, unseen_marked

    def escaped(text: str) -> str:  # spaces kept, as the table always had them
        return unseen_marked(text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")) or PIECE_WORDS

    return piece_label(records[index].text, completed_character(records, index), label=escaped)


def models_table(found) -> str:
    """Short names in aligned columns; a long path only last, as what --model takes."""
    rows = [("NAME", "KIND", "ARCH", "SIZE", "USE WITH --model")] + [
        (m.name, m.kind, m.architecture or "?", m.size_text if m.size_bytes else "?", m.spec) for m in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  " + "  ".join(f"{cell:<{w}}" for cell, w in zip(row[:4], widths)) + f"  {row[4]}"
                      for row in rows)


def cmd_models(args) -> int:
    from desktop_app.core.local_models import bundled_copy_in_use, list_local_models
    from desktop_app.core.model_sources import resolve_spec

    if args.install_copy:
        return make_install_copy_for_cli(args)
    found = list_local_models(args.paths)
    default = resolve_spec(args.model)
    if args.prepare:
        load_model_for_cli(args, source=default)
    copy = bundled_copy_in_use(args.paths)
    if args.json:
        json.dump({"default": {"model_id": default.model_id, "kind": default.kind, "notice": default.notice},
                   "local": [m.__dict__ for m in found],
                   "bundled_copy": copy.__dict__ if copy is not None else None}, sys.stdout)
        print()
        return 0
    print("Models on this machine:")
    print(models_table(found) if found else "  (none yet)")
    print(f"Default: {default.model_id}" + (f"  ({default.notice})" if default.notice else ""))
    if copy is not None:
        print(f"Bundled model read from: {copy.words()}")
    return 0


def make_install_copy_for_cli(args) -> int:
    """The install step: the bundled model converted once into the install's folder, for every account."""
    from desktop_app.core.install_copy import make_install_copy
    from desktop_app.core.logs import quiet_libraries
    from desktop_app.core.model_sources import bundled_gguf_path

    quiet_libraries()
    folder = make_install_copy(bundled_gguf_path(), args.paths, TqdmProgress())
    print(f"The bundled model's converted copy for every account of this install: {folder}")
    return 0
