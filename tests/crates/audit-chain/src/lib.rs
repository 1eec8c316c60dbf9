use pyo3::prelude::*;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

extern "C" {
    // libchaina, which calls into libchainb for both
    fn chain_a_compute(x: c_int) -> c_int;
    fn chain_a_next() -> *const c_char;
}

#[pymodule]
mod audit_chain {
    use super::*;

    /// 7 * x + 1: libchaina adds one to what libchainb computes.
    #[pyfunction]
    fn compute(x: i32) -> i32 {
        unsafe { chain_a_compute(x) }
    }

    /// The name libchainb gives itself, asked through libchaina.
    #[pyfunction]
    fn next_library() -> String {
        unsafe { CStr::from_ptr(chain_a_next()).to_string_lossy().into_owned() }
    }
}
