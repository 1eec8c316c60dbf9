use pyo3::prelude::*;

#[pymodule]
mod _first {
    use pyo3::prelude::*;

    #[pyfunction]
    fn which() -> &'static str {
        "first"
    }
}
