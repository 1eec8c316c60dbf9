//! A workspace member the Python bindings depend on.

pub fn rectangle_area(w: f64, h: f64) -> f64 {
    assert!(w >= 0.0 && h >= 0.0, "negative side length");
    w * h
}
