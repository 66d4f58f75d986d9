import { parseDecisionInputs, replayDecision, type Gate } from '@stella/gates';
import type { PolicyBodySource } from '@stella/policy-engine';
import { replayRegistry } from './gates';
import { PacketPaths } from './manifest';
import { readArchive, type ReadLimits } from './tar';

export interface ReplayReport {
  reproduced: boolean;
  decisionId?: string;
  /** The recorded and the rebuilt record's canonical JSON differ at these field paths. */
  differences: Array<{ path: string; recorded: unknown; replayed: unknown }>;
  /** Why nothing could be replayed (no inputs, an evaluator version this build lacks, ...). */
  error?: string;
}

/**
 * Re-evaluates every gate of a packet's decision from its recorded inputs with the recorded
 * evaluator versions (libs/gates registry), rebuilds the record and compares the bytes with
 * decision/record.json. Offline and deterministic.
 */
export async function replayPacket(archive: Buffer, options: { extraGates?: readonly Gate[]; limits?: Partial<ReadLimits> } = {}): Promise<ReplayReport> {
  const files = await readArchive(archive, options.limits);
  const recordBytes = files.get(PacketPaths.record);
  const inputBytes = files.get(PacketPaths.inputs);
  if (recordBytes === undefined) return { reproduced: false, differences: [], error: `${PacketPaths.record} is missing: not a decision packet` };
  if (inputBytes === undefined) return { reproduced: false, differences: [], error: `${PacketPaths.inputs} is missing: the decision's inputs were not recorded` };
  let replayedCanonical: string;
  try {
    const inputs = parseDecisionInputs(JSON.parse(inputBytes.toString('utf8')));
    const replayed = await replayDecision(inputs, replayRegistry(options.extraGates ?? [], packetPolicyBodies(files)));
    replayedCanonical = replayed.decision.canonical;
  } catch (error) {
    return { reproduced: false, differences: [], error: (error as Error).message };
  }
  const recordedCanonical = recordBytes.toString('utf8');
  if (replayedCanonical === recordedCanonical) {
    return { reproduced: true, decisionId: (JSON.parse(recordedCanonical) as { decisionId?: string }).decisionId ?? '', differences: [] };
  }
  let recorded: unknown;
  try {
    recorded = JSON.parse(recordedCanonical);
  } catch {
    return { reproduced: false, differences: [{ path: '(root)', recorded: recordedCanonical.slice(0, 64), replayed: '(a decision record)' }] };
  }
  const differences = diffJson(recorded, JSON.parse(replayedCanonical));
  // Same values but other bytes (e.g. not canonical JSON): still not reproduced.
  return { reproduced: false, differences: differences.length > 0 ? differences : [{ path: '(bytes)', recorded: 'non-canonical encoding', replayed: 'RFC 8785 canonical JSON' }] };
}

/** The packet's policy source and input document (for a policy gate that recorded references). */
export function packetPolicyBodies(files: Map<string, Buffer>): PolicyBodySource | undefined {
  const source = files.get(PacketPaths.policySource);
  const input = files.get(PacketPaths.policyInput);
  if (source === undefined || input === undefined) return undefined;
  const bodies = { policySource: source.toString('utf8'), inputDocument: input.toString('utf8') };
  return () => bodies;
}

/** Field paths (`gates[1].reasons[0]`) where two JSON values differ, depth first. */
export function diffJson(a: unknown, b: unknown, path = ''): Array<{ path: string; recorded: unknown; replayed: unknown }> {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Array<{ path: string; recorded: unknown; replayed: unknown }> = [];
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) out.push(...diffJson(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffJson(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path || '(root)', recorded: a, replayed: b }];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
