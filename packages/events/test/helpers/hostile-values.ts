/**
 * Values a subscriber can throw or return that break code reading them naively: every getter,
 * `toString`, `toJSON`, `then` or proxy trap of these throws. Each factory makes a fresh value
 * (a revoked proxy cannot be un-revoked; a cyclic object is built anew).
 */
export const hostileValues: Record<string, () => unknown> = {
  'null-prototype object': () => Object.create(null),
  'Error whose message getter throws': () => errorWithThrowing('message'),
  'Error whose stack getter throws': () => errorWithThrowing('stack'),
  'Error whose name getter throws': () => errorWithThrowing('name'),
  'Error whose toString throws': () => errorWithThrowing('toString'),
  'Error whose toJSON throws': () => errorWithThrowing('toJSON'),
  'Error whose every getter throws': () => {
    const error = new Error('hidden');
    for (const key of ['message', 'stack', 'name', 'code', 'cause', 'toString', 'toJSON', 'constructor'])
      Object.defineProperty(error, key, { get: boom(key), configurable: true });
    return error;
  },
  'revoked proxy': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  'revoked proxy of an Error': () => {
    const { proxy, revoke } = Proxy.revocable(new Error('gone'), {});
    revoke();
    return proxy;
  },
  'proxy whose every trap throws': () => new Proxy({}, allTrapsThrow()),
  'proxy of an Error whose every trap throws': () => new Proxy(new Error('trapped'), allTrapsThrow()),
  symbol: () => Symbol('thrown symbol'),
  BigInt: () => 12345678901234567890n,
  'cyclic object': () => {
    const o: Record<string, unknown> = { message: 'cyclic' };
    o.self = o;
    return o;
  },
  'cyclic Error': () => {
    const e = new Error('cyclic error') as Error & { self?: unknown };
    e.self = e;
    e.cause = e;
    return e;
  },
  'object with a huge message': () => ({ message: 'x'.repeat(1 << 20) }),
  'object whose toString and valueOf throw': () => ({
    toString: boom('toString'),
    valueOf: boom('valueOf'),
    [Symbol.toPrimitive]: boom('toPrimitive'),
  }),
  'object whose Symbol.toStringTag getter throws': () =>
    Object.defineProperty({}, Symbol.toStringTag, { get: boom('toStringTag') }),
  undefined: () => undefined,
  null: () => null,
};

/** Values a handler can return that look like (or pretend to be) promises. */
export const hostileThenables: Record<string, () => unknown> = {
  'thenable whose then getter throws': () => Object.defineProperty({}, 'then', { get: boom('then') }),
  // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
  'thenable whose then throws when called': () => ({ then: boom('then()') }),
  'thenable that settles twice, both ways': () => ({
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
    then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
      resolve(1);
      reject(new Error('and rejects'));
      resolve(2);
    },
  }),
  'thenable that resolves then throws': () => ({
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
    then(resolve: (v: unknown) => void) {
      resolve(1);
      throw new Error('after resolving');
    },
  }),
  'thenable rejecting with a revoked proxy': () => ({
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
    then(_resolve: unknown, reject: (e: unknown) => void) {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      reject(proxy);
    },
  }),
  'thenable resolving to a thenable whose then getter throws': () => ({
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
    then(resolve: (v: unknown) => void) {
      resolve(Object.defineProperty({}, 'then', { get: boom('inner then') }));
    },
  }),
  'proxy whose get trap throws': () => new Proxy({}, allTrapsThrow()),
  'revoked proxy': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  'object that inherits Promise.prototype but is no promise': () => Object.create(Promise.prototype),
  'promise whose constructor getter throws': () =>
    Object.defineProperty(Promise.resolve(1), 'constructor', { get: boom('constructor') }),
};

export function boom(what: string): () => never {
  return () => {
    throw new Error(`hostile ${what}`);
  };
}

function errorWithThrowing(key: string): Error {
  const error = new Error('well-meant');
  Object.defineProperty(error, key, { get: boom(key), configurable: true });
  return error;
}

function allTrapsThrow(): ProxyHandler<object> {
  const handler: ProxyHandler<object> = {};
  for (const trap of [
    'get',
    'has',
    'ownKeys',
    'getOwnPropertyDescriptor',
    'getPrototypeOf',
    'defineProperty',
    'set',
    'deleteProperty',
    'isExtensible',
    'preventExtensions',
    'setPrototypeOf',
    'apply',
    'construct',
  ] as const) {
    (handler as Record<string, unknown>)[trap] = boom(`${trap} trap`);
  }
  return handler;
}
