fn main() {
    println!("{}", ws_shapes::rectangle_area(2.0, 3.0));
}
