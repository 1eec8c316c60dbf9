fn main() {
    // A build dependency that reaches no built artifact: the SBOM lists it as "excluded".
    let host = target_lexicon::HOST;
    println!("cargo:rustc-env=SBOM_DEPS_HOST={}", host.architecture);
}
