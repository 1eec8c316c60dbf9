use pyo3::prelude::*;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_uint, c_ulong};

extern "C" {
    // zlib
    fn zlibVersion() -> *const c_char;
    fn crc32(crc: c_ulong, buf: *const u8, len: c_uint) -> c_ulong;
    // bzip2
    fn BZ2_bzlibVersion() -> *const c_char;
    fn BZ2_bzBuffToBuffCompress(
        dest: *mut c_char,
        dest_len: *mut c_uint,
        source: *const c_char,
        source_len: c_uint,
        block_size_100k: c_int,
        verbosity: c_int,
        work_factor: c_int,
    ) -> c_int;
}

#[pymodule]
mod audit_syslibs {
    use super::*;

    /// The versions of the two C libraries the extension calls.
    #[pyfunction]
    fn versions() -> (String, String) {
        unsafe {
            (
                CStr::from_ptr(zlibVersion()).to_string_lossy().into_owned(),
                CStr::from_ptr(BZ2_bzlibVersion()).to_string_lossy().into_owned(),
            )
        }
    }

    /// zlib's CRC-32 of some bytes.
    #[pyfunction]
    fn zlib_crc32(data: &[u8]) -> u64 {
        unsafe { crc32(0, data.as_ptr(), data.len() as c_uint) as u64 }
    }

    /// bzip2-compresses some bytes.
    #[pyfunction]
    fn bz2_compress(data: &[u8]) -> PyResult<Vec<u8>> {
        let mut out = vec![0u8; data.len() + data.len() / 100 + 600];
        let mut out_len = out.len() as c_uint;
        let rc = unsafe {
            BZ2_bzBuffToBuffCompress(
                out.as_mut_ptr() as *mut c_char,
                &mut out_len,
                data.as_ptr() as *const c_char,
                data.len() as c_uint,
                9,
                0,
                0,
            )
        };
        if rc != 0 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!("bzip2 error {rc}")));
        }
        out.truncate(out_len as usize);
        Ok(out)
    }
}
