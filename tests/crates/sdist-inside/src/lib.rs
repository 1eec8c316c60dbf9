use pyo3::prelude::*;

/// The compiled half of sdist_inside.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    /// The greeting built by the helper crate.
    #[pyfunction]
    fn greet(name: &str) -> String {
        inside_helper::greeting(name)
    }

    /// Fails with a Rust panic, which pyo3 turns into PanicException.
    #[pyfunction]
    fn checked_double(x: u32) -> u32 {
        inside_helper::checked_double(x)
    }
}
