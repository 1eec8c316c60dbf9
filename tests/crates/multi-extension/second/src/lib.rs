use pyo3::prelude::*;

#[pymodule]
mod _second {
    use pyo3::prelude::*;

    #[pyfunction]
    fn which() -> &'static str {
        "second"
    }
}
