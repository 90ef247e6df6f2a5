import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';

const TOKEN = /^[^\s.*>]+$/;

/**
 * Checks a NATS subject given as an option: dot-separated tokens without spaces; `*` and `>`
 * wildcards only where subscribing (`serveHooks`), never where publishing (`remoteHook`).
 */
export function assertSubject(
  subject: unknown,
  where: string,
  wildcards: boolean,
): asserts subject is string {
  const bad = (problem: string) =>
    new RemoteHookError(
      RemoteHookErrorCode.INVALID_ARGUMENT,
      `${where}: \`subject\` ${problem}. Use dot-separated words, e.g. 'policy.tools'.`,
    );
  if (typeof subject !== 'string' || subject === '') throw bad('must be a non-empty string');
  const tokens = subject.split('.');
  tokens.forEach((token, i) => {
    if (TOKEN.test(token)) return;
    if (wildcards && (token === '*' || (token === '>' && i === tokens.length - 1))) return;
    if (token === '') throw bad(`${JSON.stringify(subject)} has an empty word`);
    if (/[*>]/.test(token) && !wildcards)
      throw bad(`${JSON.stringify(subject)} has a wildcard: a remote hook sends to one exact subject`);
    throw bad(`${JSON.stringify(subject)} has ${JSON.stringify(token)}, which is not a subject word`);
  });
}
