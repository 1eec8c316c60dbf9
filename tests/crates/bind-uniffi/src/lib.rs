fn add(a: u32, b: u32) -> u32 {
    a + b
}

fn hello(name: String) -> String {
    format!("hello {name}")
}

uniffi::include_scaffolding!("arith");
