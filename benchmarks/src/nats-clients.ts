/**
 * The raw NATS clients for the JetStream benchmark, loaded from where @hookspell/events has them
 * (its dev dependencies), so the benchmark compares against exactly the client version the
 * transport runs on. Typed by the little the benchmark uses.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromEvents = createRequire(new URL('../../packages/events/package.json', import.meta.url));
const load = async <T>(name: string): Promise<T> =>
  (await import(pathToFileURL(fromEvents.resolve(name)).href)) as T;

export interface RawMsg {
  data: Uint8Array;
  string(): string;
  respond(data?: string): boolean;
  ack(): void;
}
export interface RawConnection {
  publish(subject: string, data?: string | Uint8Array): void;
  subscribe(
    subject: string,
    opts: { callback: (err: Error | null, msg: RawMsg) => void },
  ): { unsubscribe(): void };
  request(subject: string, data?: string, opts?: { timeout: number }): Promise<RawMsg>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
export interface RawJetStream {
  publish(subject: string, data: string, opts?: { msgID?: string }): Promise<unknown>;
  consumers: {
    get(
      stream: string,
      name: string,
    ): Promise<{
      consume(opts: { max_messages: number; callback: (m: RawMsg) => void }): Promise<{ stop(): void }>;
    }>;
  };
}
export interface RawJetStreamManager {
  streams: { add(cfg: Record<string, unknown>): Promise<unknown>; delete(name: string): Promise<boolean> };
  consumers: { add(stream: string, cfg: Record<string, unknown>): Promise<unknown> };
}

export const nats = await load<{ connect(opts: { servers: string }): Promise<RawConnection> }>(
  '@nats-io/transport-node',
);
export const jetstreamLib = await load<{
  jetstream(nc: RawConnection): RawJetStream;
  jetstreamManager(nc: RawConnection): Promise<RawJetStreamManager>;
}>('@nats-io/jetstream');
