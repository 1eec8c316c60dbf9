use pyo3::prelude::*;

#[pymodule]
mod ext {
    use pyo3::prelude::*;

    #[pyfunction]
    fn depth() -> u8 {
        3
    }
}
