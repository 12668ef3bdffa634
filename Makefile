# Wink: the two commands are `make run` and `make test` (see README.md).
CARGO_TARGET_DIR ?= $(HOME)/.cache/wink/target
export CARGO_TARGET_DIR

.PHONY: run test bench lint fuzz

## run: the desktop app (on a terminal without a display it says so and names wink-cli).
run:
	cargo run --quiet -p wink-gtk --bin wink

## test: install what the tests need on Debian 12, then run every test of the workspace
## (inside a private D-Bus session with a real gnome-keyring), the architecture check and lint.
test:
	bash scripts/install-test-deps.sh
	bash scripts/run-tests.sh

## bench: the criterion benchmarks (release build).
bench:
	cargo bench -p wink-domain --bench contact_search
	cargo bench -p wink-sip --bench parse_serialize

## lint: formatting and clippy, as the house requires.
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

## fuzz: every fuzz target for FUZZ_SECONDS (default 60) each; stable Rust, via RUSTC_BOOTSTRAP.
FUZZ_SECONDS ?= 60
fuzz:
	cd fuzz && for target in $$(cargo fuzz list); do \
		mkdir -p corpus/$$target && cp -n seeds/$$target/* corpus/$$target/ 2>/dev/null; \
		RUSTC_BOOTSTRAP=1 cargo fuzz run $$target corpus/$$target -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done
