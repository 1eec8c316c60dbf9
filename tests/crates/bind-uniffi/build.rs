fn main() {
    uniffi::generate_scaffolding("src/arith.udl").unwrap();
}
