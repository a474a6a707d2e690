// Protobuf bytes written by hand, to check the observer.proto/flow.proto subset against upstream field numbers
// rather than against itself: varints, keys, length-delimited fields, and GetFlows responses through the service's
// own (de)serializer.
import { observerService, type GetFlowsResponse } from '../../jobs/hubble/relay-proto.ts';

const getFlows = observerService().service.GetFlows;
if (getFlows === undefined) throw new Error('observer.proto lost GetFlows');

export const encodeResponse = (r: GetFlowsResponse): Buffer => getFlows.responseSerialize(r);
export const decodeResponse = (b: Buffer): GetFlowsResponse => getFlows.responseDeserialize(b) as GetFlowsResponse;

/** Protobuf varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
/** A field's key: its number and wire type (0 varint, 2 length-delimited). */
export const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
export const lenDelim = (field: number, bytes: number[]): number[] => [...key(field, 2), ...varint(bytes.length), ...bytes];
export const str = (field: number, s: string): number[] => lenDelim(field, [...Buffer.from(s)]);
