use pyo3::prelude::*;

/// Functions with defaults, keyword-only and positional-only arguments.
#[pymodule]
mod stubs_funcs {
    use pyo3::prelude::*;
    use pyo3::types::{PyDict, PyTuple};

    #[pymodule_export]
    const VERSION: &str = "1.2.3";

    /// Adds two integers.
    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }

    /// Repeats `text`, joined by `sep`.
    #[pyfunction]
    #[pyo3(signature = (text, times=2, sep=" "))]
    fn repeat(text: &str, times: usize, sep: &str) -> String {
        vec![text; times].join(sep)
    }

    /// Scales and shifts `x`; `scale` and `offset` are keyword-only.
    #[pyfunction]
    #[pyo3(signature = (x, *, scale=1.0, offset=None))]
    fn transform(x: f64, scale: f64, offset: Option<f64>) -> f64 {
        x * scale + offset.unwrap_or(0.0)
    }

    /// Counts the positional and keyword arguments.
    #[pyfunction]
    #[pyo3(signature = (*values, **options))]
    fn count(values: &Bound<'_, PyTuple>, options: Option<&Bound<'_, PyDict>>) -> usize {
        values.len() + options.map_or(0, |o| o.len())
    }

    /// Clamps `value` into `[low, high]`; `value` and `low` are positional-only.
    #[pyfunction]
    #[pyo3(signature = (value, low, /, high=100))]
    fn clamp(value: i64, low: i64, high: i64) -> i64 {
        value.max(low).min(high)
    }

    /// Formats its arguments.
    #[pyfunction]
    #[pyo3(signature = (flag=true, label="it's \"quoted\"", limit=-1, ratio=0.25))]
    fn describe(flag: bool, label: &str, limit: i64, ratio: f64) -> String {
        format!("{flag} {label} {limit} {ratio}")
    }

    /// A function whose signature is hidden from Python.
    #[pyfunction]
    #[pyo3(text_signature = None)]
    fn opaque(x: i64) -> i64 {
        -x
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("RATIO", 0.5)?;
        m.add("NAMES", vec!["a", "b"])?;
        m.add("LIMITS", (1, 10))?;
        m.add("ENABLED", true)?;
        Ok(())
    }
}
