//! Plain Rust code the extension module uses (a path dependency inside the project).

pub fn greeting(name: &str) -> String {
    format!("hello, {name}, from a path dependency")
}

pub fn checked_double(x: u32) -> u32 {
    match x.checked_mul(2) {
        Some(v) => v,
        None => panic!("{x} is too large to double"),
    }
}
