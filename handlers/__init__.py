"""Telegram handlers: thin adapters between updates and the services in ``bot``.

Which handler sees an update first is decided in one place: handlers/routing.py.
"""
