use pyo3::prelude::*;

#[pymodule]
mod _shapes {
    use pyo3::prelude::*;

    #[pyfunction]
    fn rectangle_area(w: f64, h: f64) -> f64 {
        ws_shapes::rectangle_area(w, h)
    }
}
