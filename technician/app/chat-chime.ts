/**
 * A short soft "ding" when the customer writes and the chat is closed. WebAudio: nothing
 * to ship. The technician clicked "Conectar" on this page before any chat, the user
 * gesture browsers ask for before they play sound; where audio is blocked it stays silent
 * and the unread count still shows.
 */
const NOTE_HZ = 1320;
const NOTE_S = 0.14;

export function playChatChime(win: Window): void {
  const AudioContextClass = (win as Window & { AudioContext?: typeof AudioContext }).AudioContext;
  if (AudioContextClass === undefined) return;
  try {
    const context = new AudioContextClass();
    void context.resume().catch(() => undefined);
    const at = context.currentTime;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = NOTE_HZ;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.15, at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + NOTE_S);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + NOTE_S);
    win.setTimeout(() => void context.close().catch(() => undefined), 500);
  } catch {
    // No audio: the unread count still shows.
  }
}
