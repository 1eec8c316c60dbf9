use pyo3::prelude::*;

#[pymodule]
mod _rs {
    use pyo3::prelude::*;

    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }
}
