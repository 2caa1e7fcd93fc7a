"""`gpt2-desk ask --json` stopped with Ctrl+C kept the answer so far (finish_reason "cancelled", its
message_id) but said nothing on stderr: a script's log showed a cut answer and no word of why (usertest53).
Now one line says it was stopped and where it was saved; stdout stays the JSON object alone."""

from __future__ import annotations

import json
import os
import signal

from desktop_app.cli import main
from desktop_app.core import session
from desktop_app.core.store import Store


def test_ctrl_c_during_ask_json_says_so_on_stderr(tmp_path, tiny_model_dir, monkeypatch, capsys):
    written = []

    def ctrl_c_at_the_third_token(record):  # --json streams to no one: the person presses Ctrl+C meanwhile
        written.append(record)
        if len(written) == 3:
            os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(session, "_ignore", ctrl_c_at_the_third_token)
    db = str(tmp_path / "k.sqlite3")
    argv = ["--db", db, "--model", str(tiny_model_dir), "ask", "Hi", "--max-new-tokens", "40", "--greedy", "--json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["finish_reason"] == "cancelled" and len(result["tokens"]) == len(written)
    assert "stopped by Ctrl+C: the answer so far is in the JSON" in err
    assert f"saved as message {result['message_id']}" in err
    with Store.open(db) as store:
        assert len(store.token_records(result["message_id"])) == len(written)
