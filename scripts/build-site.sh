#!/usr/bin/env bash
# Builds the site the release binary embeds, into target/site, without cargo-leptos: what
# `cargo leptos build --release --precompress --frontend-only --split` does, with the tools the
# run path installs (cargo, wasm-bindgen, wasm-split-cli, wasm-opt, node). cargo-leptos itself
# is needed only for `cargo leptos watch` (scripts/install-dev-tools.sh).
#   pkg/switchboard.{js,wasm,css}  the dashboard's bundle (features `hydrate,dashboard-bundle`:
#                                  no widget in it) and the styles
#   pkg/widget.{js,wasm}           the widget's lean bundle (features `hydrate,widget-bundle`),
#   pkg/__wasm_split.js, pkg/split_*.{hash}.wasm  and the chunks split off it (`wasm-split-cli`)
#   public/*                       copied to the site's root (embed.js, sw.js, favicon)
# each with .br (brotli 11) and .gz (gzip 9) beside it, as the server sends them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
site=target/site
pkg="$site/pkg"
# cargo-leptos's own front-end target folder, so `cargo leptos watch` and this share nothing
# by accident and the two bundles share their compiled dependencies.
target=target/front
mkdir -p "$pkg"
# One browser bundle in two steps: cargo compiles the crate for wasm32 with `features`; then
# wasm-bindgen writes its JS glue and wasm-opt shrinks the module. leptos's hydration script
# loads `{name}.wasm` beside `{name}.js`, so the module loses wasm-bindgen's `_bg` suffix. Each
# build overwrites the same switchboard.wasm, so it is kept under the bundle's name.
compile() {
  local name="$1" features="$2" flags="--cfg erase_components"
  # wasm-split-cli reads the linker's relocations to move code into chunks; left in the
  # dashboard's module (not split), they stop wasm-opt. Only the final link differs, so the
  # two bundles still share their compiled dependencies.
  [ "$name" = widget ] && flags="$flags -Clink-args=--emit-relocs"
  echo "[build-site] compiling $name.wasm (features $features)"
  RUSTFLAGS="$flags" \
    cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
    --no-default-features --features "$features" --target-dir "$target"
  cp -p "$target/wasm32-unknown-unknown/wasm-release/switchboard.wasm" "$target/$name.wasm"
}
bind() {
  local name="$1"
  if [ "$pkg/$name.wasm" -nt "$target/$name.wasm" ] && [ "$pkg/$name.js" -nt "$target/$name.wasm" ]; then
    return # unchanged since it was last bound
  fi
  local input="$target/$name.wasm" split=() chunks=()
  if [ "$name" = widget ]; then
    # The widget's `#[wasm_split]` functions (src/widget/mod.rs) become chunks of their own,
    # fetched when first called; the main module keeps what the first open needs.
    echo "[build-site] splitting $name.wasm"
    rm -rf "$target/split" && mkdir -p "$target/split"
    wasm-split-cli "$input" "$target/split" --out-name "$name" --target web
    input="$target/split/$name.wasm"
    split=(--keep-lld-exports --no-demangle)
    # Code two chunks share (here, Leptos: the widget's chunk and the chat's) is a chunk of its
    # own, `chunk_{n}.wasm`, fetched with either.
    chunks=("$target"/split/split_*.wasm)
    shopt -s nullglob
    chunks+=("$target"/split/chunk_*.wasm)
    shopt -u nullglob
  fi
  echo "[build-site] binding and shrinking $name.wasm"
  wasm-bindgen --target web --no-typescript "${split[@]}" --out-dir "$target/bindgen" \
    --out-name "$name" "$input"
  shrink "$target/bindgen/${name}_bg.wasm" "$pkg/$name.wasm"
  sed "s/${name}_bg\.wasm/${name}.wasm/g" "$target/bindgen/$name.js" > "$pkg/$name.js"
  if [ ${#chunks[@]} -gt 0 ]; then
    # Chunks are named by their content, so a page still running the previous deployment's
    # code never instantiates a new chunk against it: it gets a 404 and offers a reload.
    rm -f "$pkg"/split_*.wasm "$pkg"/split_*.wasm.br "$pkg"/split_*.wasm.gz
    cp "$target/split/__wasm_split.js" "$target/split/link.js"
    # Every chunk's served name starts with `split_` (the server caches those for good).
    for chunk in "${chunks[@]}"; do
      local base served hash
      base=$(basename "$chunk" .wasm)
      served="split_${base#split_}"
      shrink "$chunk" "$target/split/$base.opt.wasm"
      hash=$(sha256sum "$target/split/$base.opt.wasm" | cut -c1-16)
      mv "$target/split/$base.opt.wasm" "$pkg/$served.$hash.wasm"
      sed -i "s#\./$base\.wasm#./$served.$hash.wasm#" "$target/split/link.js"
    done
    mv "$target/split/link.js" "$pkg/__wasm_split.js"
  fi
}
shrink() {
  wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types "$1" -o "$2"
}

# --compile / --bind run one half (scripts/build-release.sh installs wasm-bindgen while the
# bundles compile); --widget-only rebuilds the widget's bundle alone.
step="${1:-all}"
bundles=("switchboard hydrate,dashboard-bundle" "widget hydrate,widget-bundle")
[ "$step" = "--widget-only" ] && bundles=("widget hydrate,widget-bundle")
# Both bundles type-erase their views (`--cfg erase_components`): the widget's WASM is 13% and
# the dashboard's 31% smaller (docs/benchmarks.md). The server must render with the same flag
# (scripts/build-release.sh, and test.sh's builds), or hydration no longer matches its HTML.
if [ "$step" != "--bind" ]; then
  for bundle in "${bundles[@]}"; do compile $bundle; done
fi
[ "$step" = "--compile" ] && exit 0
for bundle in "${bundles[@]}"; do bind $bundle; done
if [ "$step" != "--widget-only" ]; then
  cp style/main.css "$pkg/switchboard.css"
  cp -R public/. "$site/"
fi

# Brotli (quality 11) and gzip (level 9) beside every file, as the server sends them
# precompressed; files whose .br is newer than they are were done before.
echo "[build-site] precompressing"
find "$site" -type f ! -name '*.br' ! -name '*.gz' -print0 | xargs -0 node -e '
const zlib = require("zlib"), fs = require("fs");
for (const file of process.argv.slice(1)) {
  const stat = fs.statSync(file);
  if (fs.existsSync(file + ".br") && fs.statSync(file + ".br").mtimeMs >= stat.mtimeMs) continue;
  const data = fs.readFileSync(file);
  fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
  console.log(`  ${file}: ${data.length} B, br ${fs.statSync(file + ".br").size} B`);
}'
