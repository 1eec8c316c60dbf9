use pyo3::prelude::*;

#[pymodule]
mod _core {
    use pyo3::prelude::*;

    #[pyfunction]
    fn fib(n: u32) -> u64 {
        member_core::fib(n)
    }
}
