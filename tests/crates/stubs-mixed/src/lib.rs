//! maturin's test-crates/pyo3-stub-generation-mixed, with a class and a submodule one level
//! deeper, registered in sys.modules (as pyo3's guide shows) under the names they have in
//! the package, so that mypy's stubtest can import every stubbed module.
use pyo3::prelude::*;

#[pymodule]
mod stubs_mixed {
    use pyo3::prelude::*;

    #[pyfunction]
    fn get_21() -> usize {
        21
    }

    #[pymodule]
    mod submodule {
        use pyo3::prelude::*;

        #[pyfunction]
        fn get_42() -> usize {
            42
        }

        /// A counter.
        #[pyclass]
        struct Counter {
            #[pyo3(get)]
            count: u32,
        }

        #[pymethods]
        impl Counter {
            #[new]
            #[pyo3(signature = (start=0))]
            fn new(start: u32) -> Self {
                Counter { count: start }
            }

            fn bump(&mut self) -> u32 {
                self.count += 1;
                self.count
            }
        }

        #[pymodule]
        mod deeper {
            #[pymodule_export]
            const ANSWER: u32 = 42;
        }
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let modules = m.py().import("sys")?.getattr("modules")?;
        let submodule = m.getattr("submodule")?;
        modules.set_item(
            "stubs_mixed.stubs_mixed.submodule.deeper",
            submodule.getattr("deeper")?,
        )?;
        modules.set_item("stubs_mixed.stubs_mixed.submodule", submodule)?;
        Ok(())
    }
}
