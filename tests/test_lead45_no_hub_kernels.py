"""transformers 5 would kernelize every loaded model with kernels fetched from the Hub (code from the
network; on a CUDA machine without a compatible ``kernels`` package every load failed). The app's
loader and anything else that imports the package load plain torch modules."""

from __future__ import annotations

import os


def test_the_package_turns_hub_kernels_off_for_every_load():
    import desktop_app  # noqa: F401

    assert os.environ.get("USE_HUB_KERNELS") == "NO"


def test_a_model_the_app_opens_is_not_kernelized(tiny_model):
    assert tiny_model.model.use_kernels is False


def test_the_loader_asks_for_no_kernels_even_where_the_environment_allows_them(tiny_model_dir, session_paths,
                                                                               monkeypatch):
    from desktop_app.core.models import open_model

    monkeypatch.setenv("USE_HUB_KERNELS", "YES")
    loaded = open_model(str(tiny_model_dir), session_paths, device="cpu", precision="exact")
    assert loaded.model.use_kernels is False
