//! The library the Python package wraps; a sibling workspace member.

pub fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.checked_add(b).expect("fib overflows u64"));
    }
    a
}
