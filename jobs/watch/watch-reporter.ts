// Turns the watch's actions into incidents: a group past the damping window opens one incident in the watch
// channel (root message, an entry naming the nodes, and a diagnosis of its first node queued into the thread);
// nodes joining or recovering are entries in that thread; the last node's recovery marks it recovered. Every step
// is checked against Redis (WatchGroupStore) so a new leader does not announce again what was announced. The
// operator's state and cilium-config changes are channel posts, claimed in Redis the same way
// (WatchAnnouncementStore): one post per change across leaders, and what changed between leaders is not lost.
import type { DiagnoseQueue } from '../diagnose-queue.ts';
import type { IncidentStore } from '../incidents/incident-store.ts';
import type { Incident, TimelineEntry } from '../incidents/incident.ts';
import { changedKeys, configHash, type WatchAnnouncementStore } from './watch-announcements.ts';
import type { WatchGroupStore } from './watch-groups.ts';
import type { OperatorEvent } from './operator-health.ts';
import { groupTitle, type GroupedNode, type WatchAction, type WatchGroup } from './watch-state.ts';

/** The chat side: bot/ implements it with the Slack incident sink. */
export interface WatchPoster {
  /** Posts the incident's root message in the channel; returns its ts. */
  postRoot(channelId: string, text: string): Promise<string>;
  postEntry(incident: Incident, entry: TimelineEntry): Promise<void>;
  refreshSummary(incident: Incident): Promise<void>;
  /** A plain message in the channel (operator state, cilium-config changes). */
  postNotice(channelId: string, text: string): Promise<void>;
}

export interface WatchReporterDeps {
  cluster: string;
  channelId: string;
  /** Who the watch's entries and diagnoses are by: the bot's own Slack user id. */
  actor: string;
  incidents: IncidentStore;
  queue: Pick<DiagnoseQueue, 'enqueue'>;
  groups: WatchGroupStore;
  announcements: WatchAnnouncementStore;
  poster: WatchPoster;
  dampingMs: number;
  /** Checked before every step: a replica that lost the lease stops posting at once. */
  isLeader: () => boolean;
}

const nodeList = (nodes: GroupedNode[]): string => nodes.map((n) => `\`${n.node}\` (${n.reason})`).join(', ');
const minutes = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);

export class WatchReporter {
  constructor(private readonly deps: WatchReporterDeps) {}

  async apply(action: WatchAction): Promise<void> {
    if (!this.deps.isLeader()) return;
    if (action.kind === 'opened' || action.kind === 'joined') await this.grow(action.group, action.added);
    else await this.shrink(action.group, action.recovered, action.kind === 'recovered');
  }

  /** Posts the operator's state change once (Redis claims it); throws when the post failed (the claim is given back). */
  async operator(event: OperatorEvent): Promise<void> {
    const { announcements, poster, cluster, channelId } = this.deps;
    if (!this.deps.isLeader()) throw new Error('not the watch leader');
    const claimed = event.kind === 'unhealthy' ? await announcements.claimOperatorUnhealthy(event.reason) : await announcements.claimOperatorRecovered();
    if (!claimed) return;
    const text = event.kind === 'unhealthy'
      ? `cilium-operator unhealthy in ${cluster} for more than the damping window: ${event.reason}. Until it is back, new nodes keep the node.cilium.io/agent-not-ready taint (the operator removes it).`
      : `cilium-operator recovered in ${cluster}.`;
    try {
      if (!this.deps.isLeader()) throw new Error('lost the watch lease before posting');
      await poster.postNotice(channelId, text);
    } catch (err) {
      await announcements.releaseOperator(event.kind, event.kind === 'unhealthy' ? event.reason : '');
      throw err;
    }
  }

  /**
   * cilium-config as the watch sees it now: the first sight is the baseline (nothing posted); a content different
   * from the last announced one is posted once, with the keys that changed since (a change made while no replica
   * led included). Throws when the post failed (the baseline is put back, so it is retried).
   */
  async config(data: Record<string, string>): Promise<void> {
    const { announcements, poster, cluster, channelId } = this.deps;
    if (!this.deps.isLeader()) throw new Error('not the watch leader');
    const now = { hash: configHash(data), data };
    const before = await announcements.configBaseline();
    if (before === null) {
      await announcements.moveConfigBaseline(null, now);
      return;
    }
    if (before.hash === now.hash || !(await announcements.moveConfigBaseline(before.hash, now))) return;
    try {
      if (!this.deps.isLeader()) throw new Error('lost the watch lease before posting');
      await poster.postNotice(channelId, `cilium-config changed (${cluster}): ${changedKeys(before.data, data).join(', ')}. Agents read it when they start; restarted agents pick it up.`);
    } catch (err) {
      await announcements.moveConfigBaseline(now.hash, before);
      throw err;
    }
  }

