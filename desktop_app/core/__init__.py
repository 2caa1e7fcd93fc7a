"""The Qt-free core: models, prompts, generation, scoring, storage, training, and the
session both front ends drive (session.py).

Nothing in this package may import Qt or a front end (desktop_app.gui, desktop_app.cli):
the import-linter contracts in pyproject.toml say so and tests/test_layers.py enforces them."""
