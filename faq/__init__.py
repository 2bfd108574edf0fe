"""The knowledge: FAQ content, normalisation, matching, flows. No Telegram import."""
