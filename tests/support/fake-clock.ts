import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import type { Clock } from '../../src/core/domain/clock';

/** Real time plus an offset a test can move forward, so expiry is tested without waiting. */
export class FakeClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  /** For startTestServer's options.configure: the server reads time from this clock. */
  install(): (container: ContainerInstance) => void {
    return (container) => container.set(TOKENS.clock, this);
  }
}
