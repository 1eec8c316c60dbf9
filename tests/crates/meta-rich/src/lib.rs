use pyo3::prelude::*;

/// ferrule's metadata test module.
#[pymodule]
mod meta_rich {
    use pyo3::prelude::*;

    /// Greets; registered as a `meta_rich.plugins` entry point.
    #[pyfunction]
    fn greet(name: &str) -> String {
        format!("hello, {name}")
    }

    /// The `meta-rich` console script.
    #[pyfunction]
    fn main() {
        println!("meta-rich {}", env!("CARGO_PKG_VERSION"));
    }
}
