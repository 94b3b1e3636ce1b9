import type { StudioEvent } from './types';

/** Fan-out of studio events to every transport that listens. A failing listener harms no other. */
export class EventHub {
  private listeners = new Set<(event: StudioEvent) => void>();

  subscribe(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: StudioEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        console.error('dreamprm: an event listener failed:', e);
      }
    }
  }
}
