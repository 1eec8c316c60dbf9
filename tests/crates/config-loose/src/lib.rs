use pyo3::prelude::*;

/// Built from a pyproject.toml that ferrule warns about.
#[pymodule]
mod config_loose {
    use pyo3::prelude::*;

    /// Doubles a number.
    #[pyfunction]
    fn double(x: i64) -> i64 {
        2 * x
    }
}
