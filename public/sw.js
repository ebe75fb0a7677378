/* Switchboard's service worker: the widget opens without a network, so messages a visitor
 * wrote offline (kept in localStorage) are still there after a reload and go out later.
 * Network first: online, every page is fresh; offline, the last good copy answers. */
const CACHE = "switchboard-widget-v2";
// The bundle the widget page hydrated with (`/sw.js?bundle=widget`, the lean one, or the
// app's): the same files the page already loaded, so installing revalidates, not downloads.
const BUNDLE = new URL(location.href).searchParams.get("bundle") === "widget" ? "widget" : "switchboard";
const SHELL = ["/widget", `/pkg/${BUNDLE}.js`, `/pkg/${BUNDLE}.wasm`, "/pkg/switchboard.css"];

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
  if (event.data === "refresh") event.waitUntil(caches.open(CACHE).then((cache) => cache.add("/widget")));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const cacheable = request.method === "GET" && url.origin === location.origin && SHELL.includes(url.pathname);
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
