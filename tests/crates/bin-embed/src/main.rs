use pyo3::prelude::*;

// Runs Python code in the interpreter it embeds and prints what it found.
fn main() -> PyResult<()> {
    let args: Vec<i64> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    Python::attach(|py| {
        let total: i64 = py.import("builtins")?.getattr("sum")?.call1((args,))?.extract()?;
        let version = py.import("sys")?.getattr("version_info")?;
        let major: u8 = version.getattr("major")?.extract()?;
        let minor: u8 = version.getattr("minor")?.extract()?;
        println!("bin-embed: Python {major}.{minor} sum {total}");
        Ok(())
    })
}
