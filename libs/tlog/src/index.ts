// @stella/tlog: RFC 6962 Merkle tree hashing, inclusion and consistency proofs over a NodeStore
// port, and C2SP signed-note checkpoints. Pure (no NestJS, no network): the attestor, the CLI and
// the offline verifier share it.
export { TlogError, isTlogError, type TlogErrorCode } from './errors';
export { EMPTY_ROOT, HASH_SIZE, leafHash, merkleRoot, nodeHash } from './hashing';
export {
  appendLeaves,
  consistencyProof,
  consistencyProofPlan,
  EMPTY_TREE,
  foldRight,
  frontierIds,
  inclusionProof,
  inclusionProofPlan,
  loadTreeState,
  perfectSubtrees,
  resolvePlan,
  rootOfState,
  treeRoot,
  type AppendResult,
  type NodeId,
  type NodeReader,
  type ProofElementPlan,
  type StoredNode,
  type TreeState,
} from './tree';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';
export { MemoryNodeStore } from './memory-node-store';
export {
  createNoteSigner,
  createNoteVerifier,
  decodeBase64Strict,
  formatSignerKey,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  noteKeyHash,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type Ed25519NoteVerifier,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  type SignedNote,
} from './note';
export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpointText,
  parseUnverifiedCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type VerifiedCheckpoint,
} from './checkpoint';
