use pyo3::prelude::*;
use pyo3::types::PyType;

pyo3::create_exception!(
    stubs_classes,
    ShapeError,
    pyo3::exceptions::PyValueError,
    "Raised for invalid shapes."
);

/// A point in the plane.
#[pyclass(eq, get_all, set_all, from_py_object)]
#[derive(Clone, PartialEq)]
struct Point {
    /// Horizontal coordinate.
    x: f64,
    y: f64,
}

#[pymethods]
impl Point {
    #[new]
    #[pyo3(signature = (x=0.0, y=0.0))]
    fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// Distance from the origin.
    fn norm(&self) -> f64 {
        (self.x * self.x + self.y * self.y).sqrt()
    }

    /// This point scaled by `factor`, optionally rounded.
    #[pyo3(signature = (factor, *, round=false))]
    fn scaled(&self, factor: f64, round: bool) -> Point {
        let f = |v: f64| {
            if round {
                (v * factor).round()
            } else {
                v * factor
            }
        };
        Point {
            x: f(self.x),
            y: f(self.y),
        }
    }

    /// The quadrant (1-4), 0 on an axis.
    #[getter]
    fn quadrant(&self) -> u8 {
        match (self.x, self.y) {
            (x, y) if x > 0.0 && y > 0.0 => 1,
            (x, y) if x < 0.0 && y > 0.0 => 2,
            (x, y) if x < 0.0 && y < 0.0 => 3,
            (x, y) if x > 0.0 && y < 0.0 => 4,
            _ => 0,
        }
    }

    /// The point (0, 0).
    #[staticmethod]
    fn origin() -> Point {
        Point { x: 0.0, y: 0.0 }
    }

    /// A point from an `(x, y)` pair.
    #[classmethod]
    fn from_pair(_cls: &Bound<'_, PyType>, pair: (f64, f64)) -> Point {
        Point {
            x: pair.0,
            y: pair.1,
        }
    }

    #[classattr]
    const DIMENSIONS: usize = 2;

    fn __repr__(&self) -> String {
        format!("Point({}, {})", self.x, self.y)
    }
}

/// A shape that Python code may subclass.
#[pyclass(subclass)]
struct Shape {
    /// The shape's name.
    #[pyo3(get)]
    name: String,
    sides: u32,
}

#[pymethods]
impl Shape {
    #[new]
    fn new(name: String, sides: u32) -> Self {
        Shape { name, sides }
    }

    /// The number of sides (at least 3).
    #[getter]
    fn sides(&self) -> u32 {
        self.sides
    }

    #[setter]
    fn set_sides(&mut self, value: u32) -> PyResult<()> {
        if value < 3 {
            return Err(ShapeError::new_err("a shape has at least 3 sides"));
        }
        self.sides = value;
        Ok(())
    }

    fn __len__(&self) -> usize {
        self.sides as usize
    }
}

/// A square: a shape with four equal sides.
#[pyclass(extends = Shape)]
struct Square {
    #[pyo3(get, set)]
    side: f64,
}

#[pymethods]
impl Square {
    #[new]
    fn new(side: f64) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Shape::new("square".into(), 4)).add_subclass(Square { side })
    }

    fn area(&self) -> f64 {
        self.side * self.side
    }
}

/// Two colours.
#[pyclass(eq, eq_int, skip_from_py_object)]
#[derive(PartialEq, Clone)]
enum Color {
    Red,
    Green,
}

/// A handle that only Rust creates.
#[pyclass]
struct Token {}

/// A new token.
#[pyfunction]
fn make_token() -> Token {
    Token {}
}

/// Classes with methods, class and static methods, properties and attributes.
///
/// A function-style module: its items are added one by one.
#[pymodule]
fn stubs_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ShapeError", m.py().get_type::<ShapeError>())?;
    m.add_class::<Point>()?;
    m.add_class::<Shape>()?;
    m.add_class::<Square>()?;
    m.add_class::<Color>()?;
    m.add_class::<Token>()?;
    m.add_function(wrap_pyfunction!(make_token, m)?)?;
    Ok(())
}
