"""Every command's --help says what the command does and shows it used (cli62: most said neither, only
their options). The examples live here, one table for all commands, and tests/test_cli62_fixes.py
parses each one: an example that no longer parses fails a test rather than a person."""

from __future__ import annotations

import argparse
import re
import textwrap

# a command's words (as typed after gpt2-desk) -> example command lines; a line may go on with a pipe or
# a redirection, and a line that does not start with gpt2-desk is shown as it is (what to run next)
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ('gpt2-desk ask "What is the capital of France?"',
         "gpt2-desk chat",
         "gpt2-desk            (no command: opens the window)"),
    "generate": ('gpt2-desk generate "The capital of France is" --greedy --max-new-tokens 8',
                 'gpt2-desk generate "Once upon a time" --seed 1 --json > answer.json'),
    "ask": ('gpt2-desk ask "What is the capital of France?"',
            'gpt2-desk ask --conversation 3 "And of Spain?"'),
    "chat": ("gpt2-desk chat",
             "printf 'Hi\\nWhat is 2+2?\\n' | gpt2-desk chat --no-save > transcript.txt"),
    "score": ('gpt2-desk score "The cat sat on the mat."',
              'gpt2-desk score "Paris." --prompt "What is the capital of France?" --json'),
    "models": ("gpt2-desk models",
               "gpt2-desk models --json"),
    "rate": ("gpt2-desk rate 12 up",
             'gpt2-desk rate 12 down --token 4 --note "wrong year"',
             "gpt2-desk rate 12 clear"),
    "correct": ('gpt2-desk correct 12 "Paris is the capital of France."',),
    "history": ("gpt2-desk history",
                "gpt2-desk history 3 --tokens",
                "gpt2-desk history 3 --out conversation.md",
                "gpt2-desk history 3 --out chat.html --branch 7 --measure rank"),
    "export": ("gpt2-desk export --format dpo --out pairs.jsonl",
               "gpt2-desk export --format kto > thumbs.jsonl"),
    "import": ("gpt2-desk import pairs.jsonl",
               "gpt2-desk import conversation.json --json"),
    "finetune": ("gpt2-desk finetune",
                 "gpt2-desk finetune --json > run.json"),
    "adapters": ("gpt2-desk adapters list",
                 "gpt2-desk adapters activate 2",
                 "gpt2-desk adapters export 2 --out my-model.gguf"),
    "adapters list": ("gpt2-desk adapters list",
                      "gpt2-desk adapters list --all --json"),
    "adapters activate": ("gpt2-desk adapters activate 2",),
    "adapters deactivate": ("gpt2-desk adapters deactivate",),
    "adapters rollback": ("gpt2-desk adapters rollback",
                          "gpt2-desk adapters rollback 1"),
    "adapters delete": ("gpt2-desk adapters delete 1",),
    "adapters export": ("gpt2-desk adapters export 2 --out my-model.gguf",
                        "llama-cli -m my-model.gguf",
                        "gpt2-desk adapters export 2 --format gguf-lora --out my-lora.gguf",
                        "gpt2-desk adapters export 2 --format peft --out my-adapter"),
    "adapters import": ("gpt2-desk adapters import my-adapter",
                        "gpt2-desk adapters import my-adapter --activate --json"),
    "explain": ("gpt2-desk explain 12 --token 4",
                "gpt2-desk explain 12 --token 4 --no-attribution",
                'gpt2-desk explain 12 --token 4 --vs " Paris" --json'),
    "probe": ('gpt2-desk probe 12 Paris --token 4',
              'gpt2-desk probe 12 "New York" --token 4 --json'),
    "analyse": ("gpt2-desk analyse essay.txt --surprises 10",
                "gpt2-desk analyse essay.txt --out essay.png --out essay.tokens.csv",
                "gpt2-desk analyse essay.txt --out essay.html --measure rank",
                "gpt2-desk analyse essay.txt --vs-adapter 2 --out change.png"),
    "continue": ("gpt2-desk continue story.txt --max-new-tokens 60",
                 "gpt2-desk continue story.txt --greedy --json > more.json"),
    "texts": ("gpt2-desk texts",
              "gpt2-desk texts 2",
              "gpt2-desk texts 2 --branch 5 --out story.txt"),
    "recover": ("gpt2-desk recover",
                "gpt2-desk recover gpt2desk.sqlite3.bad-20260101-120000 --out recovered.sqlite3"),
}


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that a description or epilog keeps its paragraphs (argparse ran them
    into one) and its indented lines as they are (an example command wrapped mid-option reads wrong)."""

    def _fill_text(self, text, width, indent):
        parts = []
        for paragraph in text.split("\n\n"):
            if any(line.startswith("  ") for line in paragraph.splitlines()):
                parts.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                parts.append(textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent,
                                           subsequent_indent=indent))
        return "\n\n".join(parts)


def add_descriptions_and_examples(parser: argparse.ArgumentParser, words: str = "") -> None:
    """Walk the command tree: a command with no description gets its one-line help as one, and every
    command its examples after its options."""
    examples = EXAMPLES.get(words)
    if examples:
        shown = "\n".join(f"  {line}" for line in examples)
        parser.epilog = f"{parser.epilog}\n\nexamples:\n{shown}" if parser.epilog else f"examples:\n{shown}"
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, child in action.choices.items():
            if name not in helps:  # an alias ("analyze"): the same parser as its command's
                continue
            if child.description is None and helps[name]:
                child.description = as_sentence(helps[name])
            add_descriptions_and_examples(child, f"{words} {name}".strip())


def as_sentence(help_text: str) -> str:
    """A command's help line ("answer a prompt, …") as its description's sentence."""
    text = help_text.strip()
    text = text[0].upper() + text[1:]
    return text if re.search(r"[.!?]$", text) else text + "."
