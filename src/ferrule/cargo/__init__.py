"""Running cargo: planning the command (pure), running it, reading its messages."""
