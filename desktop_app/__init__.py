"""gpt2-desk: a desktop workbench for a local GPT-2 that learns from its user."""

import os

__version__ = "0.1.0"
APP_NAME = "gpt2-desk"  # folders, settings and the desktop file: never change (it moves the data)
APP_TITLE = "GPT-2 Desk"  # what the person reads: window titles, the tray

# transformers 5 "kernelizes" every model it loads with compute kernels fetched from the Hub
# (the `kernels` package it requires): code from the network, which this app never runs, and on a
# CUDA machine without a compatible `kernels` every load failed ("Kernels are not available", seen
# on an H200). Our own fast paths (core.fast_decode, core.bf16_gemv) are what the app uses.
os.environ.setdefault("USE_HUB_KERNELS", "NO")
