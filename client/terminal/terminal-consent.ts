import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Messages } from '../i18n/messages';
import type { ConsentAnswer } from '../contract/ui-events';
import type { ConsentRequest } from '../session/client-session';

/**
 * Asks the customer in the terminal. [c]ontrol / [v]iew only / anything else denies;
 * no answer before the timeout (or the technician leaving) denies too.
 */
export function terminalConsent(input: Readable, output: Writable, t: Messages): (r: ConsentRequest) => Promise<ConsentAnswer> {
  return (request) => new Promise<ConsentAnswer>((resolve) => {
    output.write(`\n${t.consentQuestion(request.technicianName)}\n${request.verified ? `${t.consentVerified}\n` : ''}${request.encrypted ? t.consentEncrypted : t.consentUnencrypted}\n`
      + `${t.consentTimeout(Math.round(request.timeoutMs / 1000))}\n`);
    const rl = createInterface({ input, output, terminal: false });
    const finish = (answer: ConsentAnswer): void => {
      request.signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = (): void => finish('deny');
    request.signal.addEventListener('abort', onAbort);
    rl.question(t.consentChoices, (line) => {
      const a = line.trim().toLowerCase();
      finish(a === 'c' ? 'control' : a === 'v' ? 'view-only' : 'deny');
    });
  });
}

/** Unattended use (tests, a machine the customer left running): a fixed answer. */
export function automaticConsent(answer: ConsentAnswer, output: Writable, t: Messages): (r: ConsentRequest) => Promise<ConsentAnswer> {
  return async (request) => {
    output.write(`${t.consentQuestion(request.technicianName)}\n${request.verified ? `${t.consentVerified}\n` : ''}${request.encrypted ? t.consentEncrypted : t.consentUnencrypted}\n`
      + `${answer === 'deny' ? t.consentNonInteractive : t.consentUnattended(answer)}\n`);
    return answer;
  };
}
