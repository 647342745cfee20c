.DEFAULT_GOAL := help
help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
demo: ## Run the main job on the embedded sample
	bash scripts/demo.sh
test: ## Run every test (Rust, Python, doctests, type checks)
	bash scripts/test.sh
sample: ## Regenerate data/sample.csv from the deterministic generator
	cargo run --release --example generate_sample
bench: ## Criterion benches for the Rust core
	cargo bench --bench core
