use pyo3::prelude::*;

extern "C" {
    // New in glibc 2.36: the extension needs manylinux_2_36 or later.
    fn arc4random() -> u32;
}

#[pymodule]
mod audit_glibc_new {
    use pyo3::prelude::*;

    /// Random numbers from glibc's arc4random.
    #[pyfunction]
    fn random_words(n: usize) -> Vec<u32> {
        (0..n).map(|_| unsafe { super::arc4random() }).collect()
    }
}
