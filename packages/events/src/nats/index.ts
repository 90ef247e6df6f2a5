// `@hookspell/events/nats`: the only entry that imports the NATS client, so `@hookspell/events`
// itself never loads it (the NATS packages are optional peer dependencies).

export { type JetStreamOptions, partitionOf, type ResolvedJetStream } from './jetstream-config.js';
export {
  DEFAULT_NATS_SERVERS,
  DEFAULT_SUBJECT_PREFIX,
  type NatsTransport,
  type NatsTransportOptions,
  natsTransport,
} from './nats-transport.js';
export { subjectForType, subjectsForPattern } from './subject.js';
