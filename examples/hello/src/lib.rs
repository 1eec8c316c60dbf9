use pyo3::prelude::*;

/// Greetings from Rust.
#[pymodule]
mod hello_ferrule {
    use pyo3::prelude::*;

    /// Say hello to someone.
    #[pyfunction]
    fn greet(name: &str) -> String {
        format!("Hello, {name}, from Rust!")
    }

    /// The n-th Fibonacci number, computed in Rust.
    #[pyfunction]
    fn fib(n: u32) -> u64 {
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n {
            (a, b) = (b, a + b);
        }
        a
    }
}
