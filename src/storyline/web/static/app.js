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

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-zoom-target]").forEach(setupZoom);
  document.querySelectorAll("[data-graph-target]").forEach(setupWeight);
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
