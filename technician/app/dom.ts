/** The element with `id`, which the page must have: a missing one is a build mistake, so fail loudly. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, root: Document = document): T {
  const el = root.getElementById(id);
  if (el === null) throw new Error(`technician page: #${id} is missing`);
  return el as T;
}
