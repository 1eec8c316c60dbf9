use pyo3::prelude::*;

#[pymodule]
mod layout_stubs_data {
    use pyo3::prelude::*;

    #[pyfunction]
    fn version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}
