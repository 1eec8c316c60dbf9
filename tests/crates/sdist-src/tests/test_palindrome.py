from sdist_src import is_palindrome


def test_palindrome() -> None:
    assert is_palindrome("level")
