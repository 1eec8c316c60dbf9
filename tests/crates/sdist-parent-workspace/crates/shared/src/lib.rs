//! Code inherited settings are built with: `edition.workspace = true`.

/// The sum of the digits of `n`.
pub fn digit_sum(mut n: u64) -> u64 {
    let mut sum = 0;
    while n > 0 {
        sum += n % 10;
        n /= 10;
    }
    sum
}
