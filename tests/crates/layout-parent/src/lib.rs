use pyo3::prelude::*;

#[pymodule]
mod _rust {
    use pyo3::prelude::*;

    #[pyfunction]
    fn where_am_i() -> &'static str {
        "in the parent directory's crate"
    }
}
