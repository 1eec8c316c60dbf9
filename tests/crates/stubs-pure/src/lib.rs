//! maturin's test-crates/pyo3-stub-generation-pure, with a submodule one level deeper and
//! the submodules registered in sys.modules (as pyo3's guide shows), so that
//! `import stubs_pure.submodule` works and mypy's stubtest can import every stubbed module.
use pyo3::prelude::*;

#[pymodule]
mod stubs_pure {
    use pyo3::prelude::*;

    /// A class of the package.
    #[pyclass]
    struct Class {}

    #[pymethods]
    impl Class {
        #[new]
        fn new() -> Self {
            Class {}
        }

        fn name(&self) -> &'static str {
            "Class"
        }
    }

    #[pyfunction]
    fn func(a: usize) -> usize {
        a
    }

    #[pymodule]
    mod submodule {
        use pyo3::prelude::*;

        #[pyclass]
        struct Class2 {
            #[pyo3(get)]
            value: i64,
        }

        #[pymethods]
        impl Class2 {
            #[new]
            fn new(value: i64) -> Self {
                Class2 { value }
            }
        }

        #[pymodule]
        mod nested {
            use pyo3::prelude::*;

            #[pyfunction]
            fn triple(x: i64) -> i64 {
                3 * x
            }
        }
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let modules = m.py().import("sys")?.getattr("modules")?;
        let submodule = m.getattr("submodule")?;
        modules.set_item("stubs_pure.submodule.nested", submodule.getattr("nested")?)?;
        modules.set_item("stubs_pure.submodule", submodule)?;
        Ok(())
    }
}
