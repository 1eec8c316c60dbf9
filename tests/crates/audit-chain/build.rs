// Two C shared libraries, libchaina -> libchainb, built into OUT_DIR: outside
// every directory the loader searches, so only a repaired wheel (which bundles
// both) can import. The extension itself links libchaina alone.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn compile(dir: &Path, name: &str, extra: &[&str]) {
    let compiler = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let soname = format!("lib{name}.so.1");
    let status = Command::new(&compiler)
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(dir.join(&soname))
        .arg(format!("csrc/{name}.c"))
        .arg(format!("-Wl,-soname,{soname}"))
        .args(extra)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {compiler}: {e}"));
    assert!(status.success(), "{compiler} failed to build lib{name}");
    let link = dir.join(format!("lib{name}.so"));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&soname, &link).expect("symlink the development name");
}

fn main() {
    let dir = PathBuf::from(env::var("OUT_DIR").unwrap()).join("chain");
    std::fs::create_dir_all(&dir).unwrap();
    compile(&dir, "chainb", &[]);
    let search = format!("-L{}", dir.display());
    compile(&dir, "chaina", &[&search, "-lchainb"]);
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=chaina");
    // The linker reads libchaina's own needs (libchainb) from here.
    println!("cargo:rustc-link-arg=-Wl,-rpath-link,{}", dir.display());
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=CC");
}
