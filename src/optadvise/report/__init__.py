"""Renderers: functions of the records in `optadvise.model` that return text; the CLI writes it."""
