//! Writes data/sample.csv from the deterministic generator in `takedowns::sample`.
fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample.csv");
    std::fs::write(&path, takedowns::sample::generate_sample_csv())?;
    println!("wrote {}", path.display());
    Ok(())
}
