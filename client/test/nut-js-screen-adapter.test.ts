import { nutImageToRawFrame } from '../capture/nut-js-screen-adapter';

/** The fields of a nut-js Image, as libnut fills them on X11 (colorMode 0 = BGR). */
function nutImage(overrides: Partial<Parameters<typeof nutImageToRawFrame>[0]> = {}) {
  return {
    width: 4, height: 2, data: Buffer.alloc(4 * 4 * 2 + 8), channels: 4, byteWidth: 20, colorMode: 0,
    pixelDensity: { scaleX: 1, scaleY: 1 }, ...overrides,
  };
}

describe('nutImageToRawFrame', () => {
  it('keeps the pixels without copying and takes the row length from byteWidth', () => {
    const image = nutImage();
    const frame = nutImageToRawFrame(image);
    expect(frame).toMatchObject({ width: 4, height: 2, stride: 20, channelOrder: 'bgra' });
    expect(frame.data).toBe(image.data);
  });

  it('reports RGBA when nut-js says the image is RGB', () => {
    expect(nutImageToRawFrame(nutImage({ colorMode: 1 })).channelOrder).toBe('rgba');
  });

  it('refuses 3-channel images rather than misreading them', () => {
    expect(() => nutImageToRawFrame(nutImage({ channels: 3 }))).toThrow(/3 channels/);
  });
});
