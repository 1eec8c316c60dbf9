"""The top package."""
