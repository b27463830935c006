/* Optional: on narrow screens (below 40rem) the main navigation folds behind a "Menu" button
   (a disclosure: aria-expanded on the button, which controls the list). Without this script every
   link is shown, at every width. It runs in <head>, before the page is drawn, so that the list
   never shows and then folds (a layout shift): it marks the page at once and sets the button up
   once the header is read. No inline script, no network request. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("menu-js");

  function setUp() {
    var nav = document.querySelector(".site-nav");
    var button = nav && nav.querySelector(".menu-button[aria-controls]");
    var list = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!list) { root.classList.remove("menu-js"); return; }   // a template without the button: show every link

    function setOpen(open) {
      nav.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }

    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !nav.classList.contains("menu-open")) return;
      if (getComputedStyle(button).display === "none") return;    // wide screen: nothing is folded
      setOpen(false);
      button.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
