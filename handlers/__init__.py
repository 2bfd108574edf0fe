"""Thin Telegram edges over the dialogue core."""
