import type { Alert } from '../../domain/alert.ts';
import type {
  AlertDelivery,
  AlertNotifier,
  AlertPublisher,
  AlertStore,
  Page,
  ReadingQueue,
  ReadingStore,
} from '../../domain/ports.ts';
import type { Reading } from '../../domain/reading.ts';

/** In-memory stand-ins for the ports, for unit tests of the domain. */

export class FakeQueue implements ReadingQueue {
  readonly sent: Reading[] = [];
  /** Positions (in a call's input) the queue refuses. */
  refuse = new Set<number>();

  async enqueue(readings: readonly Reading[]): Promise<Map<number, string>> {
    const failed = new Map<number, string>();
    readings.forEach((reading, index) => {
      if (this.refuse.has(index)) failed.set(index, 'ServiceUnavailable');
      else this.sent.push(reading);
    });
    return failed;
  }
}

export class FakeReadingStore implements ReadingStore {
  readonly items = new Map<string, Reading>();
  async save(reading: Reading): Promise<void> {
    this.items.set(`${reading.deviceId}#${reading.id}`, reading);
  }
  async list(): Promise<Page<Reading>> {
    return { items: [...this.items.values()], nextToken: null };
  }
}

export class FakeAlertStore implements AlertStore {
  readonly items = new Map<string, AlertDelivery>();
  async record(alert: Alert): Promise<AlertDelivery> {
    const existing = this.items.get(alert.id);
    if (existing) return { ...existing };
    const delivery = { alert, notified: false, pushed: false };
    this.items.set(alert.id, delivery);
    return { ...delivery };
  }
  async markNotified(id: string): Promise<void> {
    const delivery = this.items.get(id);
    if (delivery) delivery.notified = true;
  }
  async markPushed(id: string): Promise<void> {
    const delivery = this.items.get(id);
    if (delivery) delivery.pushed = true;
  }
  async list(): Promise<Page<Alert>> {
    return { items: [...this.items.values()].map((d) => d.alert), nextToken: null };
  }
}

/** A delivery channel that records what it sent and can be made to fail. */
export class FakeChannel implements AlertNotifier, AlertPublisher {
  readonly sent: Alert[] = [];
  failuresLeft = 0;
  async notify(alert: Alert): Promise<void> {
    this.#deliver(alert);
  }
  async publish(alert: Alert): Promise<void> {
    this.#deliver(alert);
  }
  #deliver(alert: Alert): void {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('channel unavailable');
    }
    this.sent.push(alert);
  }
}
