"""src/ layout: Python code in src/, the Rust crate in rust/."""

from sdist_src._rust import reverse

__all__ = ["is_palindrome", "reverse"]


def is_palindrome(text: str) -> bool:
    return reverse(text) == text
