import type { HookExecutor } from '@hookspell/hooks';
import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import type { SubscriptionImpl } from './subscription.js';
import { describeForNotice } from './thrown-value.js';

/** The part of a hooks executor the bus uses. */
export type HookFirer = Pick<HookExecutor, 'fire'>;

/** The event-group hook points, fired only when the bus is given an executor. */
export interface BusHooks {
  /** Fires BeforeEventEmit: `cancel` rejects the publish, `modified`/`replace` change the event. */
  before(event: HookspellEvent): Promise<HookspellEvent>;
  after(event: HookspellEvent): Promise<void>;
  handlerError(event: HookspellEvent, sub: SubscriptionImpl, error: unknown): void;
}

const COMPONENT = { type: 'system', name: 'event-bus' } as const;

export function createBusHooks(executor: HookFirer): BusHooks {
  return {
    async before(event) {
      const outcome = await executor.fire(
        'BeforeEventEmit',
        {
          component: COMPONENT,
          data: { eventId: event.id, type: event.type, data: event.data, tags: [...event.metadata.tags] },
        },
        { correlationId: event.metadata.correlationId },
      );
      const decision = outcome.decision;
      if (decision.type === 'cancel') {
        throw new EventError(
          EventErrorCode.EVENT_CANCELLED,
          `Event ${JSON.stringify(event.type)} was cancelled by a BeforeEventEmit hook: ${decision.reason ?? 'no reason given'}.`,
        );
      }
      if (decision.type === 'replace') return { ...event, data: decision.value };
      const data = outcome.data;
      const tags = Array.isArray(data.tags) ? (data.tags as string[]) : event.metadata.tags;
      if (data.data === event.data && tags === event.metadata.tags) return event;
      return { ...event, data: data.data, metadata: { ...event.metadata, tags } };
    },
    async after(event) {
      try {
        await executor.fire(
          'AfterEventEmit',
          { component: COMPONENT, data: { eventId: event.id, type: event.type } },
          {
            correlationId: event.metadata.correlationId,
          },
        );
      } catch {
        // AfterEventEmit observes; its failures are recorded by the executor, never thrown at the publisher.
      }
    },
    handlerError(event, sub, error) {
      // Reporting a subscriber's failure must never fail: it runs inside the bus's error path.
      try {
        executor
          .fire(
            'EventHandlerError',
            {
              component: COMPONENT,
              data: {
                eventId: event.id,
                type: event.type,
                subscriptionId: sub.id,
                pattern: sub.pattern,
                // Read defensively: the thrown value may have throwing getters or be a revoked proxy.
                error: describeForNotice(error).message,
              },
            },
            { correlationId: event.metadata.correlationId },
          )
          .catch(() => {});
      } catch {
        // An executor whose fire() throws synchronously: nothing to report it to.
      }
    },
  };
}
