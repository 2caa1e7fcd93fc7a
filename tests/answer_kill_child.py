"""Child process for tests/test_answer_draft.py: the window's chat controller answers a
prompt with the tiny model, writing its draft after every batch; once a draft holds a few
tokens it prints "DRAFT MESSAGE_ID TOKENS" and holds the GUI thread (so the finished answer
is never stored) until the test kills it with SIGKILL.

Usage: answer_kill_child.py MODEL_DIR   (the data folder comes from GPT2_DESK_DATA_DIR)
"""

import sys
import time
from dataclasses import replace

from PySide6.QtWidgets import QApplication

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.gui.chat import ChatController
from desktop_app.gui.tasks import TaskManager

MIN_TOKENS = 5


def main(model_dir: str) -> None:
    app = QApplication([])
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    chat = ChatController(store, paths, TaskManager(), device="cpu")
    chat.draft_interval_s = 0.0  # a draft after every batch: the tiny model writes fast
    chat.settings = replace(chat.settings, max_new_tokens=100, seed=3)

    def draft_saved(message_id: int, tokens: int) -> None:
        if tokens >= MIN_TOKENS and chat.generating:
            print(f"DRAFT {message_id} {tokens}", flush=True)
            time.sleep(120)  # killed here, the answer still streaming

    chat.draft_saved.connect(draft_saved)
    chat.model_loaded.connect(lambda _loaded: chat.send("Tell me a long story"))
    chat.answer_finished.connect(lambda result: print(f"FINISHED {result}", flush=True))
    chat.load_model(model_dir)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1])
