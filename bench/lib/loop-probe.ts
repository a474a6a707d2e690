// What a process's event loop went through over an interval: how late timers ran (event-loop delay), garbage
// collection pauses, and CPU time. A slow acknowledgement is a request that waited behind one of these.
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopSample {
  /** Event-loop delay, ms: how much later than asked a 1 ms timer ran. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** GC pauses: count, sum and the longest, ms. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** CPU time of the process (user + system), ms, and the wall time it was spent in. */
  cpuMs: number;
  wallMs: number;
  /** process.hrtime at the end of the interval, µs: the clock of a --cpu-prof profile, to line the two up. */
  endUs: number;
  /** Resident set size at the end of the interval, and the process's peak so far (bytes). */
  rssBytes: number;
  maxRssBytes: number;
  /** V8 heap in use at the end of the interval (bytes): what the process's own objects take. */
  heapUsedBytes: number;
}

export class LoopProbe {
  private readonly delay: IntervalHistogram;
  private readonly gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      this.gcCount++;
      this.gcTotalMs += e.duration;
      this.gcMaxMs = Math.max(this.gcMaxMs, e.duration);
    }
  });
  private gcCount = 0;
  private gcTotalMs = 0;
  private gcMaxMs = 0;
  private cpu = process.cpuUsage();
  private wall = performance.now();

  /**
   * `resolutionMs`: the delay histogram's timer. 1 ms sees every stall the ack bench cares about, but its thousand
   * wake-ups a second are CPU the probed process would not otherwise spend: idle-CPU benches take a coarser one.
   */
  constructor(resolutionMs = 1) {
    this.delay = monitorEventLoopDelay({ resolution: resolutionMs });
    this.delay.enable();
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** The interval since construction or the previous take(); starts the next one. */
  take(): LoopSample {
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const cpu = process.cpuUsage(this.cpu);
    const now = performance.now();
    const sample: LoopSample = {
      delayP50Ms: ms(this.delay.percentile(50)),
      delayP99Ms: ms(this.delay.percentile(99)),
      delayMaxMs: ms(this.delay.max),
      gcCount: this.gcCount,
      gcTotalMs: Math.round(this.gcTotalMs * 100) / 100,
      gcMaxMs: Math.round(this.gcMaxMs * 100) / 100,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      wallMs: Math.round(now - this.wall),
      endUs: Number(process.hrtime.bigint() / 1000n),
      rssBytes: process.memoryUsage.rss(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
    this.delay.reset();
    this.gcCount = 0;
    this.gcTotalMs = 0;
    this.gcMaxMs = 0;
    this.cpu = process.cpuUsage();
    this.wall = now;
    return sample;
  }
}
