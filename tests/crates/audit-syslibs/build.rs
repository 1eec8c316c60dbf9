// libz is on every manylinux policy's whitelist; libbz2 is not, so a
// repaired wheel must carry its own copy of libbz2.
fn main() {
    println!("cargo:rustc-link-lib=dylib=z");
    println!("cargo:rustc-link-lib=dylib=bz2");
    if let Ok(dir) = std::env::var("AUDIT_SYSLIBS_LIB_DIR") {
        println!("cargo:rustc-link-search=native={dir}");
    }
    println!("cargo:rerun-if-env-changed=AUDIT_SYSLIBS_LIB_DIR");
}
