use pyo3::prelude::*;

/// Bindings for outside-core.
#[pymodule]
mod sdist_outside {
    use pyo3::prelude::*;

    #[pyfunction]
    fn word_count(text: &str) -> usize {
        outside_core::word_count(text)
    }

    #[pyfunction]
    fn count_byte(text: &str, byte: u8) -> usize {
        outside_core::count_byte(text, byte)
    }

    #[pyfunction]
    fn triangle(n: u64) -> u64 {
        outside_core::triangle(n)
    }
}
