fn main() {
    println!("{}", shared::greeting());
}
