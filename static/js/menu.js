// The header menu is a <details>: folded on phones, always open on wide screens.
// Without JavaScript it still works (a tap on "Menu" opens it).
(function () {
  var menu = document.getElementById("menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 1000px)");
  function apply() {
    if (wide.matches) menu.setAttribute("open", "");
    else menu.removeAttribute("open");
  }
  apply();
  if (wide.addEventListener) wide.addEventListener("change", apply);
})();
