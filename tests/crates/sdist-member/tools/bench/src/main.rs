fn main() {
    println!("{}", member_core::fib(50));
}
