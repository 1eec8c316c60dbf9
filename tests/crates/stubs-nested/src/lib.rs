use pyo3::prelude::*;

/// The native part of stubs_nested.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    #[pymodule_export]
    const VERSION: &str = "1.0";

    /// Greets `name`, loudly if asked.
    #[pyfunction]
    #[pyo3(signature = (name, *, loud=false))]
    fn greet(name: &str, loud: bool) -> String {
        if loud {
            format!("HELLO {}", name.to_uppercase())
        } else {
            format!("hello {name}")
        }
    }

    /// Plane geometry; registered in sys.modules, so `import stubs_nested._native.geometry` works.
    #[pymodule]
    mod geometry {
        use pyo3::prelude::*;
        use pyo3::types::PyType;

        /// A vector in the plane.
        #[pyclass(get_all, set_all)]
        pub struct Vector {
            pub x: f64,
            pub y: f64,
        }

        #[pymethods]
        impl Vector {
            #[new]
            #[pyo3(signature = (x=0.0, y=0.0))]
            fn new(x: f64, y: f64) -> Self {
                Vector { x, y }
            }

            /// The Euclidean length.
            fn norm(&self) -> f64 {
                (self.x * self.x + self.y * self.y).sqrt()
            }

            fn scaled(&self, factor: f64) -> Vector {
                Vector {
                    x: self.x * factor,
                    y: self.y * factor,
                }
            }

            /// Always "vector".
            #[getter]
            fn kind(&self) -> &'static str {
                "vector"
            }

            #[staticmethod]
            fn zero() -> Vector {
                Vector { x: 0.0, y: 0.0 }
            }

            #[classmethod]
            fn unit_x(_cls: &Bound<'_, PyType>) -> Vector {
                Vector { x: 1.0, y: 0.0 }
            }
        }

        /// The dot product.
        #[pyfunction]
        fn dot(a: PyRef<'_, Vector>, b: PyRef<'_, Vector>) -> f64 {
            a.x * b.x + a.y * b.y
        }

        /// Unit conversions.
        #[pymodule]
        mod units {
            use pyo3::prelude::*;

            #[pymodule_export]
            const METERS_PER_FOOT: f64 = 0.3048;

            /// Meters to feet.
            #[pyfunction]
            fn feet(meters: f64) -> f64 {
                meters / METERS_PER_FOOT
            }
        }

        #[pymodule_init]
        fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add("ORIGIN", (0.0, 0.0))?;
            Ok(())
        }
    }

    /// Text helpers.
    #[pymodule]
    mod text {
        use pyo3::prelude::*;

        /// `s` in capitals.
        #[pyfunction]
        fn shout(s: &str) -> String {
            s.to_uppercase()
        }

        /// Words of `s`, at most `limit` of them.
        #[pyfunction]
        #[pyo3(signature = (s, limit=None))]
        fn words(s: &str, limit: Option<usize>) -> Vec<String> {
            let all = s.split_whitespace().map(String::from);
            match limit {
                Some(n) => all.take(n).collect(),
                None => all.collect(),
            }
        }
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // As pyo3's guide suggests, so that `import stubs_nested._native.geometry` works
        // (each submodule has a stub file, and mypy's stubtest imports each).
        let modules = m.py().import("sys")?.getattr("modules")?;
        let geometry = m.getattr("geometry")?;
        modules.set_item("stubs_nested._native.geometry.units", geometry.getattr("units")?)?;
        modules.set_item("stubs_nested._native.geometry", geometry)?;
        modules.set_item("stubs_nested._native.text", m.getattr("text")?)?;
        Ok(())
    }
}
