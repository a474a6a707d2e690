// The rules.http analysis and the narrowest-rule diff, on policies from upstream: the Star Wars demo's rule1
// (cilium/cilium examples/minikube/sw_l3_l4_l7_policy.yaml, quoted in cilium/cilium#4181) and a GET-only rule hit by
// `curl -I` (a HEAD: "Doing `curl -I` will send a `HEAD` request, which is not allowed by your policy. The policy only
// allows `GET`.", maintainer in cilium/cilium#13280; the proxy answered "HTTP/1.1 403 Forbidden … server: envoy").
import { describe, expect, it } from 'vitest';
import type { PolicySummary } from '../../../runbooks/engine/evidence.ts';
import { closestEntry, fullMatch, httpRuleSites, judgeEntries, siteApplies, type HttpRuleSite } from '../../../runbooks/engine/l7-http-rules.ts';
import { exactRegex, l7RuleDiff, narrowestEntry, yamlScalar } from '../../../runbooks/engine/l7-rule-diff.ts';

const cnp = (name: string, namespace: string, spec: Record<string, unknown>): PolicySummary => ({
  name, namespace, endpointSelector: spec['endpointSelector'], hasIngress: spec['ingress'] !== undefined, hasEgress: spec['egress'] !== undefined,
  hasIngressDeny: false, hasEgressDeny: false, hasToFQDNs: false, spec,
});

const RULE1 = cnp('rule1', 'default', {
  description: 'L7 policy to restrict access to specific HTTP call',
  endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { org: 'empire' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }] }],
});

function onlySite(p: PolicySummary): HttpRuleSite {
  const [site] = httpRuleSites({ cnp: [p], ccnp: [] });
  if (site === undefined) throw new Error('no http site');
  return site;
}

function diffFor(p: PolicySummary, req: { method: string; path: string; host: string }) {
  const site = onlySite(p);
  const best = closestEntry(judgeEntries(site.http, req));
  if (best === undefined) throw new Error('no entry');
  return { best, diff: l7RuleDiff(site, best, req) };
}

