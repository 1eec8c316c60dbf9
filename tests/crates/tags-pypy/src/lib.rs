use pyo3::prelude::*;

/// Reports which interpreter loaded it.
#[pyfunction]
fn implementation(py: Python<'_>) -> PyResult<String> {
    let sys = py.import("sys")?;
    sys.getattr("implementation")?.getattr("name")?.extract()
}

/// Doubles a number.
#[pyfunction]
fn double(x: i64) -> i64 {
    x * 2
}

#[pymodule]
fn tags_pypy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(implementation, m)?)?;
    m.add_function(wrap_pyfunction!(double, m)?)?;
    Ok(())
}
