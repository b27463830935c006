/* The review desk's drawing widget, an enhancement of the region form. Without this script the
   form's four number fields (x, y, width and height, in percent of the picture) are the whole
   interface, and they are enough. With it:
   - a draft box (#desk-draft) shows on the picture what the four fields say, as they are typed;
   - a drag on the picture (mouse, pen or touch, through pointer events) draws the draft and fills
     the fields, rounded to 2 decimals; a tap, or a drag under 1 point either way, changes nothing;
   - a button after the picture (#desk-draw-keys) draws with the keyboard: the arrow keys move the
     draft 1 point (Ctrl+arrow, Page Up and Page Down: 10), Shift+arrow keys change its size
     (right and down grow it, left and up shrink it, never below 1 point), Enter adds the region
     (submits the form) and Escape clears it. The first key starts a 20 x 20 square in the middle.
   Every keyboard or drawn change is said in a polite live region (#desk-draw-status).
   It runs only when #desk-picture has data-draw naming a form that holds the four fields. No library,
   no network request, no inline handler, no eval. */
(() => {
  "use strict";
  // What a form did (or why it did nothing): focused, so that it is read out and seen first.
  const told = document.getElementById("error-summary") || document.getElementById("notice");
  if (told) told.focus();
})();

(() => {
  "use strict";

  const MIN = 1;                                // smallest side of a region, in percentage points
  const START = { x: 40, y: 40, w: 20, h: 20 }; // the keyboard's first draft: a square in the middle
  const ARROWS = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1],
    PageUp: [0, -10], PageDown: [0, 10],
  };

  const picture = document.getElementById("desk-picture");
  const form = picture && picture.dataset.draw ? document.getElementById(picture.dataset.draw) : null;
  const image = picture ? picture.querySelector("img") : null;
  if (!form || !image) return;
  const fields = {};
  for (const name of ["x", "y", "w", "h"]) {
    const field = form.querySelector(`input[name="${name}"]`);
    if (!field) return;
    fields[name] = field;
  }
  const submitter = form.querySelector('button[type="submit"], input[type="submit"]');

  const round2 = (v) => Math.round(v * 100) / 100;
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const say = (v) => `${round2(v)}%`;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  const draft = element("div", { class: "desk-box desk-draft", id: "desk-draft", "aria-hidden": "true" });
  draft.append(element("span", { class: "desk-box-label" }, "New region"));
  draft.hidden = true;
  picture.append(draft);
  const keys = element("button", { type: "button", id: "desk-draw-keys", "aria-describedby": "region-hint" },
    "Draw a region with the keyboard");
  const status = element("p", { id: "desk-draw-status", class: "desk-visually-hidden", "aria-live": "polite" });
  picture.after(keys, status);
  picture.classList.add("desk-drawable");

  /* The four fields as a rectangle, or null when any is empty or not a number, or a side is not positive. */
  function read() {
    const rect = {};
    for (const [name, field] of Object.entries(fields)) {
      const text = field.value.trim();
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) return null;
      rect[name] = value;
    }
    return rect.w > 0 && rect.h > 0 ? rect : null;
  }

  function write(rect) {
    for (const [name, field] of Object.entries(fields)) field.value = rect ? String(round2(rect[name])) : "";
  }

  /* The draft where the rectangle is, cut to the picture; hidden when nothing of it is on the picture. */
  function show(rect) {
    const left = rect ? clamp(rect.x, 0, 100) : 0;
    const top = rect ? clamp(rect.y, 0, 100) : 0;
    const width = rect ? clamp(rect.x + rect.w, 0, 100) - left : 0;
    const height = rect ? clamp(rect.y + rect.h, 0, 100) - top : 0;
    draft.hidden = !(width > 0 && height > 0);
    if (draft.hidden) return;
    Object.assign(draft.style, { left: `${left}%`, top: `${top}%`, width: `${width}%`, height: `${height}%` });
    draft.classList.toggle("desk-box-end", left > 50);   // its label above its right corner, on the picture
  }

  function describe(rect) {
    return `Region from the left ${say(rect.x)}, from the top ${say(rect.y)}, ` +
      `width ${say(rect.w)}, height ${say(rect.h)}`;
  }

  function announce(text) {
    status.textContent = text;
  }

  function set(rect, note) {
    write(rect);
    show(rect);
    announce(rect ? describe(rect) + (note || "") : "Region cleared");
  }

  /* A rectangle inside the picture with sides of at least MIN, as close to rect as that allows. */
  function fit(rect) {
    const x = round2(clamp(rect.x, 0, 100 - MIN));
    const y = round2(clamp(rect.y, 0, 100 - MIN));
    return { x, y, w: round2(clamp(rect.w, MIN, 100 - x)), h: round2(clamp(rect.h, MIN, 100 - y)) };
  }

  const same = (a, b) => a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;

  // ---- keyboard ----------------------------------------------------------------------------------

  function moved(rect, dx, dy, resize) {
    if (resize) {
      return { x: rect.x, y: rect.y, w: round2(clamp(rect.w + dx, MIN, 100 - rect.x)),
               h: round2(clamp(rect.h + dy, MIN, 100 - rect.y)) };
    }
    return { x: round2(clamp(rect.x + dx, 0, 100 - rect.w)), y: round2(clamp(rect.y + dy, 0, 100 - rect.h)),
             w: rect.w, h: rect.h };
  }

  function step(dx, dy, resize) {
    const current = read();
    if (!current) {
      set(START);
      return;
    }
    const rect = fit(current);
    const next = moved(rect, dx, dy, resize);
    if (!same(next, rect)) set(next);
    else if (resize && (dx < 0 || dy < 0)) set(next, ", the smallest size");
    else set(next, ", at the edge of the picture");
  }

  function submit() {
    if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
    else if (submitter) submitter.click();
    else form.submit();
  }

  keys.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey) return;
    if (event.key === "Enter") {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      if (Object.values(fields).every((field) => field.value === "" && !field.validity.badInput)) return;
      event.preventDefault();
      set(null);
    } else if (ARROWS[event.key]) {
      event.preventDefault();
      const [dx, dy] = ARROWS[event.key];
      const by = event.ctrlKey && event.key.startsWith("Arrow") ? 10 : 1;
      step(dx * by, dy * by, event.shiftKey);
    }
  });

  // Space or a click on the button starts the draft, or says where it is.
  keys.addEventListener("click", () => {
    const current = read();
    if (current) set(fit(current));
    else set(START);
  });

  // ---- typing --------------------------------------------------------------------------------------

  form.addEventListener("input", () => show(read()));
  form.addEventListener("change", () => show(read()));

  // ---- mouse, pen and touch ------------------------------------------------------------------------

  let drag = null;   // {id, start}: the pointer drawing now, and where it went down (percent)

  function at(event) {
    const box = image.getBoundingClientRect();
    return { x: round2(clamp((event.clientX - box.left) / box.width * 100, 0, 100)),
             y: round2(clamp((event.clientY - box.top) / box.height * 100, 0, 100)) };
  }

  function span(a, b) {
    const x = Math.min(a.x, b.x);
    const y = Math.min(a.y, b.y);
    return { x, y, w: round2(Math.max(a.x, b.x) - x), h: round2(Math.max(a.y, b.y) - y) };
  }

  const big = (rect) => rect.w >= MIN && rect.h >= MIN;

  picture.addEventListener("pointerdown", (event) => {
    if (drag || !event.isPrimary || event.button !== 0 || !image.getBoundingClientRect().width) return;
    event.preventDefault();
    picture.setPointerCapture(event.pointerId);
    drag = { id: event.pointerId, start: at(event) };
  });

  picture.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const rect = span(drag.start, at(event));
    show(big(rect) ? rect : read());
  });

  picture.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const rect = span(drag.start, at(event));
    drag = null;
    if (!big(rect)) {
      show(read());
      return;
    }
    set(rect);
    keys.focus({ preventScroll: true });
  });

  const cancel = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag = null;
    show(read());
  };
  picture.addEventListener("pointercancel", cancel);
  picture.addEventListener("lostpointercapture", cancel);
  image.addEventListener("dragstart", (event) => event.preventDefault());

  show(read());
})();
