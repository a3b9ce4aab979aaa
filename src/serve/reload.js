// willai serve: reload this page when the site is rebuilt; show a build error on it.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? me.getAttribute("data-build") : null;
  var banner = null;
  function show(error) {
    if (!error) {
      if (banner) {
        banner.remove();
        banner = null;
      }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "willai-serve-error";
      banner.setAttribute("role", "alert");
      banner.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;margin:0;" +
        "padding:12px 16px;background:#7a1010;color:#fff;font:14px/1.4 monospace;" +
        "white-space:pre-wrap;max-height:40vh;overflow:auto";
      document.body.appendChild(banner);
    }
    banner.textContent =
      "willai serve: the site did not build; this is the last good build.\n" + error;
  }
  function poll() {
    fetch("/__willai/build", { cache: "no-store" })
      .then(function (r) {
        return r.json();
      })
      .then(function (s) {
        if (String(s.build) !== seen) {
          location.reload();
          return;
        }
        show(s.error);
        setTimeout(poll, 250);
      })
      .catch(function () {
        setTimeout(poll, 1000);
      });
  }
  setTimeout(poll, 250);
})();
