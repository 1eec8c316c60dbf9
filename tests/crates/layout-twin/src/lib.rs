use pyo3::prelude::*;

/// Copied by the tests, with another value, into one cargo target directory.
#[pymodule]
mod layout_twin {
    use pyo3::prelude::*;

    #[pyfunction]
    fn value() -> u32 {
        layout_twin_core::value()
    }
}
