// screenshot-desktop ships no types; this declares the part the adapter uses.
declare module 'screenshot-desktop' {
  interface ScreenshotOptions {
    /** Image format the external tool writes: png, jpg, bmp … */
    format?: 'png' | 'jpg' | 'jpeg' | 'bmp';
    /** Display id from listDisplays(). */
    screen?: string | number;
    /** On Linux: `imagemagick` (default, `import`) or `scrot`. */
    linuxLibrary?: 'imagemagick' | 'scrot';
  }
  function screenshot(options?: ScreenshotOptions): Promise<Buffer>;
  export = screenshot;
}
