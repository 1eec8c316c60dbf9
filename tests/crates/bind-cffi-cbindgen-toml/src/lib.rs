#[repr(C)]
pub struct Pair {
    pub left: i32,
    pub right: i32,
}

#[no_mangle]
pub extern "C" fn pair_sum(pair: Pair) -> i32 {
    pair.left + pair.right
}
