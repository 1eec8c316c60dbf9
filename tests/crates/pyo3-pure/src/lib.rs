use pyo3::prelude::*;

/// A pure-Rust test module.
#[pymodule]
mod pyo3_pure {
    use pyo3::prelude::*;

    /// Formats the sum of two numbers as string.
    #[pyfunction]
    fn sum_as_string(a: usize, b: usize) -> PyResult<String> {
        Ok((a + b).to_string())
    }

    /// Multiplies two floats.
    #[pyfunction]
    #[pyo3(signature = (x, y=2.0))]
    fn scale(x: f64, y: f64) -> f64 {
        x * y
    }

    /// A counter that lives in Rust.
    #[pyclass]
    struct Counter {
        #[pyo3(get)]
        value: i64,
    }

    #[pymethods]
    impl Counter {
        #[new]
        #[pyo3(signature = (start=0))]
        fn new(start: i64) -> Self {
            Counter { value: start }
        }

        fn increment(&mut self, by: i64) -> i64 {
            self.value += by;
            self.value
        }
    }
}
