/** Calls to the proxy with the session cookie; writes carry the session's CSRF token. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => {};

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export function setCsrf(token: string): void {
  csrfToken = token;
}

export async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.method && init.method !== 'GET') headers.set('X-CSRF-Token', csrfToken);
  if (init.body) headers.set('Content-Type', 'application/json');
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401 && !path.startsWith('usage/login')) {
    onSignedOut();
    throw new ApiError(401, 'signed out');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null) as { error?: { message?: string } } | null;
    throw new ApiError(response.status, body?.error?.message ?? response.statusText);
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface Totals {
  requests: number; promptTokens: number; completionTokens: number; costUsd: number; cachedRequests: number;
  cacheHitRatio: number; errorRequests: number; errorRate: number; p50LatencyMs?: number; p95LatencyMs?: number;
}
export interface Ranking { tenantId: string; userId?: string; requests: number; tokens: number; costUsd: number; lastAt: string }
export interface ModelUsage { provider: string; model: string; requests: number; tokens: number; costUsd: number }
export interface Overview {
  from: string; to: string; tenantId?: string; totals: Totals;
  series: { days: string[]; lines: { label: string; requests: number[]; tokens: number[] }[] };
  topTenants: Ranking[]; topUsers: Ranking[]; models: ModelUsage[];
}
export interface ScopeRow {
  tenantId: string; userId?: string; tokenLimit?: number; used: number; reserved: number; remaining?: number;
  requestsPerMinute?: number; overridden: boolean; requests: number; tokens: number; lastActivity?: string;
  costLimitUsd?: number; costUsedUsd: number; costReservedUsd: number; costRemainingUsd?: number;
}
export interface ScopeTable { periodStart: string; periodEnd: string; periodKind: string; scopes: ScopeRow[] }
export interface QuotaValue { tokenLimit?: number | null; requestsPerMinute?: number | null; costLimitUsd?: number | null }
export interface QuotaView { tenantId: string; userId?: string; override?: QuotaValue; effective: QuotaValue }
export interface AuditEntry { id: string; tenantId: string; userId?: string; actor: string; at: string; oldValue?: QuotaValue; newValue?: QuotaValue }
export interface LogEntry {
  id: string; tenantId: string; userId: string; provider: string; model: string; status: string; httpStatus: number;
  stream: boolean; cached: boolean; promptTokens: number; completionTokens: number; latencyMs: number;
  cachedPromptTokens: number; cacheWriteTokens: number; reasoningTokens: number; costUsd?: number;
  timeToFirstTokenMs?: number; vendorRequestId?: string; error?: string; requestBody?: string; responseBody?: string;
  bodiesTruncated: boolean; timestamp: string;
}
