/**
 * AWS list prices used to turn counted requests into dollars. One dated table: when prices
 * change, change them here (and the date).
 */
export const PRICES = {
  asOf: '2026-11-01',
  region: 'us-east-1',
  /** DynamoDB on-demand, per write request unit (1 KB). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent, 8 KB eventually). */
  dynamoReadUnit: 0.125 / 1e6,
  /** SQS standard queue, per request (64 KB chunk), beyond the free tier. */
  sqsRequest: 0.4 / 1e6,
  /** API Gateway HTTP API, per request (first 300 M a month). */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda, per invocation (compute is priced separately per GB-second and left out here). */
  lambdaInvocation: 0.2 / 1e6,
} as const;

/** What counted requests cost per million jobs. */
export interface CostInputs {
  jobs: number;
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  httpRequests: number;
  lambdaInvocations: number;
}

export function dollarsPerMillionJobs(c: CostInputs): number {
  const total =
    c.writeUnits * PRICES.dynamoWriteUnit +
    c.readUnits * PRICES.dynamoReadUnit +
    c.sqsRequests * PRICES.sqsRequest +
    c.httpRequests * PRICES.httpApiRequest +
    c.lambdaInvocations * PRICES.lambdaInvocation;
  return (total / c.jobs) * 1e6;
}
