"""gpt2-desk: a desktop workbench for a local GPT-2 that learns from its user."""

__version__ = "0.1.0"
APP_NAME = "gpt2-desk"  # folders, settings and the desktop file: never change (it moves the data)
APP_TITLE = "GPT-2 Desk"  # what the person reads: window titles, the tray
