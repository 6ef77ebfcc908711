// Small DOM helpers: elements from a tag, attributes and children; tables from rows.

type Child = Node | string | number;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === 'number' ? String(child) : child);
  return node;
}

/** A table with a caption; cells are text. */
export function table(caption: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<Child>>, attributes: Record<string, string> = {}): HTMLTableElement {
  return el(
    'table',
    attributes,
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((cell, i) => (i === 0 ? el('th', { scope: 'row' }, cell) : el('td', {}, cell)))))),
  );
}

/** An empty state that says what to do. */
export function empty(text: string, ...more: Child[]): HTMLParagraphElement {
  return el('p', { class: 'empty' }, text, ...more);
}

export function code(text: string): HTMLElement {
  return el('code', {}, text);
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1)}%`;
}

export function fixed3(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}

export function time(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

/** Replaces a section's body and marks whether it holds data (for tests and styling). */
export function fill(section: string, state: 'data' | 'empty' | 'error', ...children: Node[]): void {
  const host = document.querySelector<HTMLElement>(`#${section}`);
  if (host === null) return;
  host.dataset.state = state;
  host.querySelector('.body')?.replaceChildren(...children);
}
