/** What a token may do. Each scope includes the ones before it: admin ⊃ write ⊃ read. */
const SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** Whether a token of scope `granted` may call an operation that needs `needed`. */
export function allows(granted: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(granted) >= SCOPES.indexOf(needed);
}
