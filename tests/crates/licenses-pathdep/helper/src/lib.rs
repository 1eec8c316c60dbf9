/// A greeting from a path dependency.
pub fn greet(name: &str) -> String {
    format!("hello, {name}")
}
