use pyo3::prelude::*;

#[pymodule]
mod layout_workspace {
    use pyo3::prelude::*;

    #[pyfunction]
    fn triangle(n: u64) -> u64 {
        layout_workspace_core::triangle(n)
    }
}
