// Small conveniences; every page works without them.
"use strict";
document.addEventListener("keydown", (event) => {
  // "/" jumps to the search box, as on most sites with one.
  const box = document.querySelector("form.search input");
  if (event.key === "/" && box && document.activeElement !== box) {
    event.preventDefault();
    box.focus();
  }
});
window.addEventListener("load", () => {
  // A followed claim lands on its highlighted sentence, centred rather than at the very top.
  const target = document.getElementById("hl");
  if (target) {
    target.scrollIntoView({ block: "center" });
  }
});
