// `sqlx::migrate!` embeds the migration files at compile time; without this, a new migration file
// is not seen until some source file of the crate changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
