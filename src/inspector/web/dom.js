// Small DOM helpers shared by the page's modules. Every value from the network goes in through textContent,
// never as HTML, so a payload holding markup shows as text.

export const byId = (id) => document.getElementById(id);

/** Sets the text of the element with this id. */
export const text = (id, value) => {
  byId(id).textContent = value;
};

/** An element with optional class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A table row of one cell per value, each as text. */
export function tableRow(className, values) {
  const tr = el("tr", className);
  tr.append(...values.map((value) => el("td", "", value)));
  return tr;
}

/** Logs a fault of the page's own. */
export function report(err) {
  // biome-ignore lint/suspicious/noConsole: the browser's console is where a page reports its own faults
  console.error(err);
}

/** A time of day from an ISO 8601 string (the string itself when it is not a date). */
export function time(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso || "") : d.toLocaleTimeString();
}
