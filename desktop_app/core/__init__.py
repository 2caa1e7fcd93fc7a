"""The Qt-free core: models, prompts, generation, scoring, storage, training.

Nothing in this package may import Qt (tests/test_layers.py enforces it)."""
