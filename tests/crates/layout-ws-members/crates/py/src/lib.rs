use pyo3::prelude::*;

/// A workspace member that takes its version from the workspace.
#[pymodule]
mod layout_ws_members {
    use pyo3::prelude::*;

    #[pyfunction]
    fn version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}
