/// Doubles a number (the path dependency's one function).
pub fn double(x: i64) -> i64 {
    2 * x
}
