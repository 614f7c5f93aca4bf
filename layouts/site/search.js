// The site's search: Pagefind's primary bundle (_search/, the contributors, with Pagefind's runtime) and one
// bundle per issue (_search/issues/ID/), merged here as Pagefind's multisite search does. A result names the
// article and the issue it appeared in. It needs the site to be served (any static host), not opened from disk.
const root = new URL("../", import.meta.url);
const issues = JSON.parse(document.getElementById("search-issues").textContent);
const form = document.querySelector(".search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const SHOWN = 30;
let engine = null;

async function load() {
  if (engine === null) {
    engine = import(new URL("_search/pagefind.js", root).href).then(async (pagefind) => {
      await pagefind.options({ baseUrl: root.pathname });
      await Promise.all(issues.map((id) =>
        pagefind.mergeIndex(new URL(`_search/issues/${encodeURIComponent(id)}/`, root).href, { baseUrl: root.pathname })));
      return pagefind;
    });
  }
  return engine;
}

function item(data) {
  const entry = document.createElement("li");
  const link = document.createElement("a");
  link.className = "result-title";
  link.href = data.url;
  link.textContent = data.meta.title;
  const where = document.createElement("span");
  where.className = "result-issue";
  where.textContent = data.meta.issue || "";
  const excerpt = document.createElement("p");
  excerpt.className = "result-excerpt";
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the text and marks the words found with <mark>
  entry.append(link, where, excerpt);
  return entry;
}

async function run(term) {
  if (!term.trim()) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "Searching\u2026";
  try {
    const pagefind = await load();
    const found = await pagefind.search(term);
    const results = await Promise.all(found.results.slice(0, SHOWN).map((result) => result.data()));
    list.replaceChildren(...results.map(item));
    const more = found.results.length > SHOWN ? ` (the first ${SHOWN} shown)` : "";
    status.textContent = results.length
      ? `${found.results.length} result${found.results.length === 1 ? "" : "s"} for \u201c${term}\u201d${more}`
      : `Nothing found for \u201c${term}\u201d`;
  } catch (error) {
    status.textContent = "The search could not be loaded. It works when the site is served by a web server, not opened from disk.";
    throw error;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?q=${encodeURIComponent(input.value)}`);
  run(input.value);
});
const asked = new URLSearchParams(location.search).get("q");
if (asked) {
  input.value = asked;
  run(asked);
}
