import { canonicalize, sha256Digest } from '@stella/canonical';
import type { PolicyInput } from '@stella/policy-engine';
import { ComponentListTexts, joinInput, splitInput } from './input-parts';

const component = (name: string, version: string) => ({ purl: `pkg:npm/${name}@${version}`, name, version, licenses: ['MIT'], identified: true });

function input(images: Array<{ sbom?: string; components: unknown[] }>): PolicyInput {
  return {
    schemaVersion: 'stella.policy.input/v1',
    approvals: [{ approver: 'user:carol', time: '2026-01-01T00:00:00Z' }],
    baseline: { releaseId: 'r0', components: ['pkg:npm/a'] },
    images: images.map((image, i) => ({
      digest: `sha256:${String(i).repeat(64)}`,
      name: `img-${i}`,
      sbom: image.sbom ? { present: true, digest: image.sbom } : { present: false },
      components: image.components,
      findings: [{ id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', components: [] }],
      attestations: [],
    })),
  } as unknown as PolicyInput;
}

const stored = (parts: Array<{ digest: string; content: string }>) => new Map(parts.map((p) => [p.digest, p.content]));

describe('input parts', () => {
  it('cuts each image component list out (valid JSON left) and joins back to the exact bytes', () => {
    const value = input([
      { sbom: 'sha256:s1', components: [component('a', '1.0.0'), component('b', '2.0.0')] },
      { sbom: 'sha256:s2', components: [component('c', '3.0.0')] },
      { sbom: 'sha256:s1', components: [component('a', '1.0.0'), component('b', '2.0.0')] },
      { components: [] },
    ]);
    const canonical = canonicalize(value);
    const split = splitInput(canonical, value, new ComponentListTexts());
    expect(split.splices).toHaveLength(3);
    expect(split.parts).toHaveLength(2);
    for (const part of split.parts) expect(part.digest).toBe(sha256Digest(part.content));
    const skeleton = JSON.parse(split.text) as { images: Array<{ components: unknown[]; findings: unknown[] }>; approvals: unknown[] };
    expect(skeleton.images.map((i) => i.components)).toEqual([[], [], [], []]);
    expect(skeleton.images[0]!.findings).toHaveLength(1);
    expect(skeleton.approvals).toHaveLength(1);
    expect(joinInput(split.text, split.splices, stored(split.parts))).toBe(canonical);
  });

  it('never uses a cached text that is not the one in the input (same SBOM digest, other list)', () => {
    const texts = new ComponentListTexts();
    const first = input([{ sbom: 'sha256:s1', components: [component('a', '1.0.0')] }]);
    splitInput(canonicalize(first), first, texts);
    const other = input([{ sbom: 'sha256:s1', components: [component('a', '9.9.9')] }]);
    const canonical = canonicalize(other);
    const split = splitInput(canonical, other, texts);
    expect(split.parts[0]!.content).toBe(canonicalize([component('a', '9.9.9')]));
    expect(joinInput(split.text, split.splices, stored(split.parts))).toBe(canonical);
  });

  it('leaves an input without component lists whole, and refuses to join without its parts', () => {
    const value = input([{ components: [] }]);
    const canonical = canonicalize(value);
    expect(splitInput(canonical, value, new ComponentListTexts())).toEqual({ text: canonical, splices: [], parts: [] });
    const withList = input([{ sbom: 'sha256:s1', components: [component('a', '1.0.0')] }]);
    const split = splitInput(canonicalize(withList), withList, new ComponentListTexts());
    expect(() => joinInput(split.text, split.splices, new Map())).toThrow(/not stored/);
  });
});
