/* Switchboard embed: <script src="https://YOUR-SWITCHBOARD/embed.js" defer></script>
 * Adds a launcher bubble that opens the chat widget in an iframe. Options: data-color. */
(function () {
  var script = document.currentScript;
  if (!script || window.__switchboard) return;
  window.__switchboard = true;
  var origin = new URL(script.src, location.href).origin;
  var color = script.getAttribute("data-color") || "#4f46e5";
  var open = false;

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
    button.setAttribute("aria-label", open ? "Close chat" : "Open chat");
  });
  window.addEventListener("resize", layout);
  layout();
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
