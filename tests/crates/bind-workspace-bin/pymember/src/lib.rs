pub use shared::greeting;
