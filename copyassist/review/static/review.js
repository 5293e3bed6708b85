// copyassist review: actions without a page reload, the live check of an edit, keyboard
// shortcuts. Every form also works without this file (plain POST, then back to the page).
(function () {
  "use strict";

  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const csrf = meta("csrf-token");
  const flash = document.getElementById("flash");
  const STORED_MESSAGE = "copyassist-review-message";
  let current = null;
  let flashTimer = 0;

  function say(text, bad) {
    if (!flash) return;
    flash.textContent = text;
    flash.className = bad ? "bad" : "good";
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { flash.textContent = ""; flash.className = ""; }, bad ? 10000 : 4000);
  }

  // The form's fields (and the button that sent it) as a body; read before any button is disabled.
  function bodyOf(form, submitter) {
    return new URLSearchParams(submitter ? new FormData(form, submitter) : new FormData(form));
  }

  // form.action would be the button named "action" of the bulk form: read the attribute.
  const target = (form) => form.getAttribute("action");

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
    });
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = { ok: false, error: `the server answered ${response.status}` };
    }
    if (!response.ok || !data.ok) throw new Error(data.error || `the server answered ${response.status}`);
    return data;
  }

  // ------------------------------------------------------------------ rows

  const rows = () => Array.from(document.querySelectorAll("#rows tr[data-row]"));

  function setCurrent(row, scroll) {
    if (current) current.classList.remove("current");
    current = row || null;
    if (current) {
      current.classList.add("current");
      if (scroll) current.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    const list = rows();
    if (!list.length) return;
    const at = list.indexOf(current);
    const next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), list.length - 1);
    setCurrent(list[next], true);
  }

  function replaceRow(number, html) {
    const old = document.querySelector(`#rows tr[data-row="${number}"]`);
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.querySelector("tr");
    if (!old || !fresh) return;
    const wasCurrent = old === current;
    const wasSelected = old.querySelector("[data-select]");
    old.replaceWith(fresh);
    const box = fresh.querySelector("[data-select]");
    if (box && wasSelected) box.checked = wasSelected.checked;
    if (wasCurrent) setCurrent(fresh, false);
  }

  function reloadWith(message) {
    try { sessionStorage.setItem(STORED_MESSAGE, message); } catch (err) { /* private mode */ }
    window.location.reload();
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.id === "filter-form") {
      // a short address: filters left at "all" are not sent
      form.querySelectorAll("select, input[type=search]").forEach((field) => { field.disabled = !field.value; });
      setTimeout(() => form.querySelectorAll("[disabled]").forEach((field) => { field.disabled = false; }), 0);
      return;
    }
    const whole = form.id === "bulk-form" || form.id === "approve-all-ok-form";
    if (!form.matches("[data-row-form]") && !whole) return;
    event.preventDefault();
    const body = bodyOf(form, event.submitter);
    const buttons = Array.from(form.querySelectorAll("button"));
    buttons.forEach((b) => { b.disabled = true; });
    form.classList.add("busy");
    try {
      const data = await post(target(form), body);
      if (whole) {
        reloadWith(data.message);
        return;
      }
      replaceRow(data.row, data.html);
      say(data.message, false);
    } catch (err) {
      say(err.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      form.classList.remove("busy");
    }
  });

  // ------------------------------------------------------------------ the live check of an edit

  const pending = new WeakMap();

  async function liveCheck(form) {
    const target = form.querySelector("[data-role=check]");
    try {
      const data = await post(form.dataset.check, bodyOf(form));
      if (target) target.innerHTML = data.html;
    } catch (err) {
      if (target) target.textContent = err.message;
    }
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest("form[data-role=edit]");
    if (!form || !event.target.matches("textarea")) return;
    clearTimeout(pending.get(form));
    pending.set(form, setTimeout(() => liveCheck(form), 350));
  });

  function closeEdit(form) {
    form.reset();
    const target = form.querySelector("[data-role=check]");
    if (target) target.textContent = "";
    const box = form.closest("details");
    if (box) box.open = false;
  }

  function openEdit(row) {
    const box = row && row.querySelector("[data-role=edit-box]");
    if (!box) return;
    box.open = true;
    const area = box.querySelector("textarea");
    if (area) area.focus();
  }

  // ------------------------------------------------------------------ clicks

  function updateSelected() {
    const count = document.querySelectorAll("[data-select]:checked").length;
    const label = document.getElementById("selected-count");
    if (label) label.textContent = `${count} selected`;
  }

  function toggleHelp(show) {
    const help = document.getElementById("help");
    if (help) help.hidden = show === undefined ? !help.hidden : !show;
  }

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#rows tr[data-row]");
    if (row) setCurrent(row, false);
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const name = action.dataset.action;
    if (name === "cancel") closeEdit(action.closest("form"));
    else if (name === "help") toggleHelp();
    else if (name === "help-close") toggleHelp(false);
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "select-all") {
      document.querySelectorAll("[data-select]").forEach((box) => { box.checked = target.checked; });
    }
    if (target.matches("[data-select], #select-all")) updateSelected();
    if (target.matches("#filter-form select, #filter-desc")) target.form.requestSubmit();
  });

  // ------------------------------------------------------------------ keys

  function press(name) {
    if (!current) setCurrent(rows()[0], true);
    if (!current) return;
    const button = current.querySelector(`button[data-action="${name}"]`);
    if (button && !button.disabled) button.form.requestSubmit(button);
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select");
    if (typing) {
      const form = event.target.closest("form[data-role=edit]");
      if (event.key === "Escape") {
        if (form) closeEdit(form);
        event.target.blur();
      } else if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit(form.querySelector("[data-action=save]"));
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = {
      j: () => move(1),
      k: () => move(-1),
      a: () => press("approve"),
      r: () => press("reject"),
      e: () => { if (!current) move(1); openEdit(current); },
      x: () => {
        if (!current) move(1);
        const box = current && current.querySelector("[data-select]");
        if (box) { box.checked = !box.checked; updateSelected(); }
      },
      "/": () => { const search = document.getElementById("filter-search"); if (search) search.focus(); },
      "?": () => toggleHelp(),
      Escape: () => toggleHelp(false),
    };
    const run = keys[event.key];
    if (run) {
      event.preventDefault();
      run();
    }
  });

  // ------------------------------------------------------------------ start

  try {
    const message = sessionStorage.getItem(STORED_MESSAGE);
    if (message) {
      sessionStorage.removeItem(STORED_MESSAGE);
      say(message, false);
    }
  } catch (err) { /* private mode */ }
  updateSelected();
})();
