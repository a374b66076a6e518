// A fixed-row-height virtual list: only the rows in view (plus a margin) are in the DOM, so 10,000
// deliveries scroll as smoothly as 10. The container scrolls; a spacer gives it the full height and each
// rendered row is placed at index × ROW_HEIGHT (set through CSSOM, which the CSP allows).

const ROW_HEIGHT = 28;
const MARGIN_ROWS = 10;

/**
 * @param container the scrolling element (its first child becomes the spacer)
 * @param renderRow (item, index) → an element for that item
 */
export function createVirtualList(container, renderRow) {
  const spacer = document.createElement("div");
  spacer.className = "vlist-space";
  container.replaceChildren(spacer);
  let items = [];
  let scheduled = false;

  function render() {
    scheduled = false;
    spacer.style.height = `${items.length * ROW_HEIGHT}px`;
    // A scroll offset from before the list got shorter may not be clamped yet: never start past the end.
    const maxTop = Math.max(0, items.length * ROW_HEIGHT - container.clientHeight);
    const top = Math.min(container.scrollTop, maxTop);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - MARGIN_ROWS);
    const count = Math.ceil(container.clientHeight / ROW_HEIGHT) + 2 * MARGIN_ROWS;
    const last = Math.min(items.length, first + count);
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = renderRow(items[i], i);
      row.style.top = `${i * ROW_HEIGHT}px`;
      rows.push(row);
    }
    spacer.replaceChildren(...rows);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  }

  container.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);

  return {
    /** Shows these items; keeps the view at the bottom when it was there (new deliveries stay in sight). */
    setItems(next) {
      const atBottom = container.scrollTop + container.clientHeight >= container.scrollHeight - ROW_HEIGHT;
      items = next;
      spacer.style.height = `${items.length * ROW_HEIGHT}px`;
      if (atBottom) container.scrollTop = container.scrollHeight;
      render();
    },
    /** Renders again (a selection or a result changed). */
    refresh: schedule,
  };
}
