use pyo3::prelude::*;

/// Built with pyproject.toml's `rustc-args` (`--cfg layout_strip_probe`), or not.
#[pymodule]
mod layout_strip {
    use pyo3::prelude::*;

    #[pyfunction]
    fn flavour() -> &'static str {
        if cfg!(layout_strip_probe) {
            "rustc-args"
        } else {
            "plain"
        }
    }
}
