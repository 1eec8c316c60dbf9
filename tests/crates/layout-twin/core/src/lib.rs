//! The value the extension returns; the tests change it in a copy.

pub fn value() -> u32 {
    1
}
