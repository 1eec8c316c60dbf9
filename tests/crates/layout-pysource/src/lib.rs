use pyo3::prelude::*;

#[pymodule]
mod _core {
    use pyo3::prelude::*;

    #[pyfunction]
    fn shout(s: &str) -> String {
        let loud = s.to_uppercase();
        if cfg!(feature = "pypy-only") {
            return "built for PyPy".into();
        }
        if cfg!(feature = "loud") {
            format!("{loud}!")
        } else {
            loud
        }
    }
}
