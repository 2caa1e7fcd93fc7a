"""Child process for tests/test_training_cancel.py: the real window fine-tunes the tiny model;
at its first training step the window is closed and its question answered "Stop and quit".
After the event loop ends it prints "RUN STATUS" and "TRAINING_THREAD_ALIVE BOOL", closes the
store and returns from main, so the interpreter shuts down as the app's does.

Usage: quit_during_finetune_child.py MODEL_DIR   (the data folder comes from GPT2_DESK_DATA_DIR)
"""

import sys
from dataclasses import replace

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.gui.app import _exec, make_app
from desktop_app.gui.main_window import MainWindow
from gui_windows import answer_modal
from test_training_data import rate_three_answers


def main(model_dir: str) -> int:
    app = make_app(dark=False)
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, model_spec=model_dir, device="cpu")
    closing = []

    def loaded(model) -> None:
        rate_three_answers(store, model, first_seed=10)
        window.finetune.start(replace(window.finetune.settings, max_steps=400, min_steps=400, heldout_fraction=0.0))

    def progress(p) -> None:
        if p.phase == "training" and p.step and not closing:
            closing.append(p.step)
            answer_modal("Stop and quit", [])
            window.close()

    window.chat.model_loaded.connect(loaded)
    window.finetune.progress.connect(progress)
    window.show()
    code = _exec(app)
    run = store.list_runs()[0]
    print(f"RUN {run['status']}", flush=True)
    print(f"TRAINING_THREAD_ALIVE {window.tasks.training._thread.is_alive()}", flush=True)
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
