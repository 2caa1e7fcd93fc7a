"""The window the child-process tests drive (quit_during_finetune_child.py, models52_window_gone_child.py):
the real app and window on the tiny model, three rated answers once it is loaded, then a long fine-tune,
and ``at_first_step(window)`` once, at its first training step."""

from dataclasses import replace

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.gui.app import make_app
from desktop_app.gui.main_window import MainWindow
from test_training_data import rate_three_answers


def training_window(model_dir: str, steps: int, at_first_step):
    """(app, paths, store, window): nothing runs until the caller starts the event loop."""
    app = make_app(dark=False)
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, model_spec=model_dir, device="cpu")
    done = []

    def loaded(model) -> None:
        rate_three_answers(store, model, first_seed=10)
        window.finetune.start(replace(window.finetune.settings, max_steps=steps, min_steps=steps, heldout_fraction=0.0))

    def progress(p) -> None:
        if p.phase == "training" and p.step and not done:
            done.append(p.step)
            at_first_step(window)

    window.chat.model_loaded.connect(loaded)
    window.finetune.progress.connect(progress)
    return app, paths, store, window
