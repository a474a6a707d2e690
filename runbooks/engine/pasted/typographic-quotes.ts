// Agent lines pasted from a chat or an issue often arrive with their logfmt quotes turned typographic
// (`msg=“error while opening/creating BPF maps” error=“Unable to create map …”`, cilium/cilium#23436; `msg=” Falling
// back to iptables-based masquerading.”`, #21237). The logfmt reader then stops each value at its first space, so
// msg and error lose their text. The agent never prints these characters, so in a line whose values open with one they
// are straightened back; any other line is left as pasted.
const TYPOGRAPHIC_VALUE = /=[“”]/;
const TYPOGRAPHIC_QUOTE = /[“”]/g;

export function straightenLogfmtQuotes(line: string): string {
  return TYPOGRAPHIC_VALUE.test(line) ? line.replace(TYPOGRAPHIC_QUOTE, '"') : line;
}
