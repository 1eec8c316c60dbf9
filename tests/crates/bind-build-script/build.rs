//! Generates code with a module that is installed only in the build environment,
//! through the interpreter the build tool hands over in PYO3_PYTHON.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    let python = env::var("PYO3_PYTHON").expect("PYO3_PYTHON is not set");
    let out = Command::new(&python)
        .args(["-c", "import bind_codegen; print(bind_codegen.rust_source())"])
        .output()
        .expect("cannot run PYO3_PYTHON");
    assert!(
        out.status.success(),
        "code generation with {python} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("generated.rs");
    std::fs::write(dest, out.stdout).unwrap();
}
