type Child = Node | string | number | null | undefined | false | Child[];

type Props = {
  class?: string;
  dataset?: Record<string, string>;
  style?: string;
  [attribute: string]: unknown;
};

/**
 * Makes an element: `h('button', { class: 'primary', onclick: save }, t('app.save'))`.
 * `on*` props become listeners, booleans toggle attributes, other values become attributes.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    // Through CSSOM, not the style attribute: the page's CSP (style-src 'self') blocks inline style attributes.
    else if (name === 'style') element.style.cssText = String(value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value as EventListener);
    else if (name === 'value' && 'value' in element) (element as HTMLInputElement).value = String(value);
    else if (name === 'checked' && element instanceof HTMLInputElement) element.checked = Boolean(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, children);
}

/** Splits e-mails or domains typed by a person: commas, semicolons, tabs, spaces, new lines. */
export function splitList(text: string): string[] {
  return text.split(/[\s,;、，　]+/).map((part) => part.trim()).filter((part) => part.length > 0);
}
