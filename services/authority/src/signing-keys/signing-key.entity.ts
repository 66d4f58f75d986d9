import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SigningKeyState = 'active' | 'retiring' | 'retired';

@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  algorithm!: 'EdDSA' | 'ES256';

  @Column({ type: 'text' })
  state!: SigningKeyState;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: JWK;

  /** iv ‖ tag ‖ AES-256-GCM ciphertext of the PKCS#8 private key; wiped when the key retires. */
  @Column({ name: 'private_key_sealed', type: 'bytea', nullable: true })
  privateKeySealed!: Buffer | null;

  /** Which key-encryption key sealed it, so a wrong STELLA_AUTHORITY_KEK fails with a clear message. */
  @Column({ name: 'kek_id', type: 'text' })
  kekId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  /** After this instant no unexpired token signed by this key can exist: it may leave the JWKS. */
  @Column({ name: 'retire_after', type: 'timestamptz', nullable: true })
  retireAfter!: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
