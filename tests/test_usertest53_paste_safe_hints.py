"""The rating hints `ask` and `history ID --tokens` print read "gpt2-desk rate 12 up|down": pasted into a
shell that is `gpt2-desk rate 12 up | down`, which rated the answer up, hid the confirmation in a pipe and
failed with "down: command not found" (usertest53). The commands they print now paste and run as written."""

from __future__ import annotations

import re
import shlex

from desktop_app.cli import main
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store

SHELL_SPECIALS = set("|&;<>()$`")


def _pasted(hint: str, capsys) -> int:
    """The hint's command, as a shell splits it, run through the CLI (the leading `gpt2-desk` is the program)."""
    words = shlex.split(hint)
    assert words[0] == "gpt2-desk" and not SHELL_SPECIALS & set(hint), hint
    code = main(words[1:])
    capsys.readouterr()
    return code


def _ratings(message_id: int) -> list[dict]:
    with Store.open(AppPaths.resolve().db_path) as store:
        return store.ratings(message_id)


def test_the_rate_hints_paste_into_a_shell_and_run(run_cli, capsys):
    code, _out, err = run_cli("ask", "--max-new-tokens", "4", "--seed", "3", "Hi")
    assert code == 0
    hint = re.search(r"rate it: (gpt2-desk rate \d+ [^(]*?) \(", err).group(1)
    message_id = int(hint.split()[2])
    assert _pasted(hint, capsys) == 0
    assert [r["value"] for r in _ratings(message_id)] == [1]

    conversation = re.search(r"gpt2-desk history (\d+) --tokens", err).group(1)
    code, out, _err = run_cli("history", conversation, "--tokens")
    token_hint = re.search(r"\(rate one: (gpt2-desk rate [^,]*), or up\):", out).group(1)
    assert _pasted(token_hint.replace(" N", " 0"), capsys) == 0
    assert any(r["token_index"] == 0 and r["value"] == -1 for r in _ratings(message_id))
