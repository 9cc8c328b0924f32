import type { EcrEvents } from './glossary.js'

type Listener<Event extends keyof EcrEvents> = (payload: EcrEvents[Event]) => void

/** A small typed emitter: a listener that throws does not stop the others, nor the call. */
export function createEmitter() {
  const listeners = new Map<keyof EcrEvents, Set<Listener<never>>>()
  return {
    on<Event extends keyof EcrEvents>(event: Event, listener: Listener<Event>): () => void {
      let set = listeners.get(event)
      if (set === undefined) listeners.set(event, (set = new Set()))
      set.add(listener as Listener<never>)
      return () => void set.delete(listener as Listener<never>)
    },
    emit<Event extends keyof EcrEvents>(event: Event, payload: EcrEvents[Event]): void {
      for (const listener of listeners.get(event) ?? []) {
        try {
          ;(listener as Listener<Event>)(payload)
        } catch (error) {
          console.error(`fake-ecr: a '${event}' listener failed:`, error)
        }
      }
    },
  }
}
