/// Prints the sum of the first N squares (N from the first argument, default 10).
fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    println!("{}", (1..=n).map(|i| i * i).sum::<u64>());
}
