"""Child process for tests/test_training_cancel.py: the real window fine-tunes the tiny model;
at its first training step the window is closed and its question answered "Stop and quit".
After the event loop ends it prints "RUN STATUS" and "TRAINING_THREAD_ALIVE BOOL", closes the
store and returns from main, so the interpreter shuts down as the app's does.

Usage: quit_during_finetune_child.py MODEL_DIR   (the data folder comes from GPT2_DESK_DATA_DIR)
"""

import sys

from desktop_app.gui.app import _exec
from finetune_child_window import training_window
from gui_windows import answer_modal


def stop_and_quit(window) -> None:
    answer_modal("Stop and quit", [])
    window.close()


def main(model_dir: str) -> int:
    app, _paths, store, window = training_window(model_dir, 400, stop_and_quit)
    window.show()
    code = _exec(app)
    run = store.list_runs()[0]
    print(f"RUN {run['status']}", flush=True)
    print(f"TRAINING_THREAD_ALIVE {window.tasks.training._thread.is_alive()}", flush=True)
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
