use pyo3::prelude::*;

/// A module whose SBOM has a path, a build and a dev dependency.
#[pymodule]
mod sbom_deps {
    use pyo3::prelude::*;

    /// Doubles a number through the path dependency.
    #[pyfunction]
    fn double(x: i64) -> i64 {
        sbom_helper::double(x)
    }

    /// The architecture the build script saw.
    #[pyfunction]
    fn host() -> &'static str {
        env!("SBOM_DEPS_HOST")
    }
}
