/**
 * Every word of the customer's window, in Spanish and English. Spanish is the product's
 * first language; the window follows the system (browser) language and can be switched.
 */
import type { Language } from '../../common/language';
import { WINDOW_TITLES } from '../contract/window-title';

/** The sentences without parameters; their keys are the `data-i18n` names in index.html. */
export interface StaticMessages {
  readonly appName: string;
  readonly product: string;
  readonly otherLanguage: string;
  readonly starting: string;
  readonly idleLead: string;
  readonly connect: string;
  readonly idleFootnote: string;
  readonly connecting: string;
  readonly cancel: string;
  readonly codeLead: string;
  readonly newCode: string;
  readonly codeFootnote: string;
  readonly codeExpired: string;
  readonly noticeDenied: string;
  readonly noticeUnanswered: string;
  readonly noticeUnverified: string;
  readonly noticeUnencryptedRefused: string;
  readonly noticeReconnected: string;
  readonly endedCancelled: string;
  readonly encrypted: string;
  readonly notEncrypted: string;
  readonly consentNotEncrypted: string;
  readonly allowControl: string;
  readonly viewOnly: string;
  readonly deny: string;
  readonly modeControl: string;
  readonly modeViewOnly: string;
  readonly stopSharing: string;
  readonly endedByTechnician: string;
  readonly endedByCustomer: string;
  readonly endedCodeExpired: string;
  readonly endedByRelay: string;
  readonly endedTampered: string;
  readonly connectAgain: string;
  readonly reconnectingTitle: string;
  readonly failedTitle: string;
  readonly tryAgain: string;
  readonly offlineTitle: string;
  readonly offlineDetail: string;
  readonly trayShow: string;
  readonly trayQuit: string;
  readonly noTrayHint: string;
  readonly chat: string;
  readonly recordingNotice: string;
  readonly verifiedTechnician: string;
  readonly chatPlaceholder: string;
  readonly chatSend: string;
  readonly chatYou: string;
  readonly close: string;
}

export interface WindowMessages extends StaticMessages {
  readonly codeExpiresIn: (clock: string) => string;
  readonly consentQuestion: (technician: string) => string;
  readonly consentCountdown: (seconds: number) => string;
  readonly sharingControl: (technician: string) => string;
  readonly sharingViewOnly: (technician: string) => string;
  readonly sharingElapsed: (clock: string) => string;
  readonly reconnecting: (seconds: number, attempt: number) => string;
  /** The connection dropped during a session that waits for it: same technician, no new code. */
  readonly resumingTitle: string;
  readonly resuming: (seconds: number) => string;
  /** The technician's page dropped; the session waits for it. */
  readonly technicianReconnecting: string;
  /** Files: the technician offers one, asks for one; the transfers. */
  readonly fileOffer: (name: string, size: string) => string;
  readonly fileOfferWhere: string;
  readonly fileAccept: string;
  readonly fileDecline: string;
  readonly filePickQuestion: string;
  readonly filePickButton: string;
  readonly filePickNone: string;
  readonly filePathLabel: string;
  readonly filePathSend: string;
  readonly fileCancel: string;
  readonly fileOutcomes: Readonly<Record<string, string>>;
}

