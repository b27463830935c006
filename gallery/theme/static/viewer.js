/* Optional picture viewer. The gallery works fully without this script: every card links to the
   picture's own page. With it, a card's title opens the picture in a native modal <dialog>
   (WAI-ARIA modal dialog pattern): focus moves in and stays in, Escape closes, focus returns to
   the card of the picture shown last, Previous/Next buttons and the arrow keys move through the
   pictures of the same list, and the address follows the picture (#picture-<id>) so Back and
   sharing work. Each picture's title, kind and any warning describe the dialog when it opens and
   are announced when it changes; a picture with a warning stays behind its closed "Show the
   picture" control, as on its own page. Everything it shows comes from the page itself
   (<template class="viewer-data"> in each card); no inline script, no network request, no autoplay. */
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function" || !("content" in document.createElement("template"))) return;

  var PREFIX = "#picture-";
  var dialog, titleEl, bodyEl, positionEl, liveEl, summaryEl, prevBtn, nextBtn;
  var list = [];      // card <li> elements of the list being viewed
  var index = -1;     // position of the shown picture in that list
  var opener = null;  // the link that opened the viewer: focus returns here if its list has gone
  var pushed = false; // whether opening added a history entry (then closing goes back)

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function button(cls, label, onClick) {
    var b = el("button", cls, label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function build() {
    dialog = el("dialog", "viewer");
    dialog.setAttribute("aria-labelledby", "viewer-title");
    dialog.setAttribute("aria-describedby", "viewer-summary");
    var bar = el("div", "viewer-bar");
    positionEl = el("p", "viewer-position");
    prevBtn = button("viewer-prev", "Previous", function () { step(-1); });
    nextBtn = button("viewer-next", "Next", function () { step(1); });
    var closeBtn = button("viewer-close", "Close", function () { dialog.close(); });
    prevBtn.setAttribute("aria-label", "Previous picture");
    nextBtn.setAttribute("aria-label", "Next picture");
    bar.append(positionEl, prevBtn, nextBtn, closeBtn);
    var content = el("div", "viewer-content");
    titleEl = el("h2");
    titleEl.id = "viewer-title";
    bodyEl = el("div", "viewer-body");
    content.append(titleEl, bodyEl);
    summaryEl = el("p");               // the dialog's description: kind and any warning
    summaryEl.id = "viewer-summary";
    summaryEl.hidden = true;           // shown on screen by the content itself
    liveEl = el("p", "visually-hidden");
    liveEl.setAttribute("aria-live", "polite");
    dialog.append(bar, content, summaryEl, liveEl);
    dialog.addEventListener("keydown", onKey);
    dialog.addEventListener("close", onClose);
    document.body.append(dialog);
  }

  function cardsOf(card) {
    var parent = card.parentElement;
    return Array.prototype.filter.call(parent.children, function (li) {
      return li.querySelector("template.viewer-data") && li.querySelector("a[data-viewer]");
    });
  }

  function show(card, announce, refocus) {
    // Focus inside the content (a link, "Show the picture") would be lost with it: it goes to
    // refocus (the button that moved in the same direction), or to Close.
    var lost = bodyEl.contains(document.activeElement);
    list = cardsOf(card);
    index = list.indexOf(card);
    var data = card.querySelector("template.viewer-data");
    titleEl.textContent = data.getAttribute("data-title");
    summaryEl.textContent = data.getAttribute("data-summary") || "";
    bodyEl.replaceChildren(data.content.cloneNode(true));
    positionEl.textContent = "Picture " + (index + 1) + " of " + list.length;
    setEnabled(prevBtn, index > 0);
    setEnabled(nextBtn, index < list.length - 1);
    bodyEl.scrollTop = 0;
    dialog.scrollTop = 0;
    if (lost) (refocus || dialog.querySelector(".viewer-close")).focus();
    if (announce) {
      liveEl.textContent = positionEl.textContent + ": " + titleEl.textContent + ". " + summaryEl.textContent;
    }
  }

  function setEnabled(b, enabled) {
    // aria-disabled keeps the button focusable, so focus is never lost at either end of the list.
    if (enabled) b.removeAttribute("aria-disabled"); else b.setAttribute("aria-disabled", "true");
  }

  function linkOf(card) { return card.querySelector("a[data-viewer]"); }

  function idOf(card) { return linkOf(card).getAttribute("data-viewer"); }

  function open(card, link, addHistory) {
    if (!dialog) build();
    opener = link;
    liveEl.textContent = "";
    show(card, false);
    if (addHistory && location.hash !== PREFIX + idOf(card)) {
      history.pushState({ viewer: idOf(card) }, "", PREFIX + idOf(card));
      pushed = true;
    }
    if (!dialog.open) dialog.showModal();
    dialog.querySelector(".viewer-close").focus();
  }

  function step(delta) {
    var target = index + delta;
    if (!dialog.open || target < 0 || target >= list.length) return;
    show(list[target], true, delta < 0 ? prevBtn : nextBtn);
    history.replaceState(history.state, "", PREFIX + idOf(list[target]));
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowLeft") { step(-1); event.preventDefault(); }
    else if (event.key === "ArrowRight") { step(1); event.preventDefault(); }
    else if (event.key === "Tab") keepFocusInside(event);
  }

  function keepFocusInside(event) {
    // The modal dialog already makes the page behind it inert; this also stops Tab from leaving
    // for the browser's own toolbar, so focus cycles through the dialog's controls.
    var focusable = Array.prototype.filter.call(
      dialog.querySelectorAll("button, a[href], summary, [tabindex]:not([tabindex='-1'])"),
      function (node) { return node.offsetParent !== null || node === document.activeElement; });
    if (!focusable.length) return;
    var first = focusable[0], last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
    else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
  }

  function onClose() {
    bodyEl.replaceChildren();
    if (pushed) {
      pushed = false;
      history.back();
    } else if (location.hash.indexOf(PREFIX) === 0) {
      history.replaceState(null, "", location.pathname + location.search);
    }
    var last = list[index] && document.contains(list[index]) ? linkOf(list[index]) : opener;
    if (last && document.contains(last)) last.focus();
  }

  function cardFor(hash) {
    if (hash.indexOf(PREFIX) !== 0) return null;
    var card = document.getElementById(hash.slice(1));
    return card && card.querySelector("template.viewer-data") ? card : null;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[data-viewer]");
    if (!link) return;
    var card = link.closest("li");
    if (!card || !card.querySelector("template.viewer-data")) return;
    event.preventDefault();
    open(card, link, true);
  });

  window.addEventListener("popstate", function () {
    var card = cardFor(location.hash);
    if (card) {
      if (dialog && dialog.open) show(card, true);
      else open(card, linkOf(card), false);
    } else if (dialog && dialog.open) {
      pushed = false;
      dialog.close();
    }
  });

  // A shared address such as prompts/typical-day.html#picture-lw01-day opens that picture.
  var shared = cardFor(location.hash);
  if (shared) open(shared, linkOf(shared), false);
})();
