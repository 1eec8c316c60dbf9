use pyo3::prelude::*;

#[pymodule]
mod licenses_pathdep {
    use pyo3::prelude::*;

    #[pyfunction]
    fn greet(name: &str) -> String {
        greeter::greet(name)
    }
}
