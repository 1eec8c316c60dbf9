// Defines `BUILT_BY`: the sys.prefix of the interpreter that ran the build script.
include!(concat!(env!("OUT_DIR"), "/generated.rs"));

#[pyo3::pymodule]
mod bind_build_script {
    use pyo3::prelude::*;

    #[pyfunction]
    fn built_by() -> &'static str {
        super::BUILT_BY
    }
}
