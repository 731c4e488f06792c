/**
 * nut-js (libnut) aborts the whole process when it cannot open an X display ("Could not
 * open main display"), which no try/catch can catch. So before loading it on Linux the
 * agent checks that an X11 display is named, and says so plainly when it is not.
 * Returns the problem in words, or undefined when capture can be tried.
 */
export function missingDisplayProblem(platform: NodeJS.Platform, x11Display: string | undefined): string | undefined {
  if (platform !== 'linux' || (x11Display !== undefined && x11Display !== '')) return undefined;
  return 'no X11 display: DISPLAY is not set (run the agent inside the desktop session; Wayland-only sessions are not supported) / '
    + 'no hay pantalla X11: DISPLAY no está definido (ejecute el agente dentro de la sesión de escritorio)';
}
