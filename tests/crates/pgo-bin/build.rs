// A build script: built instrumented in phase 1 and run by cargo on the host, it
// writes a profile of its own before pgo-command runs (tests/integration/test_pgo.py).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
}
