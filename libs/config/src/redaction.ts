// `kek` = key-encryption key (e.g. STELLA_AUTHORITY_KEK).
const SECRET_KEY_NAME = /(secret|password|key|token|kek|credentials)$/i;
const URL_USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/?#@:\s"]*:)[^/?#@\s"]*@/gi;

export const REDACTED = '(redacted)';

/** Keys named like a secret (…Secret, …Password, …Key, …Token) are never echoed back. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_NAME.test(key);
}

/** `postgres://app:hunter2@db/x` -> `postgres://app:***@db/x`: connection URLs often carry a password. */
export function withoutUrlPassword(value: string): string {
  return value.replace(URL_USERINFO_PASSWORD, '$1***@');
}

/** How a rejected value is shown in an error message. */
export function displayValue(value: unknown, secret: boolean): string {
  if (secret) return REDACTED;
  if (typeof value === 'string') return JSON.stringify(withoutUrlPassword(value));
  if (typeof value === 'bigint') return value.toString();
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : withoutUrlPassword(json);
}
