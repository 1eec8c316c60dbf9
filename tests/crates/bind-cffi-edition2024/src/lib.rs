/// Becomes `#define ANSWER 42` in the header, a constant of the ffi module.
pub const ANSWER: i32 = 42;

#[unsafe(no_mangle)]
pub extern "C" fn halve(x: i32) -> i32 {
    x / 2
}