const ES: WindowMessages = {
  appName: WINDOW_TITLES.es,
  product: 'Soporte Remoto',
  otherLanguage: 'English',
  starting: 'Preparando…',
  idleLead: 'Un técnico de CompuEasys puede ver su pantalla y ayudarle, con su permiso.',
  connect: 'Conectar con Soporte',
  idleFootnote: 'Usted decide qué puede hacer el técnico y puede dejar de compartir en cualquier momento.',
  connecting: 'Conectando con CompuEasys…',
  cancel: 'Cancelar',
  codeLead: 'Dígale este código al técnico:',
  newCode: 'Nuevo código',
  codeFootnote: 'Nadie puede ver su pantalla sin que usted lo permita.',
  codeExpired: 'El código venció. Pida uno nuevo.',
  noticeDenied: 'Usted rechazó la conexión. Este es un código nuevo.',
  noticeUnanswered: 'La solicitud no se respondió a tiempo. Este es un código nuevo.',
  noticeUnverified: 'No se pudo verificar la conexión: el código no coincidía o alguien estaba interfiriendo. El código anterior ya no sirve; este es uno nuevo.',
  noticeUnencryptedRefused: 'Se rechazó una conexión que no estaba cifrada de extremo a extremo. Este es un código nuevo.',
  noticeReconnected: 'Se cortó la conexión y el código anterior ya no sirve. Dígale al técnico este código nuevo.',
  endedCancelled: 'Conexión cancelada. No se compartió nada.',
  encrypted: 'Cifrado de extremo a extremo',
  notEncrypted: 'No cifrado de extremo a extremo',
  consentNotEncrypted: 'Atención: esta conexión no está cifrada de extremo a extremo. El servidor podría ver su pantalla y lo que se escriba. Acepte solo si esperaba a este técnico.',
  allowControl: 'Permitir control',
  viewOnly: 'Solo ver',
  deny: 'Denegar',
  modeControl: 'Control permitido',
  modeViewOnly: 'Solo ver',
  stopSharing: 'Dejar de compartir',
  endedByTechnician: 'El técnico terminó la sesión.',
  endedByCustomer: 'Usted dejó de compartir su pantalla.',
  endedCodeExpired: 'El código venció sin que nadie se conectara.',
  endedByRelay: 'La sesión terminó.',
  endedTampered: 'La sesión terminó: la conexión fue alterada en el camino. Nada más se compartió.',
  connectAgain: 'Conectar de nuevo',
  reconnectingTitle: 'Problema de conexión',
  failedTitle: 'No se pudo conectar',
  tryAgain: 'Reintentar',
  offlineTitle: 'El programa de soporte no responde',
  offlineDetail: 'Cierre esta ventana y abra CompuEasys Soporte de nuevo.',
  trayShow: 'Mostrar ventana',
  trayQuit: 'Salir',
  noTrayHint: 'No hay icono junto al reloj: para dejar de compartir, vuelva a esta ventana y pulse «Dejar de compartir», o ciérrela.',
  chat: 'Chat con el técnico',
  recordingNotice: 'Esta sesión se está grabando',
  verifiedTechnician: 'Técnico verificado de CompuEasys',
  chatPlaceholder: 'Escriba un mensaje…',
  chatSend: 'Enviar',
  chatYou: 'Usted',
  close: 'Cerrar',
  codeExpiresIn: (clock) => `Vence en ${clock}`,
  consentQuestion: (t) => `${t} quiere ver y controlar su pantalla`,
  consentCountdown: (s) => `Si no responde, se denegará en ${s} s`,
  sharingControl: (t) => `${t} está viendo y controlando su pantalla`,
  sharingViewOnly: (t) => `${t} está viendo su pantalla (no puede controlarla)`,
  sharingElapsed: (clock) => `Conectado desde hace ${clock}`,
  reconnecting: (s, n) => `Reintentando en ${s} s (intento ${n})…`,
  resumingTitle: 'Reconectando…',
  resuming: (s) => `Se perdió la conexión. La sesión sigue abierta: reintentando en ${s} s…`,
  technicianReconnecting: 'Reconectando… (el técnico perdió la conexión; la sesión sigue abierta)',
  fileOffer: (n, s) => `El técnico quiere enviarle «${n}» (${s})`,
  fileOfferWhere: 'Si lo acepta, se guardará en su carpeta Descargas.',
  fileAccept: 'Aceptar',
  fileDecline: 'Rechazar',
  filePickQuestion: 'El técnico le pide un archivo. Nada sale de su equipo sin que usted lo elija.',
  filePickButton: 'Elegir archivo…',
  filePickNone: 'No enviar',
  filePathLabel: 'Ruta del archivo que enviará',
  filePathSend: 'Enviar',
  fileCancel: 'Cancelar',
  fileOutcomes: {
    saved: 'Recibido y comprobado; guardado en Descargas', sent: 'Enviado y comprobado', declined: 'No se envió', cancelled: 'Cancelado',
    'cancelled-by-peer': 'Cancelado por el técnico', corrupt: 'Llegó dañado; no se guardó', failed: 'Falló; no se guardó nada',
    refused: 'Interrumpido', ended: 'Interrumpido: la sesión terminó',
  },
};

