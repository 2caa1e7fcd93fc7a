"""Review fixes of the model modules (session 50's split of core/models.py)."""

from __future__ import annotations

import os
import time

import pytest

from desktop_app.core import model_sources
from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_conversion import convert_gguf, converted_folder_for, is_converted
from desktop_app.core.model_sources import resolve_spec
from desktop_app.core.paths import AppPaths


def test_a_blank_model_spec_is_the_default_model_not_the_working_folder(monkeypatch, tmp_path):
    """``--model " "`` was stripped to "", which names the working folder: it was taken as a model folder."""
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    monkeypatch.chdir(tmp_path)
    assert resolve_spec(" \t", probe=lambda: False) == resolve_spec(None, probe=lambda: False)
