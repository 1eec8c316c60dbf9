pub fn greeting() -> &'static str {
    if cfg!(feature = "python") {
        "built with python"
    } else {
        "built without python"
    }
}
