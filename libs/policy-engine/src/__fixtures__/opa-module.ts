import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';

/** Assembles the hand-written OPA ABI module (stella-allow.wat) with the given ABI minor version. */
export async function buildOpaTestModule(minorVersion: 1 | 2 = 2): Promise<Uint8Array> {
  const source = readFileSync(join(__dirname, 'stella-allow.wat'), 'utf8').replace(
    '(export "opa_wasm_abi_minor_version") i32 (i32.const 2)',
    `(export "opa_wasm_abi_minor_version") i32 (i32.const ${minorVersion})`,
  );
  const w = await wabt();
  const module = w.parseWat('stella-allow.wat', source);
  try {
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
