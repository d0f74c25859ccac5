"""The chat app's widgets, one job each."""
