import type { Language } from '../../common/language';

/**
 * Every sentence the customer reads in the terminal, in Spanish and English. Which one
 * is common/language.ts's rule, fed with the system locale.
 */

export interface Messages {
  readonly connecting: string;
  readonly codeIntro: string;
  readonly codeExpires: (minutes: number) => string;
  readonly consentQuestion: (technician: string) => string;
  readonly consentChoices: string;
  readonly consentTimeout: (seconds: number) => string;
  readonly consentUnattended: (answer: string) => string;
  readonly consentNonInteractive: string;
  /** Under the question: the keys verified end to end, or plainly that they did not. */
  readonly consentEncrypted: string;
  readonly consentUnencrypted: string;
  readonly noticeUnverified: string;
  readonly noticeUnencryptedRefused: string;
  readonly noticeReconnected: string;
  readonly sharingEncrypted: string;
  readonly sharingUnencrypted: string;
  readonly endedTampered: string;
  readonly sharingControl: (technician: string) => string;
  readonly sharingViewOnly: (technician: string) => string;
  readonly stopHint: string;
  /** The technician can chat: how to answer. */
  readonly chatOpen: string;
  readonly chatFromTechnician: (technician: string) => string;
  readonly chatNotSent: string;
  readonly recordingStarted: string;
  readonly consentVerified: string;
  readonly recordingStopped: string;
  readonly endedByTechnician: string;
  readonly endedByCustomer: string;
  readonly endedByRelay: (reason: string) => string;
  readonly reconnecting: (seconds: number, attempt: number) => string;
  /** The connection dropped in a session that waits for it (same technician, no new code). */
  readonly resuming: (seconds: number) => string;
  readonly technicianReconnecting: string;
  readonly failed: (message: string) => string;
  /** Files in the terminal: the technician offers one, asks for one; how it went. */
  readonly fileOffered: (technician: string, name: string, size: string, id: number) => string;
  readonly fileRequested: (technician: string, id: number) => string;
  readonly fileProgress: (name: string, progress: string, id: number) => string;
  readonly fileDone: (name: string, outcome: string) => string;
  readonly fileOutcomes: Readonly<Record<string, string>>;
  readonly fileNoSuchTransfer: string;
}

const es: Messages = {
  connecting: '🔗 Conectando con CompuEasys Soporte…',
  codeIntro: '🟢 Conectado - Esperando técnico. Dígale este código al técnico:',
  codeExpires: (m) => `(válido durante ${m} minutos)`,
  consentQuestion: (t) => `👤 ${t} quiere ver y controlar su pantalla.`,
  consentChoices: '   [c] Permitir control   [v] Solo ver   [n] Denegar  > ',
  consentTimeout: (s) => `   (sin respuesta en ${s} s se deniega)`,
  consentUnattended: (a) => `✅ Aceptado automáticamente (${a}).`,
  consentNonInteractive: '⛔ Sin terminal para preguntar: se deniega (use --accept para sesiones desatendidas).',
  consentEncrypted: '   🔒 Cifrado de extremo a extremo: ni el servidor puede ver su pantalla ni lo que se escribe.',
  consentUnencrypted: '   ⚠️  ATENCIÓN: esta conexión NO está cifrada de extremo a extremo (la aplicación del técnico es antigua). El servidor podría ver su pantalla.',
  noticeUnverified: '⚠️  No se pudo verificar la conexión: el código se escribió mal o alguien está interfiriendo. Este es un código nuevo.',
  noticeUnencryptedRefused: '⛔ Se rechazó a un técnico cuya aplicación no cifra de extremo a extremo. Este es un código nuevo.',
  noticeReconnected: '⚠️  Se cortó la conexión y el código anterior ya no sirve. Dígale al técnico este código nuevo.',
  sharingEncrypted: '   🔒 Cifrado de extremo a extremo.',
  sharingUnencrypted: '   ⚠️  Sin cifrado de extremo a extremo.',
  endedTampered: '🔴 Sesión terminada: los datos llegaron alterados (alguien está interfiriendo).',
  sharingControl: (t) => `🖥️  ${t} está viendo y controlando su pantalla.`,
  sharingViewOnly: (t) => `👁️  ${t} está viendo su pantalla (solo ver).`,
  stopHint: '   Pulse Ctrl+C para dejar de compartir en cualquier momento.',
  chatOpen: '💬 Chat con el técnico: escriba un mensaje y pulse Intro para enviarlo.',
  chatFromTechnician: (t) => `💬 ${t}:`,
  chatNotSent: '   (mensaje no enviado: el chat no está abierto o el texto es demasiado largo)',
  recordingStarted: '🔴 Esta sesión se está grabando.',
  consentVerified: '✔ Técnico verificado de CompuEasys.',
  recordingStopped: '⏹  La grabación de la sesión terminó.',
  endedByTechnician: '🔴 El técnico terminó la sesión.',
  endedByCustomer: '🔴 Usted dejó de compartir la pantalla.',
  endedByRelay: (r) => `🔴 Sesión terminada (${r}).`,
  reconnecting: (s, n) => `⚠️  Sin conexión. Reintentando en ${s} s (intento ${n})…`,
  resuming: (s) => `⚠️  Reconectando… La sesión sigue abierta (reintento en ${s} s).`,
  technicianReconnecting: '⏳ Reconectando… El técnico perdió la conexión; la sesión sigue abierta.',
  failed: (m) => `❌ No se pudo continuar: ${m}`,
  fileOffered: (t, n, s, id) => `📄 ${t} quiere enviarle el archivo «${n}» (${s}).\n   Escriba /aceptar ${id} para guardarlo en Descargas, o /rechazar ${id}.`,
  fileRequested: (t, id) => `📄 ${t} le pide un archivo.\n   Escriba /enviar ${id} <ruta del archivo> para enviarlo, o /rechazar ${id}. Nada sale de su equipo sin su elección.`,
  fileProgress: (n, p, id) => `   «${n}»: ${p} (/cancelar ${id} para cancelar)`,
  fileDone: (n, o) => `📄 «${n}»: ${o}`,
  fileOutcomes: {
    saved: 'recibido y comprobado (SHA-256); guardado en Descargas', sent: 'enviado y comprobado (SHA-256)', declined: 'rechazado',
    cancelled: 'cancelado', 'cancelled-by-peer': 'cancelado por el técnico', corrupt: 'llegó dañado; no se guardó',
    failed: 'falló; no se guardó nada', refused: 'interrumpido (mensaje no válido)', ended: 'interrumpido: la sesión terminó',
  },
  fileNoSuchTransfer: '   (no hay ninguna transferencia con ese número esperando su respuesta)',
};

