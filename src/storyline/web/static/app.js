// storyline pages: small progressive enhancements, no dependencies, nothing fetched from elsewhere.
"use strict";

// Zoom and pan the story timeline by changing the SVG viewBox.
function setupZoom(box) {
  const svg = document.getElementById(box.dataset.zoomTarget);
  if (!svg) return;
  const full = svg.viewBox.baseVal.width;
  let x = 0, w = full;
  const apply = () => {
    w = Math.min(full, Math.max(full / 64, w));
    x = Math.min(full - w, Math.max(0, x));
    svg.setAttribute("viewBox", `${x} 0 ${w} 60`);
  };
  box.addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    const mid = x + w / 2;
    if (b.dataset.zoom === "in") w /= 2;
    else if (b.dataset.zoom === "out") w *= 2;
    else w = full;
    x = mid - w / 2;
    apply();
  });
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => { drag = { px: ev.clientX, x }; });
  window.addEventListener("pointerup", () => { drag = null; });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    x = drag.x - (ev.clientX - drag.px) * (w / svg.clientWidth);
    apply();
  });
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const at = x + ((ev.clientX - r.left) / r.width) * w;
    const k = ev.deltaY < 0 ? 0.8 : 1.25;
    w *= k; x = at - (at - x) * k;
    apply();
  }, { passive: false });
}

// Hide the entity graph's links named together in fewer articles than the slider says.
function setupWeight(input) {
  const svg = document.getElementById(input.dataset.graphTarget);
  const out = input.parentElement.querySelector("output");
  if (!svg) return;
  const apply = () => {
    const min = Number(input.value);
    svg.querySelectorAll("line.edge").forEach((l) => l.classList.toggle("hidden", Number(l.dataset.w) < min));
    if (out) out.textContent = String(min);
  };
  input.addEventListener("input", apply);
  apply();
}

// Corrections (storyline serve --allow-edit). The bearer token is typed once into the bar under the header and
// kept in this tab's sessionStorage; every correction is sent by fetch with it in the Authorization header,
// never as a cookie, so a form another site posts cannot act. What the server says is shown as text only.
const TOKEN_KEY = "storyline-token";
const BY_KEY = "storyline-by";

function setupToken(bar) {
  const input = bar.querySelector("input[name=token]");
  const by = bar.querySelector("input[name=by]");
  const out = bar.querySelector("output");
  const show = () => {
    const has = Boolean(sessionStorage.getItem(TOKEN_KEY));
    out.textContent = has ? "token set for this tab" : "type the token to make corrections";
  };
  by.value = sessionStorage.getItem(BY_KEY) || "";
  const use = () => {
    if (input.value.trim()) sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    if (by.value.trim()) sessionStorage.setItem(BY_KEY, by.value.trim());
    else sessionStorage.removeItem(BY_KEY);
    input.value = "";
    show();
  };
  bar.querySelector("[data-token-set]").addEventListener("click", use);
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); use(); } });
  bar.querySelector("[data-token-forget]").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    show();
  });
  show();
}

// An API error as one line: FastAPI's list of {loc, msg} (the field named) or a plain detail.
function problem(detail, status) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const loc = (d.loc || []).filter((x) => x !== "body");
      return (loc.length ? loc[loc.length - 1] + ": " : "") + (d.msg || "");
    }).join("; ");
  }
  return `the server answered ${status}`;
}

async function post(url, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new Error("type the token first (the bar under the header)");
  const init = { method: "POST", credentials: "omit", cache: "no-store", headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(url, init);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const why = problem(data && data.detail, r.status);
    throw new Error(r.status === 401 ? "the token was refused: " + why : why);
  }
  return data;
}

// A correction form: its named fields as JSON (empty ones left out, a ticked box as true), posted; the page is
// read again once the correction is made, so it shows what it changed.
function setupCorrect(form) {
  const out = form.querySelector("output.result");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      if (el.type === "checkbox") { if (el.checked) body[el.name] = true; }
      else if (el.value.trim() !== "") body[el.name] = el.value;
    }
    const by = sessionStorage.getItem(BY_KEY);
    if (by && form.dataset.undo === undefined) body.by = by;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    out.textContent = "…";
    try {
      const c = form.dataset.undo !== undefined
        ? await post(`/api/corrections/${encodeURIComponent(form.dataset.undo)}/undo`)
        : await post("/api/corrections", body);
      out.textContent = `correction #${c.id}: ${c.status}`;
      location.reload();
    } catch (e) {
      out.textContent = e.message;
      out.classList.add("error");
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-zoom-target]").forEach(setupZoom);
  document.querySelectorAll("[data-graph-target]").forEach(setupWeight);
  document.querySelectorAll("[data-edit-token]").forEach(setupToken);
  document.querySelectorAll("form[data-correct], form[data-undo]").forEach(setupCorrect);
  // Mark the span a link landed on (also when the fragment changes without a reload).
  const mark = () => {
    document.querySelectorAll(".landed").forEach((el) => el.classList.remove("landed"));
    if (!location.hash.startsWith("#span-")) return;
    const el = document.getElementById(location.hash.slice(1));
    if (el) { el.classList.add("landed"); el.scrollIntoView({ block: "center" }); }
  };
  window.addEventListener("hashchange", mark);
  mark();
});
