"""Child process for tests/test_models52_edges.py: the real window fine-tunes the tiny model; at its
first training step its native window goes away without a close event, as MODE says:
  destroy   QWidget.destroy() (any platform, offscreen too)
  xdotool   `xdotool windowclose` (the X server destroys the window; needs an X display)
  x-server  the X server itself ends (its pid in XVFB_PID)
The window runs as `gpt2-desk` runs it (gui/app.py's ``_run_window``). After it returns, prints
"RUN status", "TRAINING_THREAD_ALIVE bool" and "QUITTING bool".

Usage: models52_window_gone_child.py MODEL_DIR MODE   (the data folder comes from GPT2_DESK_DATA_DIR)
"""

import os
import signal
import subprocess
import sys

from desktop_app.core.store import Store
from desktop_app.gui.app import _run_window
from finetune_child_window import training_window


def take_the_window_away(window, mode: str) -> None:
    if mode == "destroy":
        window.destroy()
    elif mode == "xdotool":
        subprocess.run(["xdotool", "windowclose", str(int(window.winId()))], check=True)
    elif mode == "x-server":
        os.kill(int(os.environ["XVFB_PID"]), signal.SIGTERM)


def main(model_dir: str, mode: str) -> int:
    app, paths, store, window = training_window(model_dir, 4000, lambda w: take_the_window_away(w, mode))
    code = _run_window(app, window, store, None)  # shows the window, runs the loop, closes the store
    store = Store.open(paths.db_path)
    print(f"RUN {store.list_runs()[0]['status']}", flush=True)
    print(f"TRAINING_THREAD_ALIVE {window.tasks.training._thread.is_alive()}", flush=True)
    print(f"QUITTING {getattr(window, 'quitting', None)}", flush=True)
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
