/* Switchboard's service worker: the widget opens without a network, so messages a visitor
 * wrote offline (kept in localStorage) are still there after a reload and go out later.
 * Network first: online, every page is fresh; offline, the last good copy answers. */
const CACHE = "switchboard-widget-v4";
// The bundle the widget page hydrated with (`/sw.js?bundle=widget`, the lean one, or the
// app's): the same files the page already loaded, so installing revalidates, not downloads.
const BUNDLE = new URL(location.href).searchParams.get("bundle") === "widget" ? "widget" : "switchboard";
// The lean bundle's code is in chunks (scripts/build-site.sh: the widget's, the chat's, and the
// code they share), loaded through `__wasm_split.js`, which `widget.js` imports: the loader is
// part of the shell, the chunks are kept once a chat starts (they are what it runs on offline).
const SPLIT_LINK = "/pkg/__wasm_split.js";
const SHELL = ["/widget", `/pkg/${BUNDLE}.js`, `/pkg/${BUNDLE}.wasm`, "/pkg/switchboard.css"].concat(
  BUNDLE === "widget" ? [SPLIT_LINK] : [],
);
const isChunk = (path) => BUNDLE === "widget" && /^\/pkg\/split_[\w.-]+\.wasm$/.test(path);

async function chunks() {
  if (BUNDLE !== "widget") return [];
  const link = await fetch(SPLIT_LINK).then((response) => (response.ok ? response.text() : ""));
  return [...link.matchAll(/"\.\/(split_[\w.-]+\.wasm)"/g)].map((match) => `/pkg/${match[1]}`);
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// The page asks for a fresh copy of itself once a chat starts (src/widget/offline.rs): fetched
// here, with the visitor's cookie, whether or not this worker controls the page yet.
self.addEventListener("message", (event) => {
  if (event.data !== "refresh") return;
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all([cache.add("/widget"), chunks().then((files) => cache.addAll(files))])),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const cacheable = request.method === "GET" && url.origin === location.origin && (SHELL.includes(url.pathname) || isChunk(url.pathname));
  if (!cacheable) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())),
  );
});
