"""Options every command takes, accepted before or after the command name."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.logs import configure_logging, quiet_libraries
from desktop_app.core.paths import AppPaths

# a token's index on the command line counts from 0 (scripts pass the index of a token in `generate --json`'s
# and `analyse --json`'s lists); the window's status bar and hover say "token 1" for the first (user test 15
# read the window's number and would have rated the next token). What is printed for a person gives both:
# the window's number, then the --token that names it (token_words)
# where a terminal user finds a token's number: `history` had shown none (cli59)
TOKENS_HINT = "`gpt2-desk history CONVERSATION_ID --tokens` lists each answer's tokens with their --token numbers"
WINDOW_TOKEN_WORDS = f"the window's \u201ctoken 5\u201d is --token 4; {TOKENS_HINT}"


def token_words(index: int) -> str:
    """A token of an answer named for a person: the window's number, counted from 1, then the --token that names
    it here, counted from 0 ("token 8 (--token 7)"); "token 7" alone here was the window's "token 8" (cli52)."""
    return f"token {index + 1} (--token {index})"
# what a token's JSON record holds, in its units: "entropy" is in nats, where the text and the window say bits; each
# record also has "entropy_bits", and each object with records a "units" map (cli62, cli63)
RECORD_FIELDS = ("per token: prob, logprob (natural log), rank (1 = the likeliest), entropy_bits (bits, as the "
                 "text says), entropy (the same in nats, kept for older scripts) and the top alternatives; "
                 "\"units\" names each unit")
COMMON_DEFAULTS = {"data_dir": None, "db": None, "model": None, "device": "auto", "precision": "auto"}


def print_json(data, **options) -> None:
    """One JSON object on stdout, written whole. A Ctrl+C while a large one went out (an answer's every token with
    its alternatives, 100 KB) cut it, and main's error object followed: a script could read neither (cli62). The
    work is done by then, so the key is not heeded until the object is out."""
    text = json.dumps(data, ensure_ascii=False, **options) + "\n"
    with ctrl_c_held():
        sys.stdout.write(text)
        sys.stdout.flush()


@contextlib.contextmanager
def ctrl_c_held():
    """Inside, Ctrl+C does nothing (only the main thread may set a signal's handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class CliError(Exception):
    """A usage problem; printed as one line."""


# `adapters export`'s words (core.model_export) for a file the CLI would write over; no option replaces one
EXISTS_WORDS = "{path} already exists; choose another name or remove it first."
NEW_FILE_HELP = "a new file: one that exists is not replaced"


def refuse_existing(path: str) -> None:
    """A file the CLI writes is never put over one already there, as `adapters export` refuses: `history ID
    --export` and `export --out` replaced one without a word (cliwords71)."""
    target = Path(path).expanduser()
    if target.exists() or target.is_symlink():
        raise CliError(EXISTS_WORDS.format(path=target))


def record_id(text: str) -> int:
    """argparse's type for an id or index kept in the database: a whole number SQLite can hold
    (a longer one would end in "unexpected error: Python int too large")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) >= 2**63:
        raise argparse.ArgumentTypeError(f"{text} is too large to be an id or an index")
    return value


def add_common_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS so a value given before the command is not overwritten by the sub-parser's default.
    group = parser.add_argument_group("common options")
    group.add_argument("--data-dir", default=argparse.SUPPRESS, help="keep data, cache and logs in this folder")
    group.add_argument("--db", default=argparse.SUPPRESS, help="the SQLite file (default: in the data folder)")
    group.add_argument("--model", default=argparse.SUPPRESS,
                       help="hub id, GPT-2 short name, local folder, .gguf file, or 'bundled' (default: gpt2 "
                            "when it is on this computer or the model hub can be reached, else the bundled "
                            "model; the window starts on the one it used last)")
    group.add_argument("--device", default=argparse.SUPPRESS, choices=["auto", "cpu", "cuda", "mps"],
                       help="where the model runs (default: auto)")
    group.add_argument("--precision", default=argparse.SUPPRESS, choices=["auto", "exact", "fast", "compact"],
                       help="model weights: exact (float32), fast (bfloat16/float16 where the hardware "
                            "has it) or compact (8-bit linear weights, CPU); default auto = fast where supported")


def finish_common_options(args: argparse.Namespace) -> None:
    for name, default in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    args.paths = _data_folder(args.data_dir)
    chosen = args.db is not None or args.data_dir is not None  # a first run's default database is no typo
    if args.db is None:
        args.db = str(args.paths.db_path)
    elif not Path(args.db).expanduser().parent.is_dir():
        # a mistyped --db would otherwise become a new, empty database ("no conversations")
        raise CliError(f"There is no folder {Path(args.db).expanduser().parent} for --db: check the path "
                       "(a new database is made only in a folder that exists).")
    args.db = str(Path(args.db).expanduser())
    args.db_made_now = chosen and not Path(args.db).exists()  # before a command's Store.open makes it
    configure_logging(args.paths.log_dir)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def changed_fact_lines(changed: list[dict]) -> list[str]:
    """Each answer to a never-rated question an adapter changes, its before and after, how sure the model
    was (a guess marked as one): a waiting run's list and an import's (usertest46), in the same words."""
    from desktop_app.core.fact_changes import changed_how_words, marked_sure_words
    from desktop_app.core.word_cut import one_line

    lines = []
    for c in changed:
        lines += [f"    {one_line(c.get('question'), 70)}  ({changed_how_words(c)})",
                  f"      before: {one_line(c.get('before'), 100)}{marked_sure_words(c)}",
                  f"      after:  {one_line(c.get('after'), 100)}"]
    return lines


