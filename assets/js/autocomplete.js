// Title suggestions for the search boxes (header, home page, search page): an ARIA 1.2 combobox that only
// enhances a working form. Its announcements come translated from the page (data-suggestions-*). Also the search
// page's filters: they apply as soon as a box is ticked, and their disclosure opens where there is room for it.
(function () {
  "use strict";

  function setUp(input) {
    var endpoint = input.getAttribute("data-autocomplete");
    var statusText = input.getAttribute("data-suggestions-status");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggestions-label"));
    list.className = "suggestions";
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions.map(function (suggestion, i) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        link.href = suggestion.url;
        link.textContent = suggestion.title;
        link.tabIndex = -1;
        item.appendChild(link);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); window.location = suggestion.url; });
        list.appendChild(item);
        return item;
      });
      status.textContent = items.length ? statusText.replace("{count}", items.length) : "";
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) { render([]); return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        fetch(endpoint + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) { if (ticket === latest) { render(data.suggestions || []); } })
          .catch(function () { render([]); });
      }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location = items[active].querySelector("a").href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function autoSubmitFilters() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (box) {
      box.addEventListener("change", function () { box.form.submit(); });
    });
  }

  // Open on wide screens, where the filters sit beside the results; on a phone they would come before them.
  function openWhereRoomy() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (window.matchMedia(details.getAttribute("data-open-wide")).matches) { details.open = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-autocomplete]").forEach(setUp);
    autoSubmitFilters();
    openWhereRoomy();
  });
})();
