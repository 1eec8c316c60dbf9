//! A module written against the raw C API through pyo3-ffi.
use pyo3_ffi::*;
use std::ptr;

static mut METHODS: [PyMethodDef; 2] = [
    PyMethodDef {
        ml_name: c"answer".as_ptr(),
        ml_meth: PyMethodDefPointer { PyCFunction: answer },
        ml_flags: METH_NOARGS,
        ml_doc: c"The answer.".as_ptr(),
    },
    PyMethodDef::zeroed(),
];

static mut MODULE_DEF: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"bind_pyo3_ffi".as_ptr(),
    m_doc: c"A raw pyo3-ffi module.".as_ptr(),
    m_size: 0,
    m_methods: ptr::null_mut(),
    m_slots: ptr::null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

unsafe extern "C" fn answer(_module: *mut PyObject, _args: *mut PyObject) -> *mut PyObject {
    PyLong_FromLong(42)
}

#[allow(non_snake_case, static_mut_refs)]
#[no_mangle]
pub unsafe extern "C" fn PyInit_bind_pyo3_ffi() -> *mut PyObject {
    MODULE_DEF.m_methods = METHODS.as_mut_ptr();
    PyModule_Create(ptr::addr_of_mut!(MODULE_DEF))
}
