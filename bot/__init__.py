"""unionbot wiring: configuration, the dialogue core, storage, the Telegram application and the
command line."""
