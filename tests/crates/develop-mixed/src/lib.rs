use pyo3::prelude::*;

/// The native half of the develop-mixed test package.
#[pymodule]
#[pyo3(name = "_native")]
mod develop_mixed {
    use pyo3::prelude::*;

    /// A number that tests change to see a rebuild.
    #[pyfunction]
    fn answer() -> i64 {
        42
    }

    /// From greeting.txt and $DEVELOP_MIXED_SUFFIX, through the build script.
    #[pyfunction]
    fn greeting() -> &'static str {
        env!("DEVELOP_MIXED_GREETING")
    }

    /// "debug" or "release": which profile built this module.
    #[pyfunction]
    fn profile() -> &'static str {
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    }

    /// Whether the `loud` cargo feature is on.
    #[pyfunction]
    fn loud() -> bool {
        cfg!(feature = "loud")
    }

    /// The version in Cargo.toml.
    #[pyfunction]
    fn version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// $DEVELOP_MIXED_TAG when compiled (read by rustc itself, not a build script).
    #[pyfunction]
    fn tag() -> &'static str {
        option_env!("DEVELOP_MIXED_TAG").unwrap_or("")
    }
}
