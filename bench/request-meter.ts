/**
 * Counts AWS requests by service and operation, and DynamoDB capacity, with a middleware on
 * the real SDK clients. DynamoDB requests are sent with `ReturnConsumedCapacity: INDEXES`, so
 * write units include every index. Used by the benchmarks and the cost tests: costs are
 * counted, not reasoned.
 */

/** What the meter needs of an SDK v3 client. */
export interface MeterableClient {
  middlewareStack: {
    add(middleware: (next: (args: { input: object }) => Promise<{ output: object }>, context: { commandName?: string }) => (args: { input: object }) => Promise<{ output: object }>, options: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }>;
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const CAPACITY_COMMANDS = new Set([...DYNAMO_WRITES, 'GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

export interface MeterSnapshot {
  /** `Service.Operation` → requests. */
  requests: Record<string, number>;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  /** Write units by table or index name. */
  writeUnitsBy: Record<string, number>;
}

export class RequestMeter {
  /** When false, requests pass through untouched and uncounted (for timing runs without instrumentation). */
  enabled = true;
  private requests = new Map<string, number>();
  private writeUnits = new Map<string, number>();
  private readUnits = 0;

  /** Adds the counting middleware to `client`. `service` names it in the counts. */
  attach(client: MeterableClient, service: 'DynamoDB' | 'SQS'): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.enabled) return next(args);
        const operation = operationName(context.commandName);
        if (service === 'DynamoDB' && CAPACITY_COMMANDS.has(operation)) {
          args = { ...args, input: { ReturnConsumedCapacity: 'INDEXES', ...args.input } };
        }
        const key = `${service}.${operation}`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        const result = await next(args);
        if (service === 'DynamoDB') this.record(operation, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'jobboardRequestMeter', override: true },
    );
  }

  snapshot(): MeterSnapshot {
    const writeUnitsBy = Object.fromEntries(this.writeUnits);
    return {
      requests: Object.fromEntries(this.requests),
      dynamoWriteUnits: Object.values(writeUnitsBy).reduce((a, b) => a + b, 0),
      dynamoReadUnits: this.readUnits,
      writeUnitsBy,
    };
  }

  reset(): void {
    this.requests.clear();
    this.writeUnits.clear();
    this.readUnits = 0;
  }

  private record(operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    if (consumed === undefined) return;
    const isWrite = DYNAMO_WRITES.has(operation);
    for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
      if (!isWrite) {
        this.readUnits += entry.CapacityUnits ?? entry.ReadCapacityUnits ?? 0;
        continue;
      }
      const table = entry.TableName ?? 'table';
      const tableUnits = entry.Table?.CapacityUnits ?? entry.Table?.WriteCapacityUnits;
      const indexes = Object.entries(entry.GlobalSecondaryIndexes ?? {});
      const indexTotal = indexes.reduce((sum, [, c]) => sum + (c.CapacityUnits ?? c.WriteCapacityUnits ?? 0), 0);
      this.add(table, tableUnits ?? (entry.CapacityUnits ?? 0) - indexTotal);
      for (const [name, c] of indexes) this.add(`${table}/${name}`, c.CapacityUnits ?? c.WriteCapacityUnits ?? 0);
    }
  }

  private add(name: string, units: number): void {
    this.writeUnits.set(name, (this.writeUnits.get(name) ?? 0) + units);
  }
}

/** `UpdateItemCommand` → `UpdateItem`; the document client's `UpdateCommand` → `UpdateItem`. */
function operationName(commandName: string | undefined): string {
  const base = (commandName ?? 'Unknown').replace(/Command$/, '');
  const documentClientNames: Record<string, string> = { Put: 'PutItem', Get: 'GetItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', TransactWrite: 'TransactWriteItems', TransactGet: 'TransactGetItems' };
  return documentClientNames[base] ?? base;
}
