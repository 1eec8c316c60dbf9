//! Writes the C header cffi reads into cargo's target directory (CARGO_TARGET_DIR
//! when set, else the crate's target/), where maturin looks for `header.h`.
//! It declares a type cbindgen would not write, so a test can tell whose header was used.

use std::env;
use std::path::PathBuf;

const HEADER: &str = "\
typedef int32_t header_from_build_script;

header_from_build_script triple(header_from_build_script x);
";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let target = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("target"),
    };
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("header.h"), HEADER).unwrap();
}
