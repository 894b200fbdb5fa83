import { Histogram, Registry, type Metric } from 'prom-client';
import { RequestDurations } from './request-durations';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const OBSERVED: [string, string, number, number][] = [
  ['GET', '/health/live', 200, 0.0004],
  ['GET', '/health/live', 200, 0.005],
  ['GET', '/api/v1/users', 200, 0.03],
  ['GET', '/api/v1/users', 403, 0.2],
  ['POST', 'unmatched', 404, 7],
  ['GET', '/api/v1/users', 200, 2.5],
];

describe('request durations', () => {
  test('when the same requests are observed, then the scrape text equals a prom-client Histogram of the same name, labels and buckets', async () => {
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: BUCKETS,
      registers: [reference],
    });
    const ours = new Registry();
    const durations = new RequestDurations(BUCKETS);
    ours.registerMetric(durations as unknown as Metric);

    for (const [method, route, status, seconds] of OBSERVED) {
      histogram.observe({ method, route, status: String(status) }, seconds);
      durations.observe(method, route, status, seconds);
    }

    const lines = (text: string) => text.split('\n').sort();
    expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
  });

  test('when the registry is reset, then no series is left', async () => {
    const registry = new Registry();
    const durations = new RequestDurations(BUCKETS);
    registry.registerMetric(durations as unknown as Metric);
    durations.observe('GET', '/x', 200, 0.1);

    registry.resetMetrics();

    expect(await registry.metrics()).not.toContain('_count{');
  });
});
