#[no_mangle]
pub extern "C" fn times_three(x: i64) -> i64 {
    x * 3
}
