/* Switchboard embed: <script src="https://YOUR-SWITCHBOARD/embed.js" async></script>
 *
 * Adds a launcher that opens the chat widget in an iframe served by Switchboard. Until the
 * visitor hovers, focuses or clicks the launcher (or the page calls `open`), this script is
 * all the page downloads from Switchboard. The launcher lives in a shadow root, so the page's
 * CSS and ours never meet.
 *
 * Options (attributes of the script tag): data-color (#rgb or #rrggbb), data-sound="off".
 *
 * API, callable before this script loads through the stub
 *   window.Switchboard = window.Switchboard || function () { (Switchboard.q = Switchboard.q || []).push(arguments) };
 * then Switchboard("open"), or after it loads Switchboard.open():
 *   open(), close(), toggle(), on("open" | "close" | "message", fn),
 *   identify({ name, email, ...more }), setContext({ plan: "pro", ... }) (up to 20 short text
 *   entries, shown to the agent beside the chat).
 *
 * Identity: framed on another site, the widget cannot rely on its cookie (browsers block
 * third-party cookies). It hands the visitor's token here; this script keeps it in the host
 * page's storage and gives it back in the frame's address fragment (never sent to a server). */
(function () {
  var script = document.currentScript;
  if (!script || window.__switchboardLoaded) return;
  window.__switchboardLoaded = true;
  var origin = new URL(script.src, location.href).origin;
  var colorAttr = script.getAttribute("data-color") || "";
  var color = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(colorAttr) ? colorAttr : "#4f46e5";
  var siteSound = script.getAttribute("data-sound") !== "off";
  // Which website's inbox; none: the default one.
  var inboxAttr = script.getAttribute("data-inbox") || "";
  var inbox = /^[a-z0-9_-]{1,40}$/i.test(inboxAttr) ? inboxAttr : "";
  var tokenKey = "switchboard.visitor:" + origin + (inbox ? ":" + inbox : "");
  var listeners = { open: [], close: [], message: [] };
  // What the site's code says about its visitor (identify, setContext), sent to the widget.
  var facts = { name: "", email: "", context: {} };
  var told = false;
  var frame = null;
  var isOpen = false;
  var unread = 0;

  function storage(action, value) {
    try {
      if (action === "get") return localStorage.getItem(tokenKey);
      localStorage.setItem(tokenKey, value);
    } catch (e) { /* storage refused: the visitor starts afresh next time */ }
    return null;
  }

  var host = document.createElement("div");
  host.setAttribute("data-switchboard", "root");
  host.style.cssText = "all:initial;position:fixed;z-index:2147483646;bottom:0;right:0;width:0;height:0";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent =
    ".launcher{position:fixed;bottom:24px;right:24px;width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;" +
    "background:" + color + ";color:#fff;box-shadow:0 8px 24px rgba(0,0,0,.2);display:grid;place-items:center;padding:0;z-index:2}" +
    ".launcher:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    ".badge{position:fixed;bottom:66px;right:20px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;" +
    "background:#dc2626;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center;display:none;pointer-events:none;z-index:3}" +
    "iframe{position:fixed;bottom:96px;right:24px;width:400px;height:640px;max-height:calc(100vh - 120px);border:0;" +
    "border-radius:18px;box-shadow:0 12px 40px rgba(0,0,0,.18);display:none;background:transparent;z-index:1}" +
    "@media (max-width:639px){iframe{inset:0;width:100vw;height:100vh;height:100dvh;max-height:none;border-radius:0}" +
    ".open .launcher,.open .badge{display:none}}";
  var shell = document.createElement("div");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "launcher";
  button.setAttribute("data-switchboard", "launcher");
  var chatIcon = '<svg width="28" height="28" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var closeIcon = '<svg width="24" height="24" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"/></svg>';
  var badge = document.createElement("span");
  badge.className = "badge";
  badge.setAttribute("data-switchboard", "badge");
  badge.setAttribute("aria-hidden", "true");
  shell.appendChild(button);
  shell.appendChild(badge);
  root.appendChild(style);
  root.appendChild(shell);

  function emit(name, detail) {
    listeners[name].forEach(function (fn) {
      try { fn(detail); } catch (e) { /* a host callback's error is the host's */ }
    });
  }

  function render() {
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.style.display = unread > 0 && !isOpen ? "block" : "none";
    button.innerHTML = isOpen ? closeIcon : chatIcon;
    button.setAttribute("aria-expanded", String(isOpen));
    button.setAttribute("aria-label", isOpen ? "Close chat" : unread > 0 ? "Open chat, " + unread + " unread" : "Open chat");
    shell.className = isOpen ? "open" : "";
    if (frame) frame.style.display = isOpen ? "block" : "none";
  }

  // The widget loads on the first sign of interest, so opening feels instant.
  function load() {
    if (frame) return;
    var token = storage("get");
    frame = document.createElement("iframe");
    frame.title = "Chat with support";
    frame.setAttribute("data-switchboard", "widget");
    frame.src = origin + "/widget" + (inbox ? "?inbox=" + inbox : "") + (token ? "#sb=" + encodeURIComponent(token) : "");
    root.appendChild(frame);
  }

  function setOpen(next) {
    if (next === isOpen) return;
    if (next) load();
    isOpen = next;
    if (isOpen) unread = 0;
    render();
    emit(isOpen ? "open" : "close");
  }

  function chime() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var gain = audio.createGain();
      gain.connect(audio.destination);
      gain.gain.setValueAtTime(0.06, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      [880, 1320].forEach(function (hz, i) {
        var tone = audio.createOscillator();
        tone.frequency.value = hz;
        tone.connect(gain);
        tone.start(audio.currentTime + i * 0.12);
        tone.stop(audio.currentTime + i * 0.12 + 0.2);
      });
    } catch (e) { /* no audio before the visitor's first click: fine */ }
  }

  // Only our own frame, from Switchboard's origin, is listened to; anything malformed is ignored.
  window.addEventListener("message", function (event) {
    if (!frame || event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    if (data.type === "switchboard:identity" && typeof data.token === "string" && /^[A-Za-z0-9_-]{20,64}$/.test(data.token)) {
      storage("set", data.token);
    } else if (data.type === "switchboard:ready") {
      postPage(true);
      postFacts();
    } else if (data.type === "switchboard:close") {
      setOpen(false);
    } else if (data.type === "switchboard:reply") {
      emit("message", { from: "agent" });
      if (isOpen) return;
      unread += 1;
      render();
      if (siteSound && data.sound === true) chime();
    }
  });

  function postFacts() {
    if (!told || !frame || !frame.contentWindow) return;
    frame.contentWindow.postMessage({ type: "switchboard:context", name: facts.name, email: facts.email, context: facts.context }, origin);
  }

  // Keeps up to 20 short text entries; anything else is refused with a warning, never thrown.
  function remember(data, keys) {
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      if (window.console) console.warn("Switchboard: expected an object, got", data);
      return false;
    }
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      if (keys && keys.indexOf(key) >= 0) {
        if (typeof value === "string") facts[key] = value.slice(0, 254);
        return;
      }
      if (typeof value === "number" || typeof value === "boolean") value = String(value);
      if (typeof value !== "string" || !/^[\w -]{1,40}$/.test(key)) return;
      if (!(key in facts.context) && Object.keys(facts.context).length >= 20) return;
      facts.context[key] = value.slice(0, 500);
    });
    told = true;
    postFacts();
    return true;
  }

  // Which page the visitor is on, for the agent: on the frame's request and on every
  // navigation, single-page apps included (history changes).
  // Head mutations are frequent on some sites: only a real change (or a new frame) is posted.
  var lastPage = "";
  function postPage(force) {
    if (!frame || !frame.contentWindow) return;
    var page = location.href + "\n" + document.title;
    if (page === lastPage && force !== true) return;
    lastPage = page;
    frame.contentWindow.postMessage({ type: "switchboard:page", url: location.href, title: document.title, referrer: document.referrer }, origin);
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      setTimeout(postPage, 0);
      return result;
    };
  });
  window.addEventListener("popstate", postPage);
  window.addEventListener("hashchange", postPage);
  if (window.MutationObserver) {
    new MutationObserver(function () { postPage(); }).observe(document.head || document.documentElement, {
      childList: true, subtree: true, characterData: true,
    });
  }

  button.addEventListener("mouseenter", load);
  button.addEventListener("focus", load);
  button.addEventListener("touchstart", load, { passive: true });
  button.addEventListener("click", function () { setOpen(!isOpen); });

  var methods = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!isOpen); },
    identify: function (data) { remember(data, ["name", "email"]); },
    setContext: function (data) { remember(data, null); },
    on: function (name, fn) {
      if (listeners[name] && typeof fn === "function") listeners[name].push(fn);
    },
  };
  function api(name) {
    var method = typeof name === "string" && Object.prototype.hasOwnProperty.call(methods, name) ? methods[name] : null;
    if (method) return method.apply(null, Array.prototype.slice.call(arguments, 1));
    if (window.console) console.warn("Switchboard: unknown call", name);
  }
  Object.keys(methods).forEach(function (name) { api[name] = methods[name]; });
  var queued = window.Switchboard && window.Switchboard.q;
  window.Switchboard = api;

  function mount() {
    document.body.appendChild(host);
    render();
    if (queued && queued.length) {
      for (var i = 0; i < queued.length; i++) api.apply(null, queued[i]);
    }
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
