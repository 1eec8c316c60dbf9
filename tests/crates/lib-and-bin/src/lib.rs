use pyo3::prelude::*;

#[pymodule]
mod lib_and_bin {
    use pyo3::prelude::*;

    #[pyfunction]
    fn greet() -> &'static str {
        "from the library"
    }
}
