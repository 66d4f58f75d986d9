export { canonicalize, canonicalBytes, CanonicalJsonError } from './canonical-json';
export {
  type Sha256Digest,
  sha256Hex,
  sha256Digest,
  digestOf,
  isSha256Digest,
  parseSha256Digest,
  contentId,
} from './digest';
