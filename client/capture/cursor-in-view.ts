import type { CursorSource, PointerPosition } from './cursor-source';
import type { DisplayView } from './display-view';

/**
 * The customer's pointer as the technician's picture shows it: its position relative to
 * the streamed monitor's corner, and hidden while it is on another monitor (the page
 * would otherwise draw it at the picture's edge, or outside it).
 */
export function cursorInView(source: CursorSource, view: DisplayView): CursorSource {
  return {
    name: source.name,
    shape: () => source.shape(),
    onShapeChange: (listener) => source.onShapeChange(listener),
    async position(): Promise<PointerPosition> {
      const p = await source.position();
      const area = view.area();
      const x = p.x - area.x;
      const y = p.y - area.y;
      const inside = x >= 0 && y >= 0 && x < area.width && y < area.height;
      return { x, y, visible: inside && (p.visible ?? true) };
    },
    close: () => source.close(),
  };
}
