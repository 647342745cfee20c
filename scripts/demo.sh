#!/usr/bin/env bash
# The main job on the embedded sample: headline, compliance by platform, reach by group, monthly trend.
source "$(dirname "$0")/env.sh"
cargo run --release --quiet --example demo
