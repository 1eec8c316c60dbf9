use pyo3::prelude::*;

#[pymodule]
mod _rust {
    use pyo3::prelude::*;

    /// Reverse a string by Unicode scalar values.
    #[pyfunction]
    fn reverse(text: &str) -> String {
        text.chars().rev().collect()
    }
}
