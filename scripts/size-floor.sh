#!/usr/bin/env bash
# How much of the widget's weight is Leptos itself: builds bench/leptos-floor (the barest
# hydrated chat: a list, a form, two server functions) exactly as scripts/build-widget.sh
# builds the widget, and prints both bundles' WASM and JS raw, gzip -9 and brotli 11.
# Usage: ./scripts/size-floor.sh   (the widget's figures need ./scripts/build-release.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
floor=bench/leptos-floor
target="$PWD/target/floor"
# The same versions as Switchboard's own build.
cp Cargo.lock "$floor/Cargo.lock"
(cd "$floor" && cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
  --target-dir "$target")
wasm-bindgen --target web --no-typescript --out-dir "$target/bindgen" --out-name floor \
  "$target/wasm32-unknown-unknown/wasm-release/leptos_floor.wasm"
wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types \
  "$target/bindgen/floor_bg.wasm" -o "$target/floor.wasm"
node -e '
const zlib = require("zlib"), fs = require("fs");
const row = (name, file) => {
  if (!fs.existsSync(file)) return console.log(`| ${name} | (not built) | | |`);
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const gz = zlib.gzipSync(data, { level: 9 }).length;
  console.log(`| ${name} | ${data.length} B | ${gz} B | ${br} B |`);
};
console.log("| bundle | raw | gzip -9 | brotli 11 |\n|---|---|---|---|");
row("leptos-floor .wasm", process.argv[1]);
row("leptos-floor .js", process.argv[2]);
row("widget .wasm", "target/site/pkg/widget.wasm");
row("widget .js", "target/site/pkg/widget.js");
' "$target/floor.wasm" "$target/bindgen/floor.js"
