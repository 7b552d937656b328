"""Timed jobs: reminders before every session (filled by the reminders feature)."""
