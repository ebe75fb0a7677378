#!/usr/bin/env bash
# Builds the lean widget bundle into target/site/pkg: widget.js and widget.wasm, with .br and
# .gz beside them. The same crate as the app, with the `widget-bundle` feature: its `hydrate`
# mounts the widget page alone, so the dashboard, the router and everything only agents use
# fall out of the WASM. scripts/build-release.sh runs it between the site and the server, so
# the binary embeds it. Without it (`cargo leptos watch`), the widget hydrates with the app's
# bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
pkg=target/site/pkg
# cargo-leptos's own target folder, so the dependencies compiled for the app's bundle serve.
# Built as the release server renders (without `erase_components`, which would type-erase the
# browser's views and no longer match the server's HTML when hydrating).
target=target/front
cargo build --lib --target wasm32-unknown-unknown \
  --profile wasm-release --no-default-features --features hydrate,widget-bundle \
  --target-dir "$target"
mkdir -p "$pkg"
wasm-bindgen --target web --no-typescript --out-dir "$target/bindgen" --out-name widget \
  "$target/wasm32-unknown-unknown/wasm-release/switchboard.wasm"
wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types \
  "$target/bindgen/widget_bg.wasm" -o "$pkg/widget.wasm"
# leptos's hydration script loads `{name}.wasm` beside `{name}.js`.
sed 's/widget_bg\.wasm/widget.wasm/g' "$target/bindgen/widget.js" > "$pkg/widget.js"
# Brotli (quality 11) and gzip (level 9), as the server sends them precompressed.
node -e '
const zlib = require("zlib"), fs = require("fs");
for (const file of process.argv.slice(1)) {
  const data = fs.readFileSync(file);
  fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
  console.log(`${file}: ${data.length} B, br ${fs.statSync(file + ".br").size} B`);
}' "$pkg/widget.wasm" "$pkg/widget.js"