def reask_line(m: dict) -> str:
    """The gate's re-asks, read for a person; an import into a database without rated questions
    asks none (not "0 -> 0 of 0")."""
    if not m.get("reask_count"):
        return "  re-asks: none (no rated questions to ask again)"
    return (f"  re-asked questions answered with an echo or a loop: {m.get('reask_degenerate_before')} -> "
            f"{m.get('reask_degenerate_after')} of {m['reask_count']}")


def _data_folder(data_dir: str | None) -> AppPaths:
    try:
        return AppPaths.resolve(data_dir).ensure()
    except (FileExistsError, NotADirectoryError) as exc:
        raise CliError(f"The data folder {exc.filename} cannot be made: a file of that name (or one on its path) "
                       "is in the way; give --data-dir (or GPT2_DESK_DATA_DIR) a folder.") from None
    except OSError as exc:
        raise CliError(f"The data folder {exc.filename} cannot be made: {exc.strerror}.") from None


def new_database_note(args: argparse.Namespace) -> None:
    """Under an empty listing: `--db mistyped.sqlite3 history` made a new, empty database in silence and said
    "no conversations yet", as if the person's conversations were gone (clitrial70)."""
    if getattr(args, "db_made_now", False):
        print_notice(f"there was no database at {args.db}: this command made a new, empty one there (a mistyped "
                     "--db or --data-dir? the default database: leave both out)")


def print_notice(notice: str | None) -> None:
    if notice:
        print(f"note: {notice}", file=sys.stderr)


NOTICES_SHOWN = "notices-shown"  # in the data folder's cache: the notices already said in full there


def notice_once(paths) -> Callable[[str | None], None]:
    """``print_notice``, but a notice already said in full for this data folder comes back as its first
    sentence: the offline model's three lines, before every command, buried each command's own output
    (usertest27). ``gpt2-desk models`` always gives it whole."""
    shown = paths.cache_dir / NOTICES_SHOWN

    def say(notice: str | None) -> None:
        if not notice:
            return
        key = hashlib.sha256(notice.encode()).hexdigest()[:16]
        seen = shown.read_text().split() if shown.is_file() else []
        if key not in seen:
            print_notice(notice)
            _remember(shown, key)
            return
        first, dot, rest = notice.partition(". ")
        print_notice(f"{first}. (The whole note: gpt2-desk models.)" if dot and rest else notice)

    return say


def _remember(shown: Path, key: str) -> None:
    try:
        shown.parent.mkdir(parents=True, exist_ok=True)
        with shown.open("a") as file:
            file.write(key + "\n")
    except OSError:  # a read-only cache: the note is said in full again next time, nothing is lost
        pass


def stderr_bar(desc: str, total, announced: bool = False, **options):
    """A tqdm bar on stderr. Where stderr is not a terminal (a log file, a pipe), a bar's
    carriage-return redraws would fill it with hundreds of characters: one line says what
    runs instead (unless ``announced``: a busy start said it already)."""
    from tqdm import tqdm

    terminal = sys.stderr.isatty()
    if not terminal and not options.get("disable") and not announced:
        print(f"{desc}...", file=sys.stderr)
    options["disable"] = options.get("disable", False) or not terminal
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, **options)


class TqdmProgress:
    """model_sources.Progress -> one tqdm bar per stage, on stderr."""

    def __init__(self):
        self.bar = None
        self.stage = None
        self.said = None
        self.last = ""  # the stage reported last: what Ctrl+C stopped

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last = stage
        if total <= 1 and self.bar is None:  # quick steps (a load from safetensors) need no bar
            if total == 0 and stage != self.said:  # a step of unknown length (a merge): one line says it runs
                print(f"{stage}...", file=sys.stderr)
                self.said = stage
            return
        key = stage.split(" (")[0].split()[0]
        if self.bar is None or key != self.stage:
            if self.bar is not None:
                self.bar.close()
            # a step that starts busy and then counts (the GGUF export's load) is said once
            self.bar = stderr_bar(stage, total or None, announced=stage == self.said, disable=not total)
            self.stage, self.said = key, stage
        self.bar.set_description(stage)
        self.bar.n = done
        self.bar.refresh()
        if total and done >= total:
            self.bar.close()
            self.bar = None


CONVERTING = "Converting "  # core.models.conversion_stage's start
# Ctrl+C during a first GGUF conversion: it quit with a bare "interrupted", and the next run started it over unsaid
CONVERSION_STOPPED = ("stopped converting the model; nothing half-done was kept, so it starts again from the "
                      "beginning next time (a few minutes, once)")


def load_model_for_cli(args: argparse.Namespace, source=None):
    """Resolve --model, say why when the offline model is chosen, load with progress,
    and put on the active adapter unless --no-adapter."""
    from desktop_app.core import session

    quiet_libraries()
    wants_adapter = not getattr(args, "no_adapter", True) and Path(args.db).exists()
    store = open_store(args) if wants_adapter else None
    progress = TqdmProgress()
    try:
        return session.open_model(source or args.model, args.paths, args.device, store=store,
                                  progress=progress, notice=notice_once(args.paths),
                                  precision=getattr(args, "precision", "auto"))
    except KeyboardInterrupt:  # main says it: "interrupted: stopped converting the model; ..."
        if progress.bar is not None:
            progress.bar.close()
        if progress.last.startswith(CONVERTING):
            raise KeyboardInterrupt(CONVERSION_STOPPED) from None
        raise
    finally:
        if store is not None:
            store.close()


def open_store(args: argparse.Namespace):
    from desktop_app.core.store import Store

    return Store.open(args.db)
