#!/usr/bin/env bash
# Builds the site the release binary embeds, into target/site, without cargo-leptos: what
# `cargo leptos build --release --precompress --frontend-only --split` does, with the tools the
# run path installs (cargo, wasm-bindgen, wasm-split-cli, wasm-opt, node). cargo-leptos itself
# is needed only for `cargo leptos watch` (scripts/install-dev-tools.sh).
#   pkg/switchboard.{js,wasm,css}  the dashboard's bundle (features `hydrate,dashboard-bundle`:
#                                  no widget in it) and the styles,
#   pkg/__wasm_split.switchboard.js, pkg/split_dashboard_*.{hash}.wasm  and its pages' chunks
#   pkg/widget.{js,wasm}           the widget's lean bundle (features `hydrate,widget-bundle`),
#   pkg/__wasm_split.js, pkg/split_widget_*.{hash}.wasm  and the chunks split off it
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
  local name="$1" features="$2"
  # wasm-split-cli reads the linker's relocations to move code into chunks. Both bundles are
  # split, and both link with the same flags, so they share every compiled dependency.
  echo "[build-site] compiling $name.wasm (features $features)"
  RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" \
    cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
    --no-default-features --features "$features" --target-dir "$target"
  cp -p "$target/wasm32-unknown-unknown/wasm-release/switchboard.wasm" "$target/$name.wasm"
}
bind() {
  local name="$1"
  if [ "$pkg/$name.wasm" -nt "$target/$name.wasm" ] && [ "$pkg/$name.js" -nt "$target/$name.wasm" ]; then
    return # unchanged since it was last bound
  fi
  # Each bundle's `#[wasm_split]` functions (the widget's in src/widget/chunk.rs, the
  # dashboard's pages in src/app/pages.rs) become chunks of their own, fetched when first
  # called; the main module keeps what the first load needs. Code two chunks share is a chunk
  # of its own, `chunk_{n}.wasm`, fetched with either.
  local split="$target/split-$name" family=widget link=__wasm_split.js
  if [ "$name" = switchboard ]; then family=dashboard link=__wasm_split.switchboard.js; fi
  echo "[build-site] splitting $name.wasm"
  rm -rf "$split" && mkdir -p "$split"
  wasm-split-cli "$target/$name.wasm" "$split" --out-name "$name" --target web
  local chunks=("$split"/split_*.wasm)
  shopt -s nullglob
  chunks+=("$split"/chunk_*.wasm)
  shopt -u nullglob
  echo "[build-site] binding and shrinking $name.wasm"
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-dir "$target/bindgen" --out-name "$name" "$split/$name.wasm"
  shrink "$target/bindgen/${name}_bg.wasm" "$pkg/$name.wasm"
  # The two bundles' loaders live side by side in pkg/, so the dashboard's has its own name.
  sed -e "s/${name}_bg\.wasm/${name}.wasm/g" -e "s#from \"\./__wasm_split\.js\"#from \"./$link\"#" \
    "$target/bindgen/$name.js" > "$pkg/$name.js"
  # Chunks are named by their content, so a page still running the previous deployment's
  # code never instantiates a new chunk against it: it gets a 404 and offers a reload.
  # Every chunk's served name starts with `split_{family}_` (the server caches `split_` for good).
  rm -f "$pkg/split_${family}_"*
  cp "$split/__wasm_split.js" "$split/link.js"
  for chunk in "${chunks[@]}"; do
    local base served hash
    base=$(basename "$chunk" .wasm)
    served="split_${base#split_}"
    case "$served" in "split_${family}_"*) ;; *) served="split_${family}_${served#split_}" ;; esac
    shrink "$chunk" "$split/$base.opt.wasm"
    hash=$(sha256sum "$split/$base.opt.wasm" | cut -c1-16)
    mv "$split/$base.opt.wasm" "$pkg/$served.$hash.wasm"
    sed -i "s#\./$base\.wasm#./$served.$hash.wasm#" "$split/link.js"
  done
  mv "$split/link.js" "$pkg/$link"
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
