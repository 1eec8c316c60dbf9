use pyo3::prelude::*;

/// One of two stable-ABI extensions in one abi3 wheel.
#[pymodule]
mod _second {
    use pyo3::prelude::*;

    #[pyfunction]
    fn which() -> &'static str {
        "second"
    }
}
