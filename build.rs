// The migrations are compiled into the binary (`sqlx::migrate!`): rebuild when one is added or
// changed, or a new migration would silently be missing from the build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