describe('rules.http analysis', () => {
  it('finds the toPorts entry with its place in the spec, peers and ports', () => {
    const site = onlySite(RULE1);
    expect(site).toMatchObject({ ref: 'CiliumNetworkPolicy default/rule1', direction: 'ingress', ruleIndex: 0, toPortsIndex: 0, ports: [{ port: '80', protocol: 'TCP' }], http: [{ method: 'POST', path: '/v1/request-landing' }], tlsInterception: false });
  });

  it('matches regexes against the whole value, as Envoy safe_regex_match does', () => {
    expect(fullMatch('/v1/request-landing', '/v1/request-landing')).toBe(true);
    expect(fullMatch('/v1/request-landing', '/v1/request-landing/extra')).toBe(false);
    expect(fullMatch('/public/.*', '/public/a/b')).toBe(true);
    expect(fullMatch('GET|HEAD', 'HEAD')).toBe(true);
    expect(fullMatch('GET', 'GETX')).toBe(false);
    expect(fullMatch('(', 'x')).toBeNull();
  });

  it('applies rule1 to tiefighter → deathstar (org=empire) and not to xwing (org=alliance)', () => {
    const site = onlySite(RULE1);
    const deathstar = { namespace: 'default', labels: { class: 'deathstar', org: 'empire' } };
    expect(siteApplies(site, { namespace: 'default', labels: { class: 'tiefighter', org: 'empire' } }, deathstar)).toBe(true);
    expect(siteApplies(site, { namespace: 'default', labels: { class: 'xwing', org: 'alliance' } }, deathstar)).toBe(false);
    // A peer in another namespace: a CNP's fromEndpoints without a namespace label mean its own namespace.
    expect(siteApplies(site, { namespace: 'rebels', labels: { org: 'empire' } }, deathstar)).toBe(false);
    // Pasted flows carry no labels: unknown, not false.
    expect(siteApplies(site, { namespace: 'default', labels: null }, { namespace: 'default', labels: null })).toBeNull();
    expect(siteApplies(site, { namespace: 'default', labels: null }, { namespace: 'other', labels: null })).toBe(false);
  });

  it('a rule whose peers are entities or CIDRs (not pods) is not provably the one: unknown, never true', () => {
    const world = onlySite(cnp('from-world', 'default', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    }));
    expect(world.otherPeers).toBe(true);
    const deathstar = { namespace: 'default', labels: { class: 'deathstar', org: 'empire' } };
    expect(siteApplies(world, { namespace: 'default', labels: { class: 'tiefighter', org: 'empire' } }, deathstar)).toBeNull();
    // No peer at all: every peer.
    const any = onlySite(cnp('any-peer', 'default', {
      endpointSelector: { matchLabels: { class: 'deathstar' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    }));
    expect(siteApplies(any, { namespace: 'default', labels: { class: 'tiefighter' } }, deathstar)).toBe(true);
  });

  it('names the fields that did not match, and why a partial path match is still a miss', () => {
    const [v] = judgeEntries([{ method: 'GET', path: '/api/v1' }], { method: 'GET', path: '/api/v1/users', host: 'x' });
    expect(v?.mismatches).toEqual([{ field: 'path', rule: '/api/v1', request: '/api/v1/users', note: 'the regex matches only part of the path; it must match all of it' }]);
    const [q] = judgeEntries([{ path: '/status' }], { method: 'GET', path: '/status?verbose=1', host: '' });
    expect(q?.mismatches[0]?.note).toBe('the rule matches the path without its query string, but `:path` carries the query');
    const [h] = judgeEntries([{ method: 'GET', headers: ['X-My-Header: true'] }], { method: 'GET', path: '/', host: '' });
    expect(h?.mismatches).toEqual([]);
    expect(h?.unknown).toEqual(['headers X-My-Header: true (not visible in flows)']);
  });
});

describe('l7RuleDiff: one new entry, exactly the denied request', () => {
  it('Star Wars: PUT /v1/exhaust-port against POST /v1/request-landing adds PUT on that one path', () => {
    const { best, diff } = diffFor(RULE1, { method: 'PUT', path: '/v1/exhaust-port', host: 'deathstar.default.svc.cluster.local' });
    expect(best.mismatches.map((m) => m.field)).toEqual(['method', 'path']);
    expect(diff?.diff).toBe([
      '--- CiliumNetworkPolicy default/rule1',
      '+++ CiliumNetworkPolicy default/rule1',
      '@@ spec.ingress[0].toPorts[0].rules.http (port 80/TCP) @@',
      '   http:',
      '   - method: "POST"',
      '     path: "/v1/request-landing"',
      '+  - method: "PUT"',
      '+    path: "/v1/exhaust-port"',
    ].join('\n'));
    expect(diff?.allows).toBe('only PUT /v1/exhaust-port');
    expect(diff?.editCommand).toBe('kubectl -n default edit cnp rule1');
  });

  it('#13280: a GET-only rule hit by HEAD adds HEAD for the same path, not a wider method regex', () => {
    const p = cnp('rule1', 'default', {
      endpointSelector: { matchLabels: { app: 'httpbin' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/status' }] } }] }],
    });
    const { diff } = diffFor(p, { method: 'HEAD', path: '/status', host: '10.244.1.170' });
    expect(diff?.added).toEqual({ method: 'HEAD', path: '/status' });
    expect(diff?.diff.split('\n').filter((l) => l.startsWith('+  '))).toEqual(['+  - method: "HEAD"', '+    path: "/status"']);
  });

  it('a path outside the regex gets its own exact, escaped path; the closest entry keeps its method and host', () => {
    const p = cnp('api', 'shop', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ toPorts: [{ ports: [{ port: '8080' }], rules: { http: [{ method: 'DELETE', path: '/admin' }, { method: 'GET', path: '/api/v1/.*', host: 'api\\.shop\\.svc' }] } }] }],
    });
    const { best, diff } = diffFor(p, { method: 'GET', path: '/api/v2/items.json', host: 'api.shop.svc' });
    expect(best.index).toBe(1);
    expect(diff?.added).toEqual({ method: 'GET', path: '/api/v2/items\\.json', host: 'api\\.shop\\.svc' });
    expect(diff?.diff).toContain("+    path: '/api/v2/items\\.json'");
    expect(diff?.diff).toContain("     host: 'api\\.shop\\.svc'");
  });

  it('a Host mismatch adds the request Host, escaped, and says so', () => {
    const p = cnp('ext', 'shop', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', host: 'api.example.com' }] } }] }],
    });
    const { diff } = diffFor(p, { method: 'GET', path: '/', host: 'cdn.example.com' });
    expect(diff?.added).toEqual({ method: 'GET', host: 'cdn\\.example\\.com' });
    expect(diff?.location).toBe('spec.egress[0].toPorts[0].rules.http');
    expect(diff?.allows).toBe('only GET / for Host cdn.example.com');
  });

  it('keeps the closest entry\'s required headers in the new entry', () => {
    const best = judgeEntries([{ method: 'GET', path: '/x', headers: ['X-Auth: 1'] }], { method: 'POST', path: '/x', host: '' })[0];
    if (best === undefined) throw new Error('no verdict');
    expect(narrowestEntry(best, { method: 'POST', path: '/x', host: '' })).toEqual({ method: 'POST', path: '/x', headers: ['X-Auth: 1'] });
  });

  it('no diff when an entry already matches method, path and host (the denial is about something else)', () => {
    const { best, diff } = diffFor(RULE1, { method: 'POST', path: '/v1/request-landing', host: '' });
    expect(best.mismatches).toEqual([]);
    expect(diff).toBeNull();
  });

  it('escapes every regex metacharacter and quotes YAML safely', () => {
    expect(exactRegex('/a.b/(c)?d*e+f|g[h]{i}^$\\')).toBe('/a\\.b/\\(c\\)\\?d\\*e\\+f\\|g\\[h\\]\\{i\\}\\^\\$\\\\');
    expect(new RegExp(`^(?:${exactRegex('/v1/x.y?z=1')})$`).test('/v1/x.y?z=1')).toBe(true);
    expect(new RegExp(`^(?:${exactRegex('/v1/x.y?z=1')})$`).test('/v1/xzy?z=1')).toBe(false);
    expect(yamlScalar('/plain')).toBe('"/plain"');
    expect(yamlScalar("it's\\.x")).toBe("'it''s\\.x'");
  });
});
