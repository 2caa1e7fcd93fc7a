"""The desktop window: PySide6 views over desktop_app.core (no core module imports Qt)."""
