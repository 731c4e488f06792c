import { listenTo } from '../core/input/element-listeners';

describe('listening to the remote screen element', () => {
  it('hears every listed event until the returned call, then none of them', () => {
    const element = new EventTarget() as unknown as HTMLElement;
    const heard: string[] = [];
    const onKey = (e: Event): void => { heard.push(e.type); };
    const stop = listenTo(element, { keydown: onKey, keyup: onKey, blur: () => heard.push('blur') });
    for (const type of ['keydown', 'keyup', 'blur', 'wheel']) element.dispatchEvent(new Event(type));
    expect(heard).toEqual(['keydown', 'keyup', 'blur']);
    stop();
    for (const type of ['keydown', 'keyup', 'blur']) element.dispatchEvent(new Event(type));
    expect(heard).toEqual(['keydown', 'keyup', 'blur']);
  });

  it('adds the listeners with the options given (a wheel handler that may cancel scrolling)', () => {
    const added: { type: string; options: unknown }[] = [];
    const removed: string[] = [];
    const element = {
      addEventListener: (type: string, _l: unknown, options: unknown) => added.push({ type, options }),
      removeEventListener: (type: string) => removed.push(type),
    } as unknown as HTMLElement;
    const stop = listenTo(element, { wheel: () => undefined, contextmenu: () => undefined }, { passive: false });
    expect(added).toEqual([{ type: 'wheel', options: { passive: false } }, { type: 'contextmenu', options: { passive: false } }]);
    stop();
    expect(removed).toEqual(['wheel', 'contextmenu']);
  });
});
