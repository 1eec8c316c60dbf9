use pyo3::prelude::*;

#[pymodule]
mod _core {
    use pyo3::prelude::*;

    #[pyfunction]
    fn shout(s: &str) -> String {
        s.to_uppercase()
    }
}
