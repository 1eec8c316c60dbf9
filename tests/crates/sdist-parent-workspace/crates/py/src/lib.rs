use pyo3::prelude::*;

/// Bindings for parent-shared, a crate of the parent workspace.
#[pymodule]
mod sdist_parent_workspace {
    use pyo3::prelude::*;

    #[pyfunction]
    fn digit_sum(n: u64) -> u64 {
        parent_shared::digit_sum(n)
    }
}
