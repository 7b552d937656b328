"""Rendering: what Telegram shows (Dutch texts from the catalogue, keyboards, callback data)."""
