/* Switchboard embed: <script src="https://YOUR-SWITCHBOARD/embed.js" defer></script>
 * Adds a launcher bubble that opens the chat widget in an iframe. While the chat is closed,
 * agent replies show as a count on the launcher, with a short chime (the visitor can mute it
 * in the widget; data-sound="off" mutes it for the whole site). Options: data-color,
 * data-sound. */
(function () {
  var script = document.currentScript;
  if (!script || window.__switchboard) return;
  window.__switchboard = true;
  var origin = new URL(script.src, location.href).origin;
  var color = script.getAttribute("data-color") || "#4f46e5";
  var open = false;
  var unread = 0;
  var siteSound = script.getAttribute("data-sound") !== "off";

  var frame = document.createElement("iframe");
  frame.src = origin + "/widget";
  frame.title = "Chat with support";
  frame.setAttribute("data-switchboard", "widget");
  frame.style.cssText =
    "position:fixed;bottom:96px;right:24px;width:400px;height:640px;max-height:calc(100vh - 120px);" +
    "border:0;border-radius:18px;box-shadow:0 12px 40px rgba(0,0,0,.18);z-index:2147483646;display:none;background:transparent";

  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Open chat");
  button.setAttribute("data-switchboard", "launcher");
  button.style.cssText =
    "position:fixed;bottom:24px;right:24px;width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;" +
    "background:" + color + ";color:#fff;box-shadow:0 8px 24px rgba(0,0,0,.2);z-index:2147483647;display:grid;place-items:center";
  var chatIcon = '<svg width="28" height="28" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var closeIcon = '<svg width="24" height="24" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z"/></svg>';
  button.innerHTML = chatIcon;
  var badge = document.createElement("span");
  badge.setAttribute("data-switchboard", "badge");
  badge.setAttribute("aria-hidden", "true");
  badge.style.cssText =
    "position:fixed;bottom:66px;right:20px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;" +
    "background:#dc2626;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center;" +
    "z-index:2147483647;display:none;pointer-events:none";

  function showUnread() {
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.style.display = unread > 0 && !open ? "block" : "none";
    button.setAttribute("aria-label", open ? "Close chat" : unread > 0 ? "Open chat, " + unread + " unread" : "Open chat");
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

  // Only the widget's own frame, from Switchboard's origin, is listened to.
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "switchboard:reply" || open) return;
    unread += 1;
    showUnread();
    if (siteSound && data.sound === true) chime();
  });

  function layout() {
    var narrow = window.innerWidth < 480;
    frame.style.width = narrow ? "100vw" : "400px";
    frame.style.height = narrow ? "100vh" : "640px";
    frame.style.bottom = narrow ? "0" : "96px";
    frame.style.right = narrow ? "0" : "24px";
    frame.style.borderRadius = narrow ? "0" : "18px";
    frame.style.maxHeight = narrow ? "100vh" : "calc(100vh - 120px)";
  }
  button.addEventListener("click", function () {
    open = !open;
    frame.style.display = open ? "block" : "none";
    button.innerHTML = open ? closeIcon : chatIcon;
    if (open) unread = 0;
    showUnread();
  });
  window.addEventListener("resize", layout);
  layout();
  document.body.appendChild(frame);
  document.body.appendChild(button);
  document.body.appendChild(badge);
})();