const EN: WindowMessages = {
  appName: WINDOW_TITLES.en,
  product: 'Remote Support',
  otherLanguage: 'Español',
  starting: 'Starting…',
  idleLead: 'A CompuEasys technician can see your screen and help you, with your permission.',
  connect: 'Connect to support',
  idleFootnote: 'You decide what the technician may do, and you can stop sharing at any time.',
  connecting: 'Connecting to CompuEasys…',
  cancel: 'Cancel',
  codeLead: 'Read this code to the technician:',
  newCode: 'New code',
  codeFootnote: 'Nobody can see your screen unless you allow it.',
  codeExpired: 'The code expired. Ask for a new one.',
  noticeDenied: 'You declined the connection. Here is a new code.',
  noticeUnanswered: 'The request was not answered in time. Here is a new code.',
  noticeUnverified: 'The connection could not be verified: the code did not match, or someone was interfering. The old code no longer works; here is a new one.',
  noticeUnencryptedRefused: 'A connection that was not end-to-end encrypted was refused. Here is a new code.',
  noticeReconnected: 'The connection dropped and the old code no longer works. Read this new code to the technician.',
  endedCancelled: 'Connection cancelled. Nothing was shared.',
  encrypted: 'End-to-end encrypted',
  notEncrypted: 'Not end-to-end encrypted',
  consentNotEncrypted: 'Warning: this connection is not end-to-end encrypted. The server could see your screen and what is typed. Accept only if you were expecting this technician.',
  allowControl: 'Allow control',
  viewOnly: 'View only',
  deny: 'Deny',
  modeControl: 'Control allowed',
  modeViewOnly: 'View only',
  stopSharing: 'Stop sharing',
  endedByTechnician: 'The technician ended the session.',
  endedByCustomer: 'You stopped sharing your screen.',
  endedCodeExpired: 'The code expired before anyone connected.',
  endedByRelay: 'The session ended.',
  endedTampered: 'The session ended: the connection was altered on the way. Nothing more was shared.',
  connectAgain: 'Connect again',
  reconnectingTitle: 'Connection problem',
  failedTitle: 'Could not connect',
  tryAgain: 'Try again',
  offlineTitle: 'The support program is not responding',
  offlineDetail: 'Close this window and open CompuEasys Support again.',
  trayShow: 'Show window',
  trayQuit: 'Quit',
  noTrayHint: 'There is no icon by the clock: to stop sharing, come back to this window and press "Stop sharing", or close it.',
  chat: 'Chat with the technician',
  recordingNotice: 'This session is being recorded',
  verifiedTechnician: 'Verified CompuEasys technician',
  chatPlaceholder: 'Type a message…',
  chatSend: 'Send',
  chatYou: 'You',
  close: 'Close',
  codeExpiresIn: (clock) => `Expires in ${clock}`,
  consentQuestion: (t) => `${t} wants to see and control your screen`,
  consentCountdown: (s) => `Denied automatically in ${s} s if you do not answer`,
  sharingControl: (t) => `${t} is viewing and controlling your screen`,
  sharingViewOnly: (t) => `${t} is viewing your screen (cannot control it)`,
  sharingElapsed: (clock) => `Connected for ${clock}`,
  reconnecting: (s, n) => `Retrying in ${s} s (attempt ${n})…`,
  resumingTitle: 'Reconnecting…',
  resuming: (s) => `The connection was lost. The session stays open: retrying in ${s} s…`,
  technicianReconnecting: 'Reconnecting… (the technician lost their connection; the session stays open)',
  fileOffer: (n, s) => `The technician wants to send you "${n}" (${s})`,
  fileOfferWhere: 'If you accept, it is saved in your Downloads folder.',
  fileAccept: 'Accept',
  fileDecline: 'Decline',
  filePickQuestion: 'The technician asks you for a file. Nothing leaves your computer unless you choose it.',
  filePickButton: 'Choose a file…',
  filePickNone: 'Do not send',
  filePathLabel: 'Path of the file to send',
  filePathSend: 'Send',
  fileCancel: 'Cancel',
  fileOutcomes: {
    saved: 'Received and checked; saved in Downloads', sent: 'Sent and checked', declined: 'Not sent', cancelled: 'Cancelled',
    'cancelled-by-peer': 'Cancelled by the technician', corrupt: 'Arrived damaged; nothing was kept', failed: 'Failed; nothing was kept',
    refused: 'Stopped', ended: 'Stopped: the session ended',
  },
};

const CATALOGUES: Readonly<Record<Language, WindowMessages>> = Object.freeze({ es: ES, en: EN });

export function windowMessagesFor(language: Language): WindowMessages {
  return CATALOGUES[language];
}

/** m:ss, or h:mm:ss from an hour on. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
