"""The Python half of the develop-mixed test package."""

from ._native import answer, greeting, loud, profile, tag, version


def describe() -> str:
    return f"answer={answer()} greeting={greeting()} profile={profile()}"


__all__ = ["answer", "describe", "greeting", "loud", "profile", "tag", "version"]
