// Reads a data file and an environment variable, so that tests can check that
// ferrule rebuilds when build-script inputs change.
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=greeting.txt");
    println!("cargo:rerun-if-env-changed=DEVELOP_MIXED_SUFFIX");
    let greeting = fs::read_to_string("greeting.txt").expect("greeting.txt");
    let suffix = env::var("DEVELOP_MIXED_SUFFIX").unwrap_or_default();
    println!("cargo:rustc-env=DEVELOP_MIXED_GREETING={}{}", greeting.trim(), suffix);
}
