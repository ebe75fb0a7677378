#!/usr/bin/env bash
# Rebuilds only the widget's lean bundle into target/site/pkg (widget.js and widget.wasm, with
# .br and .gz): scripts/build-site.sh --widget-only. scripts/build-release.sh builds it with the
# rest of the site; without it (`cargo leptos watch`), the widget hydrates with the app's bundle.
set -euo pipefail
exec bash "$(dirname "$0")/build-site.sh" --widget-only
