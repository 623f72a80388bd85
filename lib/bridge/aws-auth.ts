// Authentication to AWS IoT Core over WebSocket: a SigV4-presigned
// `wss://<endpoint>/mqtt` URL (service `iotdevicegateway`) made with AWS's own
// signer, or a custom authorizer's parameters in the MQTT username.
import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type CredentialSource = () => Promise<AwsCredentials>;

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `xxxx-ats.iot.eu-west-1.amazonaws.com` → `eu-west-1`. */
export function regionFromEndpoint(hostname: string): string | null {
  return /\.iot\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(hostname)?.[1] ?? null;
}

export interface PresignOptions {
  region: string;
  credentials: AwsCredentials;
  service: string;
  signingDate?: Date;
  expiresInSeconds?: number;
  /** S3-style `UNSIGNED-PAYLOAD`; otherwise the hash of the empty body, as AWS IoT expects. */
  unsignedPayload?: boolean;
}

/**
 * Presigns a GET URL with SigV4 (query-string authentication). The session
 * token, if any, is appended after signing and is not part of the signature:
 * AWS IoT requires it so, unlike most services, which sign X-Amz-Security-Token.
 */
export async function presignUrl(url: string, options: PresignOptions): Promise<string> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
    },
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  target.searchParams.forEach((value, key) => (query[key] = value));
  const headers: Record<string, string> = { host: target.host };
  const payloadHeader = "x-amz-content-sha256";
  if (options.unsignedPayload) headers[payloadHeader] = "UNSIGNED-PAYLOAD";
  const signed = await signer.presign(
    new HttpRequest({
      method: "GET",
      protocol: target.protocol,
      hostname: target.hostname,
      path: target.pathname,
      query,
      headers,
    }),
    {
      signingDate: options.signingDate,
      expiresIn: options.expiresInSeconds ?? 900,
      unhoistableHeaders: new Set([payloadHeader]),
      unsignableHeaders: new Set([payloadHeader]),
    },
  );
  // Canonical order, with the signature last as AWS's own examples write it.
  const { "X-Amz-Signature": signature, ...rest } = signed.query ?? {};
  const pairs = Object.entries(rest)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${uriEscape(key)}=${uriEscape(String(value))}`);
  pairs.push(`X-Amz-Signature=${String(signature)}`);
  if (options.credentials.sessionToken)
    pairs.push(`X-Amz-Security-Token=${uriEscape(options.credentials.sessionToken)}`);
  return `${target.protocol}//${target.host}${target.pathname}?${pairs.join("&")}`;
}

/** `wss://<endpoint>/mqtt` presigned for AWS IoT Core (service `iotdevicegateway`). */
export function presignIotUrl(
  url: string,
  options: Omit<PresignOptions, "service">,
): Promise<string> {
  return presignUrl(url, { ...options, service: "iotdevicegateway" });
}

/** The standard AWS credential chain: environment, SSO, shared files, web identity, ECS, EC2 metadata. */
export function defaultCredentialSource(): CredentialSource {
  const provider = fromNodeProviderChain();
  return async () => {
    const c = await provider();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
    };
  };
}

/**
 * Keeps a freshly signed URL at hand: mqtt.js asks for the URL synchronously
 * (`transformWsUrl`), while signing is asynchronous. The bridge re-signs before
 * every reconnection and on a timer, so the URL handed out is never stale.
 */
export class SignedUrlSource {
  private url: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly region: string,
    private readonly credentials: CredentialSource,
    private readonly refreshMs = 4 * 60 * 1000,
  ) {}

  async refresh(): Promise<string> {
    this.url = await presignIotUrl(this.baseUrl, {
      region: this.region,
      credentials: await this.credentials(),
    });
    return this.url;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  get current(): string {
    if (this.url === null) throw new Error("SignedUrlSource used before start()");
    return this.url;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export interface CustomAuthorizer {
  name: string;
  /** Query-string key that carries the token (the authorizer's `tokenKeyName`). */
  tokenKeyName?: string;
  token?: string;
  /** Base64 signature of the token, for authorizers with signing enabled. */
  signature?: string;
  username?: string;
  password?: string;
}

/**
 * AWS IoT custom authentication over MQTT (also over WebSocket): the
 * authorizer name, token and signature ride in the username's query string,
 * `username?x-amz-customauthorizer-name=...&token-key=...&x-amz-customauthorizer-signature=...`.
 */
export function customAuthorizerCredentials(a: CustomAuthorizer): {
  username: string;
  password?: string;
} {
  const params = [`x-amz-customauthorizer-name=${uriEscape(a.name)}`];
  if (a.tokenKeyName && a.token !== undefined)
    params.push(`${uriEscape(a.tokenKeyName)}=${uriEscape(a.token)}`);
  if (a.signature) params.push(`x-amz-customauthorizer-signature=${uriEscape(a.signature)}`);
  return { username: `${a.username ?? ""}?${params.join("&")}`, password: a.password };
}
