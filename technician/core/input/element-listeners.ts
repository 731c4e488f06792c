/** Handlers by event name, typed as `addEventListener` types them. */
export type ElementListeners = { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

/**
 * Adds each of `listeners` to `element` and returns the one call that removes them all,
 * so what an input class stops listening to when disposed is always exactly what it
 * started listening to (a listener left behind would send an ended session's input).
 */
export function listenTo(element: HTMLElement, listeners: ElementListeners, options?: AddEventListenerOptions): () => void {
  const entries = Object.entries(listeners) as [string, EventListener][];
  for (const [type, listener] of entries) element.addEventListener(type, listener, options);
  return () => {
    for (const [type, listener] of entries) element.removeEventListener(type, listener, options);
  };
}
