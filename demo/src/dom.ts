export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing from the page`);
  return element as T;
}

export function row(tbody: HTMLElement, cells: Array<string | Node>, className?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const cell of cells) {
    const td = tr.insertCell();
    if (typeof cell === 'string') td.textContent = cell;
    else td.append(cell);
  }
  tbody.append(tr);
  return tr;
}
