/**
 * A short two-note chime when a technician asks, so a customer looking at another window
 * (or away from the screen) notices the question. Made with WebAudio: nothing to ship or
 * decode, and the same in the Neutralino webview and the browser fallback. The customer
 * clicked "Conectar con Soporte" on this page before any question can come, which is the
 * user gesture browsers want before they play sound.
 */
const NOTES_HZ = [880, 1175] as const;
const NOTE_S = 0.16;
const GAP_S = 0.02;

export function playAttentionChime(win: Window): void {
  const AudioContextClass = (win as Window & { AudioContext?: typeof AudioContext }).AudioContext;
  if (AudioContextClass === undefined) return;
  try {
    const context = new AudioContextClass();
    void context.resume().catch(() => undefined);
    const start = context.currentTime;
    NOTES_HZ.forEach((frequency, i) => {
      const at = start + i * (NOTE_S + GAP_S);
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      // A soft attack and decay: a click-free "ding", quiet enough not to startle.
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + NOTE_S);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + NOTE_S);
    });
    win.setTimeout(() => void context.close().catch(() => undefined), 1000);
  } catch {
    // No audio device or audio blocked: the window still comes to the front and shows the question.
  }
}
