/** The store conformance suite (test/support/store-conformance.ts) on DynamoDB Local. */
import { storeConformance } from '../support/store-conformance.js';
import { createStoreFixture } from '../support/store.js';

storeConformance(createStoreFixture);
