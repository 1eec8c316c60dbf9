use pyo3::prelude::*;

#[pymodule]
mod _ext {
    use pyo3::prelude::*;

    #[pyfunction]
    fn ping() -> &'static str {
        "pong"
    }
}
