#[no_mangle]
pub extern "C" fn triple(x: i32) -> i32 {
    3 * x
}
