use pyo3::prelude::*;

/// An extension built once for every CPython >= 3.8 (the stable ABI).
#[pymodule]
mod tags_abi3 {
    use pyo3::prelude::*;

    /// The running interpreter's version, as the extension sees it.
    #[pyfunction]
    fn python_version(py: Python<'_>) -> PyResult<(u8, u8)> {
        let info = py.version_info();
        Ok((info.major, info.minor))
    }

    /// Sums a list of integers in Rust.
    #[pyfunction]
    fn total(values: Vec<i64>) -> i64 {
        values.iter().sum()
    }
}
