use pyo3::prelude::*;

/// The total number of Collatz steps of 1..=n: branchy work for a profile to see.
#[pyfunction]
fn collatz_total(n: u64) -> u64 {
    let mut total = 0;
    for start in 1..=n {
        let mut x = start;
        while x != 1 {
            x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
            total += 1;
        }
    }
    total
}

#[pymodule]
fn pgo_mini(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(collatz_total, m)?)?;
    Ok(())
}
