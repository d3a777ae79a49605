/** The store conformance suite (test/support/store-conformance.ts) on the table in memory. */
import { storeConformance } from '../support/store-conformance.js';
import { createMemoryStoreFixture } from '../support/store.js';

storeConformance(createMemoryStoreFixture);
