/**
 * SigV4 signing for an API Gateway with IAM authorization (service `execute-api`).
 * The AWS packages are loaded only when signing is asked for, so plain runs stay fast.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { OutgoingRequest, RequestSigner } from './client.js';

/** Signing was asked for but cannot be set up (no region, packages missing). */
export class SigningSetupError extends Error {
  override readonly name = 'SigningSetupError';
}

/** The region in an `https://<id>.execute-api.<region>.amazonaws.com` host, if it is one. */
export function regionFromHost(hostname: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/i.exec(hostname)?.[1]?.toLowerCase();
}

/**
 * SHA-256 / HMAC-SHA-256 in the shape `@smithy/signature-v4` expects (what `@smithy/hash-node`
 * does; that package is not installed here, so the few lines live here over `node:crypto`).
 */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof this.secret === 'string' ? this.secret : toBuffer(this.secret));
  }
}

function toBuffer(data: Uint8Array | ArrayBuffer | ArrayBufferView): Buffer {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Options of {@link createSigV4Signer}. */
export interface SigV4Options {
  /** The API's base URL: its host gives the region when `region` is not set. */
  baseUrl: string;
  /** `AWS_REGION`, when set. */
  region: string | undefined;
  /** `execute-api` unless told otherwise. */
  service?: string;
}

/**
 * A {@link RequestSigner} using the default AWS credential chain (environment, shared config and
 * SSO, web identity, container and instance metadata).
 */
export async function createSigV4Signer(options: SigV4Options): Promise<RequestSigner> {
  const region = options.region ?? regionFromHost(new URL(options.baseUrl).hostname);
  if (!region) {
    throw new SigningSetupError(`--sigv4 needs a region: set AWS_REGION (the URL ${options.baseUrl} is not an execute-api.<region>.amazonaws.com host)`);
  }
  let SignatureV4: typeof import('@smithy/signature-v4').SignatureV4;
  let defaultProvider: typeof import('@aws-sdk/credential-provider-node').defaultProvider;
  try {
    ({ SignatureV4 } = await import('@smithy/signature-v4'));
    ({ defaultProvider } = await import('@aws-sdk/credential-provider-node'));
  } catch (error) {
    throw new SigningSetupError('--sigv4 needs the packages @smithy/signature-v4 and @aws-sdk/credential-provider-node', { cause: error });
  }
  const signer = new SignatureV4({ service: options.service ?? 'execute-api', region, credentials: defaultProvider(), sha256: NodeSha256 });

  return async (request: OutgoingRequest) => {
    const query: Record<string, string> = {};
    for (const [key, value] of request.url.searchParams) query[key] = value;
    const signed = await signer.sign({
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      // `host` is signed; fetch sends the very same value itself, so it is dropped below.
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    });
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(signed.headers)) if (key.toLowerCase() !== 'host') headers[key] = value;
    return headers;
  };
}
