import { canonicalize, sha256Digest } from '@stella/canonical';
import type { PolicyInput } from '@stella/policy-engine';

/** A piece of stored input text, content-addressed (`digest` = sha256 of `content`). */
export interface InputPart {
  digest: string;
  content: string;
}

/** Where a part goes back: at offset `at` of the stored text, in place of the two characters `[]`. */
export interface InputSplice {
  at: number;
  digest: string;
}

/**
 * How an input document is stored: its canonical text with each image's component list cut out
 * (left as `[]`, so the stored text stays valid JSON with approvals and findings readable in SQL),
 * and the lists stored once each under their digest. Every release holding an image of the same
 * SBOM shares its list.
 */
export interface StoredInput {
  text: string;
  splices: InputSplice[];
  parts: InputPart[];
}

const KEY = '"components":';
const EMPTY = '[]';

/**
 * The canonical text of component lists, per SBOM digest (an SBOM's components never change: they
 * are stored once per SBOM digest, insert-only). A small LRU; a text is only ever used after it was
 * found verbatim in the input being stored, so a stale or wrong entry cannot corrupt anything.
 */
export class ComponentListTexts {
  private readonly cache = new Map<string, InputPart>();

  constructor(private readonly max = 64) {}

  part(sbomDigest: string | undefined, components: readonly unknown[], fresh = false): InputPart {
    const cached = sbomDigest !== undefined && !fresh ? this.cache.get(sbomDigest) : undefined;
    if (cached) {
      this.cache.delete(sbomDigest!);
      this.cache.set(sbomDigest!, cached);
      return cached;
    }
    const content = canonicalize(components);
    const part = { digest: sha256Digest(content), content };
    if (sbomDigest !== undefined) {
      this.cache.set(sbomDigest, part);
      if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    }
    return part;
  }
}

/** Finds `"components":<part>` at or after `from`; the index of the list, or -1. */
function find(canonical: string, part: string, from: number): number {
  for (let at = canonical.indexOf(KEY, from); at >= 0; at = canonical.indexOf(KEY, at + KEY.length)) {
    const start = at + KEY.length;
    if (canonical.startsWith(part, start)) return start;
  }
  return -1;
}

/**
 * Splits the canonical text of `input` (exactly `canonical`) into the stored text and the
 * component lists of its images. Lists that are empty, or not found verbatim, stay inline.
 */
export function splitInput(canonical: string, input: PolicyInput, texts: ComponentListTexts): StoredInput {
  const splices: InputSplice[] = [];
  const parts = new Map<string, InputPart>();
  let text = '';
  let copied = 0;
  for (const image of input.images) {
    if (image.components.length === 0) continue;
    const sbomDigest = image.sbom.present ? image.sbom.digest : undefined;
    let part = texts.part(sbomDigest, image.components);
    let start = find(canonical, part.content, copied);
    if (start < 0 && sbomDigest !== undefined) {
      part = texts.part(sbomDigest, image.components, true);
      start = find(canonical, part.content, copied);
    }
    if (start < 0) continue;
    text += canonical.slice(copied, start);
    splices.push({ at: text.length, digest: part.digest });
    text += EMPTY;
    copied = start + part.content.length;
    parts.set(part.digest, part);
  }
  if (splices.length === 0) return { text: canonical, splices: [], parts: [] };
  text += canonical.slice(copied);
  return { text, splices, parts: [...parts.values()] };
}

/** The exact stored input back: every part in place of its `[]`; throws when a part is missing. */
export function joinInput(text: string, splices: readonly InputSplice[], parts: ReadonlyMap<string, string>): string {
  let out = '';
  let copied = 0;
  for (const splice of splices) {
    const content = parts.get(splice.digest);
    if (content === undefined) throw new Error(`input part ${splice.digest} is not stored`);
    if (text.slice(splice.at, splice.at + EMPTY.length) !== EMPTY) throw new Error(`input splice at ${splice.at} is not a cut list`);
    out += text.slice(copied, splice.at) + content;
    copied = splice.at + EMPTY.length;
  }
  return out + text.slice(copied);
}
