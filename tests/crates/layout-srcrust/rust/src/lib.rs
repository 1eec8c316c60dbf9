use pyo3::prelude::*;

#[pymodule]
mod layout_srcrust {
    use pyo3::prelude::*;

    #[pyfunction]
    fn answer() -> u32 {
        42
    }
}
