import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckFirstGate } from '../../../bot/ack-first.ts';

/** Whether the promise has settled after the microtasks queued so far have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('AckFirstGate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const gate = (quietMs = 5, maxWaitMs = 250) => new AckFirstGate({ quietMs, maxWaitMs, now: () => Date.now() });

  it('lets background work through at once when no request is waiting', async () => {
    const g = gate();
    expect(await settled(g.quiet())).toBe(true);
  });

  it('holds background work until every request is answered and none arrived for the quiet period', async () => {
    const g = gate();
    g.arrived();
    g.arrived();
    const wait = g.quiet();
    await vi.advanceTimersByTimeAsync(20);
    expect(await settled(wait)).toBe(false);
    g.answered();
    await vi.advanceTimersByTimeAsync(20);
    expect(await settled(wait)).toBe(false); // one still waits for its ack
    g.answered();
    expect(g.waiting).toBe(0);
    expect(await settled(wait)).toBe(true); // the last arrival was 40 ms ago: quiet already
  });

  it('waits out the quiet period after the last arrival, and a new arrival starts it again', async () => {
    const g = gate(10);
    g.arrived();
    g.answered();
    const wait = g.quiet();
    await vi.advanceTimersByTimeAsync(6);
    g.arrived(); // the next request of the burst
    g.answered();
    await vi.advanceTimersByTimeAsync(6);
    expect(await settled(wait)).toBe(false); // 6 ms since the last arrival
    await vi.advanceTimersByTimeAsync(5);
    expect(await settled(wait)).toBe(true);
  });

  it('never holds a wait longer than maxWaitMs, however busy the front door stays', async () => {
    const g = gate(5, 100);
    g.arrived(); // never answered
    const wait = g.quiet();
    await vi.advanceTimersByTimeAsync(99);
    expect(await settled(wait)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(wait)).toBe(true);
    // A later wait is bounded the same way, and the earlier one left no timer behind.
    const again = g.quiet();
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(again)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('track: counts a verified request until its response finishes or its connection closes, once', async () => {
    const g = gate();
    const finished = new EventEmitter();
    const abandoned = new EventEmitter();
    g.track(finished as unknown as Response);
    g.track(abandoned as unknown as Response);
    expect(g.waiting).toBe(2);
    finished.emit('finish');
    finished.emit('close'); // 'close' follows 'finish' on a normal response: not counted twice
    expect(g.waiting).toBe(1);
    abandoned.emit('close'); // the client went away before the answer
    expect(g.waiting).toBe(0);
    await vi.advanceTimersByTimeAsync(5);
    expect(await settled(g.quiet())).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // the per-request deadlines are cleared
  });

  it('track: a request never answered stops counting at what is left of the ack deadline', async () => {
    const g = gate();
    g.track(new EventEmitter() as unknown as Response, 2000);
    expect(g.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(g.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.waiting).toBe(0);
  });
});