  private async grow(group: WatchGroup, added: GroupedNode[]): Promise<void> {
    const { incidents, groups, poster } = this.deps;
    let incident = await this.openIncidentOf(group.key);
    const fresh = await groups.add(group.key, added.map((n) => n.node));
    const announced = added.filter((n) => fresh.includes(n.node));
    if (incident === null) {
      // A group whose incident a person resolved while nodes were still bad: a new incident names them all.
      const named = announced.length > 0 ? announced : added;
      const first = named[0];
      if (first === undefined) return;
      const opened = await incidents.openOrReuse({ cluster: this.deps.cluster, node: first.node, channelId: this.deps.channelId, openedBy: this.deps.actor });
      incident = opened.incident;
      if (incident.threadTs === '') {
        if (!this.deps.isLeader()) return;
        const ts = await poster.postRoot(incident.channelId, `${incident.id}: ${groupTitle(group)} (watch)`);
        incident = await incidents.update(incident.id, { threadTs: ts });
      }
      if (incident.status === 'recovered') incident = await incidents.setStatus(incident.id, 'investigating');
      await groups.setIncident(group.key, incident.id);
      const entry = await incidents.append(incident.id, {
        actor: this.deps.actor,
        kind: 'opened',
        text: `watch: ${groupTitle(group)}, for more than ${minutes(this.deps.dampingMs)}: ${nodeList(named)}. Diagnosing \`${first.node}\`; \`/cilium mute <node|pool|cause> <duration>\` silences the watch.`,
      }, `watch:${group.key}:opened`);
      if (!this.deps.isLeader()) return;
      await poster.postEntry(incident, entry);
      await this.deps.queue.enqueue({
        incidentId: incident.id,
        cluster: this.deps.cluster,
        node: first.node,
        channelId: incident.channelId,
        threadTs: incident.threadTs,
        requestedBy: this.deps.actor,
        requestedAt: new Date().toISOString(),
      });
      return;
    }
    if (announced.length === 0 || !this.deps.isLeader()) return;
    const entry = await incidents.append(incident.id, {
      actor: this.deps.actor,
      kind: 'note',
      text: `watch: ${announced.length === 1 ? 'a node joins' : `${announced.length} nodes join`} (${groupTitle(group)}): ${nodeList(announced)}`,
    }, `watch:${group.key}:joined:${announced.map((n) => n.node).join(',')}`);
    await poster.postEntry(incident, entry);
  }

  private async shrink(group: WatchGroup, recovered: string[], last: boolean): Promise<void> {
    const { incidents, groups, poster } = this.deps;
    const incident = await this.openIncidentOf(group.key);
    const { removed, left } = await groups.remove(group.key, recovered);
    if (incident === null || removed.length === 0 || !this.deps.isLeader()) {
      if (left === 0) await groups.close(group.key);
      return;
    }
    const names = removed.map((n) => `\`${n}\``).join(', ');
    if (left > 0 && !last) {
      const entry = await incidents.append(incident.id, { actor: this.deps.actor, kind: 'note', text: `watch: recovered (healthy for ${minutes(this.deps.dampingMs)}): ${names}; ${left} still affected` }, `watch:${group.key}:left:${removed.join(',')}`);
      await poster.postEntry(incident, entry);
      return;
    }
    await groups.close(group.key);
    const entry = await incidents.append(incident.id, {
      actor: this.deps.actor,
      kind: 'status-changed',
      text: `watch: every node has recovered (last: ${names}, healthy for ${minutes(this.deps.dampingMs)}); marked recovered. \`/cilium resolve ${incident.id}\` closes it.`,
    }, `watch:${group.key}:recovered:${incident.id}`);
    const marked = await incidents.setStatus(incident.id, 'recovered');
    await poster.postEntry(marked, entry);
    await poster.refreshSummary(marked);
  }

  /** The group's incident while it is neither resolved (a person closed it: a new one is opened) nor unknown. */
  private async openIncidentOf(groupKey: string): Promise<Incident | null> {
    const id = await this.deps.groups.incidentOf(groupKey);
    if (id === null) return null;
    const incident = await this.deps.incidents.find(id);
    return incident === null || incident.status === 'resolved' || incident.threadTs === '' ? null : incident;
  }
}
