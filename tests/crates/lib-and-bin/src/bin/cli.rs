fn main() {
    println!("from the binary");
}