const en: Messages = {
  connecting: '🔗 Connecting to CompuEasys Support…',
  codeIntro: '🟢 Connected - Waiting for the technician. Read this code to the technician:',
  codeExpires: (m) => `(valid for ${m} minutes)`,
  consentQuestion: (t) => `👤 ${t} wants to see and control your screen.`,
  consentChoices: '   [c] Allow control   [v] View only   [n] Deny  > ',
  consentTimeout: (s) => `   (denied if there is no answer within ${s} s)`,
  consentUnattended: (a) => `✅ Accepted automatically (${a}).`,
  consentNonInteractive: '⛔ No terminal to ask: denied (use --accept for unattended sessions).',
  consentEncrypted: '   🔒 End-to-end encrypted: not even the server can see your screen or what is typed.',
  consentUnencrypted: '   ⚠️  WARNING: this connection is NOT end-to-end encrypted (the technician\'s app is old). The server could see your screen.',
  noticeUnverified: '⚠️  The connection could not be verified: the code was mistyped, or someone is interfering. Here is a new code.',
  noticeUnencryptedRefused: '⛔ A technician whose app cannot encrypt end to end was turned away. Here is a new code.',
  noticeReconnected: '⚠️  The connection dropped and the old code no longer works. Read this new code to the technician.',
  sharingEncrypted: '   🔒 End-to-end encrypted.',
  sharingUnencrypted: '   ⚠️  Not end-to-end encrypted.',
  endedTampered: '🔴 Session ended: the data arrived altered (someone is interfering).',
  sharingControl: (t) => `🖥️  ${t} is viewing and controlling your screen.`,
  sharingViewOnly: (t) => `👁️  ${t} is viewing your screen (view only).`,
  stopHint: '   Press Ctrl+C to stop sharing at any time.',
  chatOpen: '💬 Chat with the technician: type a message and press Enter to send it.',
  chatFromTechnician: (t) => `💬 ${t}:`,
  chatNotSent: '   (message not sent: the chat is not open or the text is too long)',
  recordingStarted: '🔴 This session is being recorded.',
  consentVerified: '✔ Verified CompuEasys technician.',
  recordingStopped: '⏹  The recording of the session stopped.',
  endedByTechnician: '🔴 The technician ended the session.',
  endedByCustomer: '🔴 You stopped sharing your screen.',
  endedByRelay: (r) => `🔴 Session ended (${r}).`,
  reconnecting: (s, n) => `⚠️  Connection lost. Retrying in ${s} s (attempt ${n})…`,
  resuming: (s) => `⚠️  Reconnecting… The session stays open (retrying in ${s} s).`,
  technicianReconnecting: '⏳ Reconnecting… The technician lost their connection; the session stays open.',
  failed: (m) => `❌ Cannot continue: ${m}`,
  fileOffered: (t, n, s, id) => `📄 ${t} wants to send you the file "${n}" (${s}).\n   Type /accept ${id} to save it in Downloads, or /decline ${id}.`,
  fileRequested: (t, id) => `📄 ${t} asks you for a file.\n   Type /send ${id} <path of the file> to send it, or /decline ${id}. Nothing leaves your computer unless you choose it.`,
  fileProgress: (n, p, id) => `   "${n}": ${p} (/cancel ${id} to cancel)`,
  fileDone: (n, o) => `📄 "${n}": ${o}`,
  fileOutcomes: {
    saved: 'received and checked (SHA-256); saved in Downloads', sent: 'sent and checked (SHA-256)', declined: 'declined',
    cancelled: 'cancelled', 'cancelled-by-peer': 'cancelled by the technician', corrupt: 'arrived damaged; nothing was kept',
    failed: 'failed; nothing was kept', refused: 'stopped (an invalid message)', ended: 'stopped: the session ended',
  },
  fileNoSuchTransfer: '   (no transfer with that number is waiting for your answer)',
};

const ALL: Readonly<Record<Language, Messages>> = Object.freeze({ es, en });

export function messagesFor(language: Language): Messages {
  return ALL[language];
}
