//! Shared Rust code that lives outside the Python project.

/// The number of words in `text`.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// How many times `needle` occurs in `haystack`.
pub fn count_byte(haystack: &str, needle: u8) -> usize {
    memchr::memchr_iter(needle, haystack.as_bytes()).count()
}

/// The `n`-th triangular number; panics on overflow with a message naming `n`.
pub fn triangle(n: u64) -> u64 {
    n.checked_mul(n + 1).map(|v| v / 2).unwrap_or_else(|| panic!("triangle({n}) overflows"))
}
