// The console's own script: keyboard shortcuts and nothing a page needs to work. Loaded
// from the console's origin (the Content-Security-Policy allows no inline script).
//   /  focus the search box        j / k  next / previous complaint in the queue
//   Enter  open the selected one   g q    back to the queue
(function () {
  "use strict";
  var pendingG = false;
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row-link]")); }
  function select(step) {
    var all = rows();
    if (!all.length) { return; }
    var current = all.indexOf(document.activeElement);
    var next = current < 0 ? 0 : Math.min(all.length - 1, Math.max(0, current + step));
    all[next].focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "j") { select(1); }
    else if (event.key === "k") { select(-1); }
    else if (event.key === "g") { pendingG = true; return; }
    else if (event.key === "q" && pendingG) {
      window.location.href = document.querySelector(".brand").getAttribute("href");
    } else if (event.key === "n") {
      var next = document.querySelector("[data-next-complaint]");
      if (next) { window.location.href = next.getAttribute("href"); }
    }
    pendingG = false;
  });
})();
