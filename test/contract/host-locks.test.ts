import { MemoryStore } from '../support/memory-store';
import { dynaliteStore, dynamoDbLocalStore } from '../support/stores';
import { hostLocksContract } from './host-locks.contract';

hostLocksContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
hostLocksContract('DynamoDbStore on embedded dynalite', () => dynaliteStore('eio-host-locks'));
hostLocksContract('DynamoDbStore on Amazon DynamoDB Local', () => dynamoDbLocalStore('eio-host-locks'));
