"""PyInstaller entry point: the same `main` that `gpt2-desk` and `python -m desktop_app` run."""

import multiprocessing

from desktop_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen program re-runs itself for worker processes
    raise SystemExit(main())
