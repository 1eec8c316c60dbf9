fn main() { println!("extra"); }
